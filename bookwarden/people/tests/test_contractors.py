"""CC-1: contractors get limited, expiring access.  Once the end date of a contractor's
role has passed in the library's time zone, the ``departures`` job ends that access through
the same action as a leaver's, on record ("Access ended: contractor's end date")."""

from __future__ import annotations

import datetime

import time_machine
from django.utils import timezone

from bookwarden.audit.models import AuditAction
from bookwarden.core.actions import assign_role
from bookwarden.core.models import Membership
from bookwarden.core.roles import Role
from bookwarden.core.tests.helpers import audit_head, events_since
from bookwarden.jobs.registry import get_job
from bookwarden.people.actions.departures import CONTRACT_END_REASON
from bookwarden.people.models import Departure, DepartureKind


def _day_after(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(
        day + datetime.timedelta(days=1),
        datetime.time(0, 30),
        tzinfo=timezone.get_current_timezone(),
    )


def test_a_contractor_past_the_end_date_is_ended_like_a_leaver(people, new_madrid) -> None:
    contractor = people["contractor"]
    membership = Membership.objects.get(user=contractor, library=new_madrid)
    assert membership.ends_on is not None
    head = audit_head()
    job = get_job("departures")
    with time_machine.travel(_day_after(membership.ends_on) - datetime.timedelta(hours=1)):
        assert job.func() == "0 accounts ended."  # still the last day
    with time_machine.travel(_day_after(membership.ends_on), tick=False):
        assert job.func() == "1 account ended."
        assert job.func() == "0 accounts ended."
    contractor.refresh_from_db()
    membership.refresh_from_db()
    assert not contractor.is_active
    assert membership.revoked_at is not None and membership.revoked_by is None
    departure = Departure.objects.get(user=contractor)
    assert departure.kind == DepartureKind.CONTRACT_END
    assert departure.last_day == membership.ends_on
    assert departure.ended_at is not None and departure.recorded_by is None
    (revoked,) = events_since(head, AuditAction.ROLE_REVOKED)
    assert revoked.purpose == CONTRACT_END_REASON
    (ended,) = events_since(head, AuditAction.ACCOUNT_ENDED)
    assert ended.after["reason"] == "contract_end"
    assert ended.target_id == str(departure.pk)


def test_an_expired_role_beside_a_lasting_one_is_only_revoked(people, new_madrid) -> None:
    """A staff member who was also a contractor for a while keeps their staff role."""
    staff = people["staff"]
    ends_on = timezone.localdate() + datetime.timedelta(days=2)
    extra = assign_role(
        actor=None, user=staff, library=new_madrid, role=Role.CONTRACTOR, ends_on=ends_on
    )
    head = audit_head()
    with time_machine.travel(_day_after(ends_on), tick=False):
        assert get_job("departures").func() == "0 accounts ended."
    extra.refresh_from_db()
    staff.refresh_from_db()
    assert extra.revoked_at is not None
    assert staff.is_active
    assert Membership.objects.filter(user=staff, revoked_at__isnull=True).count() == 1
    assert not Departure.objects.filter(user=staff).exists()
    assert [e.action for e in events_since(head)] == [AuditAction.ROLE_REVOKED]
