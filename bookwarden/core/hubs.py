"""Pages that gather the links of several apps under one menu entry, so that the menu stays
short: the "IT" page leads to the shared logins, devices, software and vendors (IT-2, CC-7,
LV-6, NM-3), each shown to those who hold its permission.

An app registers its links from its AppConfig.ready() with :func:`register_link`; the spine
imports no domain app.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from .permissions import has_perm_anywhere

IT = "it"

#: The title and the opening sentence of each hub page.
HUBS = {
    IT: (
        "IT",
        "The library's shared logins, devices and public computers, software and the outside "
        "companies that receive patron information.",
    ),
}


@dataclass(frozen=True)
class HubLink:
    hub: str
    label: str
    url_name: str
    description: str
    perm: str
    order: int = 50


_links: list[HubLink] = []


def register_link(link: HubLink) -> None:
    assert link.hub in HUBS, f"unknown hub {link.hub!r}"
    if link not in _links:
        _links.append(link)
        _links.sort(key=lambda li: (li.hub, li.order, li.label))


def links_for(user: Any, hub: str) -> list[dict[str, str]]:
    """The hub's links that ``user`` may follow, in order."""
    return [
        {"label": link.label, "url": reverse(link.url_name), "description": link.description}
        for link in _links
        if link.hub == hub and has_perm_anywhere(user, link.perm)
    ]
