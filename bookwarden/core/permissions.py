"""Asking what a person may do, from :mod:`bookwarden.core.roles`.  Deny by default.

A person of library A asking about library B gets the same answer as for a library that does
not exist (404), so that nobody can learn what another library holds (DESIGN mechanism 4).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from .models import Library, User
from .roles import permissions_for

ViewFunc = Callable[..., HttpResponse]


class StaffRequest(HttpRequest):
    """A request from a signed-in person (views behind ``login_required``)."""

    user: User


def has_perm(user: Any, perm: str, library: Library | int) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return any(perm in permissions_for(role) for role in user.roles_in(library))


def libraries_with_perm(user: Any, perm: str) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    return user.library_ids(perm)


def has_perm_anywhere(user: Any, perm: str) -> bool:
    return bool(libraries_with_perm(user, perm))


def require(user: Any, perm: str, library: Library | int) -> None:
    """For actions: raise PermissionDenied unless ``user`` holds ``perm`` at ``library``.

    ``user=None`` is the command line or a job, which act as the installation itself.
    """
    if user is None:
        return
    if not has_perm(user, perm, library):
        raise PermissionDenied(f"{user} may not {perm} at this library.")


def library_for(request: HttpRequest, slug: str, perm: str) -> Library:
    """The library named ``slug`` if the person holds a role there, else 404.

    A role at the library without ``perm`` is 403: the person knows the library exists.
    """
    library = get_object_or_404(Library.objects.for_user(request.user), slug=slug)
    if not has_perm(request.user, perm, library):
        raise PermissionDenied
    return library


def perm_required(perm: str) -> Callable[[ViewFunc], ViewFunc]:
    """View decorator: the person must hold ``perm`` at some library (else 403, or 404
    when they hold no role anywhere, so that an account with no role learns nothing)."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: StaffRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_perm_anywhere(request.user, perm):
                if not request.user.library_ids():
                    raise Http404
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
