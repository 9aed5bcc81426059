"""What other apps add to the staff pages: a section on one person's page, a link on the list
of a library's staff (CC-1, LV-3).

The spine imports no domain app, so an app registers a provider from its AppConfig.ready()
and the staff views ask every provider for its part:

* ``@staff_detail_part``: ``(request, library, person) -> StaffPagePart | None``, a section
  of the person's page (their last day, say);
* ``@staff_list_part``: ``(request, library) -> StaffPagePart | None``, links above the list.

A part is a template and its context; the template reads the context as ``part``.  A
provider must cost a bounded number of queries (the pages' query counts are pinned) and
returns None when the person looking may not see it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Library, User
    from .permissions import StaffRequest


@dataclass(frozen=True)
class StaffPagePart:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


DetailPart = Callable[["StaffRequest", "Library", "User"], StaffPagePart | None]
ListPart = Callable[["StaffRequest", "Library"], StaffPagePart | None]
_detail_parts: list[DetailPart] = []
_list_parts: list[ListPart] = []


def staff_detail_part(provider: DetailPart) -> DetailPart:
    if provider not in _detail_parts:
        _detail_parts.append(provider)
    return provider


def staff_list_part(provider: ListPart) -> ListPart:
    if provider not in _list_parts:
        _list_parts.append(provider)
    return provider


def detail_parts(request: StaffRequest, library: Library, person: User) -> list[StaffPagePart]:
    return [p for provider in _detail_parts if (p := provider(request, library, person))]


def list_parts(request: StaffRequest, library: Library) -> list[StaffPagePart]:
    return [p for provider in _list_parts if (p := provider(request, library))]
