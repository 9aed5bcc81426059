"""The link from a person's staff page to their tasks and onboarding progress (CC-1), for
those who follow the staff program there (Perm.VIEW_STAFF_PROGRAM)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bookwarden.core.permissions import has_perm
from bookwarden.core.roles import Perm
from bookwarden.core.staff_pages import StaffPagePart, staff_detail_part

if TYPE_CHECKING:
    from bookwarden.core.models import Library, User
    from bookwarden.core.permissions import StaffRequest


@staff_detail_part
def progress_link(request: StaffRequest, library: Library, person: User) -> StaffPagePart | None:
    if not person.is_active or not has_perm(request.user, Perm.VIEW_STAFF_PROGRAM, library):
        return None
    return StaffPagePart("onboarding/_staff_link.html", {"library": library, "person": person})
