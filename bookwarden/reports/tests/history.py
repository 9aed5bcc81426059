"""A small, known history for the reports' tests: incidents, requests for records,
retention runs, a shared login, training and control snapshots at New Madrid, and a few
rows at Cresco that New Madrid's figures must never count."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from bookwarden.compliance.models import ControlSnapshot
from bookwarden.core.models import Library, Membership
from bookwarden.credentials import actions as credentials
from bookwarden.credentials.models import Credential
from bookwarden.disclosures import actions as disclosures
from bookwarden.disclosures.models import DisclosureRequest
from bookwarden.operations.actions import close_entry, create_entry
from bookwarden.operations.models import LogEntry
from bookwarden.patrons.models import RetentionRun
from bookwarden.reports.months import Month, last_months
from bookwarden.training.models import Completion, Course


def at(month: Month, day: int, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(
        month.year, month.month, day, hour, tzinfo=timezone.get_current_timezone()
    )


@dataclass
class History:
    months: tuple[Month, ...]
    nm: Library
    cresco: Library

    def m(self, ago: int) -> Month:
        """The month ``ago`` months before this one."""
        return self.months[-1 - ago]


def incident(
    library: Library, kind: str, occurred: datetime.datetime, days: int | None
) -> LogEntry:
    entry = create_entry(
        actor=None,
        library=library,
        kind=kind,
        title=f"{kind} incident",
        narrative="What happened.",
        occurred_at=occurred,
        recorded_at=occurred,
        preventive_measures="Filter tightened.",
    )
    if days is not None:
        close_entry(actor=None, entry=entry, at=occurred + datetime.timedelta(days=days))
    return entry


def request(
    people: dict[str, Any],
    library: Library,
    received: datetime.datetime,
    *,
    refuse: bool,
    staff: str = "staff",
    custodian: str = "director",
) -> DisclosureRequest:
    req = disclosures.record_request(
        actor=people[staff],
        library=library,
        requester_name="Pat Requester",
        requester_type="parent",
        instrument="none",
        patrons=[],
        patrons_as_named="Secret Patronname",
        record_types=["loans"],
    )
    if refuse:
        disclosures.decide(
            actor=people[custodian], request=req, verdict="refuse", reasons="No consent."
        )
    DisclosureRequest.objects.filter(pk=req.pk).update(received_at=received)
    return req


def build_history(people: dict[str, Any]) -> History:
    nm = Library.objects.get(slug="new-madrid")
    cresco = Library.objects.get(slug="cresco")
    h = History(last_months(12), nm, cresco)
    # Everyone has worked here for two years.
    Membership.objects.update(granted_at=timezone.now() - datetime.timedelta(days=730))
    # Incidents (CC-9): two in one month, one closed the month after, one still open.
    incident(nm, "phishing", at(h.m(3), 10), 4)
    incident(nm, "malware", at(h.m(3), 20), 12)
    incident(nm, "phishing", at(h.m(1), 2), None)
    incident(cresco, "intrusion", at(h.m(3), 10), 1)
    create_entry(
        actor=None,
        library=nm,
        kind="backup",
        title="Backup",
        narrative="Nightly backup.",
        occurred_at=at(h.m(2), 1),
        recorded_at=at(h.m(2), 1),
    )
    # Requests for records (NM-4): one refused, one pending; Cresco's not ours.
    request(people, nm, at(h.m(4), 10), refuse=True)
    request(people, nm, at(h.m(4), 11), refuse=False)
    request(
        people, cresco, at(h.m(4), 10), refuse=True, staff="outsider_staff", custodian="outsider"
    )
    # Retention (CR-6a): a run of every library, one of New Madrid that failed, Cresco's
    # own and a rehearsal (neither counted for New Madrid).
    RetentionRun.objects.create(library=None, status="completed", started_at=at(h.m(5), 1))
    RetentionRun.objects.create(library=nm, status="failed", started_at=at(h.m(5), 2))
    RetentionRun.objects.create(library=cresco, status="completed", started_at=at(h.m(5), 3))
    RetentionRun.objects.create(
        library=None, status="completed", dry_run=True, started_at=at(h.m(5), 4)
    )
    # A shared login changed 250 days ago (IT-2: overdue after 180 days) and again 10 days
    # ago (its first change, 400 days ago, is not kept once it is changed again).
    today = timezone.localdate()
    login = credentials.add_credential(
        actor=None,
        library=nm,
        system="Main router",
        kind="router",
        account_name="admin",
        manager_kind="bitwarden",
        manager_item="Network / Main router",
        last_changed_on=today - datetime.timedelta(days=400),
    )
    credentials.record_rotation(
        actor=None,
        credential=login,
        changed_on=today - datetime.timedelta(days=250),
        changed_by=None,
    )
    credentials.record_rotation(
        actor=None,
        credential=login,
        changed_on=today - datetime.timedelta(days=10),
        changed_by=None,
    )
    assert Credential.objects.filter(pk=login.pk).exists()
    # Training (CC-10): the staff member did the yearly training three months ago.
    course = Course.objects.create(
        library=nm,
        title="Yearly security",
        kind="cybersecurity",
        delivery="online_elsewhere",
        starts_on=today - datetime.timedelta(days=500),
    )
    Completion.objects.create(
        library=nm,
        course=course,
        user=people["staff"],
        completed_on=at(h.m(3), 15).date(),
        cycle_due_on=at(h.m(3), 15).date(),
        how="recorded",
    )
    # Control snapshots: the last day of the month counts; Cresco's are not ours.
    for day, control, status in (
        (5, "access-limited-and-reviewed", "failing"),
        (25, "access-limited-and-reviewed", "operating"),
        (25, "roles-held", "no_evidence"),
    ):
        ControlSnapshot.objects.create(
            library=nm,
            day=at(h.m(6), day).date(),
            control_id=control,
            status=status,
            summary='=HYPERLINK("http://evil")' if control == "roles-held" else "Fine.",
        )
    ControlSnapshot.objects.create(
        library=cresco, day=at(h.m(6), 25).date(), control_id="roles-held", status="failing"
    )
    return h
