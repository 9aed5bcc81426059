"""Navigation by role for the base layout."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from .access import has_perm_anywhere
from .models import libraries_of
from .roles import Perm


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    memberships = list(user.active_memberships())
    libraries = libraries_of(memberships)
    nav: list[dict[str, Any]] = [{"label": "My tasks", "url": reverse("home")}]
    for library in libraries:
        nav.append({"label": library.name, "url": reverse("library_detail", args=[library.slug])})
    if has_perm_anywhere(user, Perm.VIEW_AUDIT):
        nav.append({"label": "Audit log", "url": reverse("audit:list")})
    nav.append({"label": "Account", "url": reverse("account_security")})
    path = request.path
    for item in nav:
        item["current"] = path == item["url"] or (
            item["url"] != "/" and path.startswith(item["url"])
        )
    return {"nav": nav, "my_memberships": memberships}
