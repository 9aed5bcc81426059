"""The leavers' parts of core's staff pages (CC-1): on a person's page, their last day (or
the link to record it); above the list of staff, the links to leavers and account reviews."""

from __future__ import annotations

from bookwarden.core.models import Library, User
from bookwarden.core.permissions import StaffRequest, has_perm
from bookwarden.core.roles import Perm
from bookwarden.core.staff_pages import StaffPagePart, staff_detail_part, staff_list_part

from .models import Departure


@staff_detail_part
def _leaving(request: StaffRequest, library: Library, person: User) -> StaffPagePart | None:
    """One query: the person's departures from this library, newest first."""
    may_record = has_perm(request.user, Perm.MANAGE_DEPARTURES, library)
    departures = list(
        Departure.objects.for_user(request.user, Perm.VIEW_STAFF)
        .filter(library=library, user=person)
        .exclude(cancelled_at__isnull=False)
        .select_related("recorded_by", "ended_by")[:3]
    )
    pending = next((d for d in departures if d.is_pending), None)
    ended = next((d for d in departures if d.ended_at is not None), None)
    return StaffPagePart(
        "people/_staff_leaving.html",
        {
            "library": library,
            "person": person,
            "pending": pending,
            "ended": ended,
            "may_record": may_record and person != request.user,
        },
    )


@staff_list_part
def _links(request: StaffRequest, library: Library) -> StaffPagePart | None:
    leavers = has_perm(request.user, Perm.MANAGE_DEPARTURES, library)
    reviews = has_perm(request.user, Perm.REVIEW_ACCOUNTS, library)
    if not (leavers or reviews):
        return None
    return StaffPagePart(
        "people/_staff_links.html", {"library": library, "leavers": leavers, "reviews": reviews}
    )
