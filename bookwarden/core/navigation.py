"""The main navigation, by role: each app registers its entries and the permission that
shows them (none: everyone signed in).  The context processor builds the menu.  Labels are
registered as message ids (``gettext_noop``) and shown in the language in force, so that
another staff language can follow (docs/translations.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop

from .hubs import IT, links_for
from .models import libraries_of
from .permissions import has_perm_anywhere


@dataclass(frozen=True)
class NavItem:
    """A menu entry, shown to those who hold ``perm`` somewhere (None: everyone signed in),
    or, for a hub page (``hub``), to those who may follow one of its links."""

    label: str
    url_name: str
    perm: str | None = None
    order: int = 50
    hub: str = ""

    def shown_to(self, user: Any) -> bool:
        if self.hub:
            return bool(links_for(user, self.hub))
        return self.perm is None or has_perm_anywhere(user, self.perm)


_items: list[NavItem] = []


def register(item: NavItem) -> None:
    if item not in _items:
        _items.append(item)
        _items.sort(key=lambda i: (i.order, i.label))


register(NavItem(gettext_noop("My tasks"), "home", order=0))
register(NavItem(gettext_noop("IT"), "it_hub", order=45, hub=IT))
register(NavItem(gettext_noop("Account"), "account_security", order=100))


def menu(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    memberships = user.active_memberships()
    nav: list[dict[str, Any]] = []
    for item in _items:
        if item.shown_to(user):
            nav.append({"label": gettext(item.label), "url": reverse(item.url_name)})
        if item.url_name == "home":
            for library in libraries_of(memberships):
                nav.append(
                    {"label": library.name, "url": reverse("library_detail", args=[library.slug])}
                )
    for entry in nav:
        url = entry["url"]
        entry["current"] = request.path == url or (url != "/" and request.path.startswith(url))
    return {"nav": nav, "my_memberships": memberships}
