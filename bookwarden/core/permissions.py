"""Asking what a person may do, from :mod:`bookwarden.core.roles`.  Deny by default.

A person of library A asking about library B gets the same answer as for a library that does
not exist (404), so that nobody can learn what another library holds (DESIGN mechanism 4).

:func:`has_perm` and :func:`require` ask about one library and read the library roles
only: the installation role grants nothing inside a library.  :func:`has_installation_perm`
and :func:`require_installation` ask about the installation's own work (the periodic jobs,
the installation's mail).  :func:`has_perm_anywhere` (menus, :func:`perm_required`) is
either: a page open to both then shows each person their own part.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from .models import Library, User
from .roles import installation_permissions_for, permissions_for
from .when import show_times_for

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


def has_installation_perm(user: Any, perm: str) -> bool:
    """Whether ``user`` holds ``perm`` for the whole installation (the installation role)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return perm in installation_permissions_for(user.installation_role)


def has_perm_anywhere(user: Any, perm: str) -> bool:
    """``perm`` at some library, or for the installation."""
    return bool(libraries_with_perm(user, perm)) or has_installation_perm(user, perm)


def require(user: Any, perm: str, library: Library | int) -> None:
    """For actions: raise PermissionDenied unless ``user`` holds ``perm`` at ``library``.

    ``user=None`` is the command line or a job, which act as the installation itself.
    """
    if user is None:
        return
    if not has_perm(user, perm, library):
        raise PermissionDenied(f"{user} may not {perm} at this library.")


def require_installation(user: Any, perm: str) -> None:
    """For actions on the installation's own work: raise PermissionDenied unless ``user``
    holds ``perm`` through the installation role.  ``user=None`` is the command line or a
    job, which act as the installation itself."""
    if user is None:
        return
    if not has_installation_perm(user, perm):
        raise PermissionDenied(f"{user} may not {perm} for the installation.")


def library_for(request: HttpRequest, slug: str, perm: str) -> Library:
    """The library named ``slug`` if the person holds a role there, else 404.

    A role at the library without ``perm`` is 403: the person knows the library exists.
    """
    library = get_object_or_404(Library.objects.for_user(request.user), slug=slug)
    if not has_perm(request.user, perm, library):
        raise PermissionDenied
    show_times_for(library)
    return library


def perm_required(perm: str) -> Callable[[ViewFunc], ViewFunc]:
    """View decorator: the person must hold ``perm`` at some library or for the
    installation (else 403, or 404 when they hold no library role anywhere, so that an
    account with no role learns nothing, and the installation role reaches no library
    page)."""

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
