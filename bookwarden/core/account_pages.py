"""What other apps add to a person's account page (their API tokens, say).

The spine imports no domain app, so an app registers a provider from its AppConfig.ready()
with :func:`account_part`: ``(request) -> StaffPagePart | None``, a section of the page
(its template reads the context as ``part``).  A provider costs a query or two at most.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .staff_pages import StaffPagePart

if TYPE_CHECKING:
    from .permissions import StaffRequest

AccountPart = Callable[["StaffRequest"], StaffPagePart | None]
_parts: list[AccountPart] = []


def account_part(provider: AccountPart) -> AccountPart:
    if provider not in _parts:
        _parts.append(provider)
    return provider


def account_parts(request: StaffRequest) -> list[StaffPagePart]:
    return [p for provider in _parts if (p := provider(request))]
