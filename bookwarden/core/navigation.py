"""The main navigation, by role: each app registers its entries and the permission that
shows them (none: everyone signed in).  The context processor builds the menu."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from .models import libraries_of
from .permissions import has_perm_anywhere


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perm: str | None = None
    order: int = 50


_items: list[NavItem] = []


def register(item: NavItem) -> None:
    if item not in _items:
        _items.append(item)
        _items.sort(key=lambda i: (i.order, i.label))


register(NavItem("My tasks", "home", order=0))
register(NavItem("Account", "account_security", order=100))


def menu(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    memberships = user.active_memberships()
    nav: list[dict[str, Any]] = []
    for item in _items:
        if item.perm is None or has_perm_anywhere(user, item.perm):
            nav.append({"label": item.label, "url": reverse(item.url_name)})
        if item.url_name == "home":
            for library in libraries_of(memberships):
                nav.append(
                    {"label": library.name, "url": reverse("library_detail", args=[library.slug])}
                )
    for entry in nav:
        url = entry["url"]
        entry["current"] = request.path == url or (url != "/" and request.path.startswith(url))
    return {"nav": nav, "my_memberships": memberships}
