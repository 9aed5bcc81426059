"""The weekly digest to each library's director (issue 17, CC-8, IT-7): what changed in the
week, what is overdue, which controls fail.  Mailed through the outbox, never straight to
SMTP, at most once per library and week (the outbox's dedupe key names the ISO week), so
the job may run as often as it likes.

Every figure is read for all libraries at once with grouped queries (a bounded number,
whatever the number of libraries); counts only of patron matters.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.compliance.controls import builtin_catalog
from bookwarden.compliance.models import ControlSnapshot
from bookwarden.core import when as formats
from bookwarden.core.models import Library, Membership
from bookwarden.core.roles import Role
from bookwarden.core.wording import counted
from bookwarden.credentials.models import Credential, Rotation, due_on
from bookwarden.disclosures.models import DisclosureRequest
from bookwarden.mail.actions import queue_mail
from bookwarden.operations.models import INCIDENT_KINDS, EntryStatus, LogEntry
from bookwarden.policies.models import Policy
from bookwarden.training.models import Completion

from . import controls_state
from .months import start_of

REASON = "reports.weekly_digest"


@dataclass
class Digest:
    library: Library
    week: str
    changes: list[str] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)
    failing: list[str] = field(default_factory=list)

    def subject(self) -> str:
        return f"Weekly compliance digest: {self.library.name}"

    def body(self, since: datetime.date, today: datetime.date) -> str:
        library = self.library
        lines = [
            f"The compliance program of {library.name}, "
            f"{formats.day(since, library=library)} to {formats.day(today, library=library)}.",
            "",
            "What changed this week:",
            *([f"- {line}" for line in self.changes] or ["- Nothing new was recorded."]),
            "",
            "What is overdue:",
            *([f"- {line}" for line in self.overdue] or ["- Nothing is overdue."]),
            "",
            "Controls that fail:",
            *(
                [f"- {line}" for line in self.failing]
                or ["- None: every control with evidence operates."]
            ),
            "",
            "The dashboard: sign in to Bookwarden and open "
            f"{reverse('reports:library', args=[library.slug])}.",
            "You receive this digest once a week as the library's director.",
        ]
        return "\n".join(lines)


def week_key(day: datetime.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _by_library(rows: Any, field_name: str = "library_id") -> Counter[int]:
    return Counter(
        {r[field_name]: r["n"] for r in rows.values(field_name).annotate(n=Count("pk")).order_by()}
    )


def _snapshot_statuses(on: datetime.date) -> dict[tuple[int, str], str]:
    """(library, control) -> status on the last snapshot day at or before ``on``."""
    latest = ControlSnapshot.objects.filter(
        control_id=builtin_catalog()[0].id, day__lte=on
    ).aggregate(last=Max("day"))["last"]
    if latest is None:
        return {}
    return {
        (lib, cid): status
        for lib, cid, status in ControlSnapshot.objects.filter(day=latest).values_list(
            "library_id", "control_id", "status"
        )
    }


def build_digests(today: datetime.date | None = None) -> list[Digest]:
    """One digest per library (a bounded number of queries for all of them)."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=7)
    start = start_of(since)
    libraries = list(Library.objects.select_related("credential_settings").order_by("name"))
    states = {s.library.pk: s for s in controls_state.current(libraries)}
    before = _snapshot_statuses(since)
    incidents = _by_library(
        LogEntry.objects.filter(kind__in=INCIDENT_KINDS, recorded_at__gte=start)
    )
    closed = _by_library(LogEntry.objects.filter(closed_at__gte=start))
    received = _by_library(DisclosureRequest.objects.filter(received_at__gte=start))
    decided = _by_library(DisclosureRequest.objects.filter(decided_at__gte=start))
    trained = _by_library(Completion.objects.filter(completed_on__gte=since))
    rotated = _by_library(Rotation.objects.filter(recorded_at__gte=start), "credential__library_id")
    late_requests = _by_library(DisclosureRequest.objects.open().filter(deadline__lt=today))
    open_entries = _by_library(LogEntry.objects.exclude(status=EntryStatus.CLOSED))
    overdue_logins: Counter[int] = Counter()
    for login in Credential.objects.filter(retired_at__isnull=True).select_related(
        "library__credential_settings"
    ):
        if login.due_now_since or due_on(login) < today:
            overdue_logins[login.library_id] += 1
    late_policies: dict[tuple[str, int], list[str]] = defaultdict(list)
    for title, library_id, consortium_id in Policy.objects.filter(
        retired_at__isnull=True, next_review_on__lt=today
    ).values_list("title", "library_id", "consortium_id"):
        late_policies[
            ("library", library_id) if library_id else ("consortium", consortium_id)
        ].append(title)
    digests = []
    for library in libraries:
        d = Digest(library, week_key(today))
        pk = library.pk
        for n, one, many in (
            (incidents[pk], "security incident recorded", "security incidents recorded"),
            (closed[pk], "log entry closed", "log entries closed"),
            (received[pk], "request for records received", "requests for records received"),
            (decided[pk], "request for records decided", "requests for records decided"),
            (trained[pk], "training completed", "trainings completed"),
            (rotated[pk], "shared password changed", "shared passwords changed"),
        ):
            if n:
                d.changes.append(counted(n, one, many))
        state = states[pk]
        for result in state.results:
            old = before.get((pk, result.control.id))
            if old and old != result.status:
                d.changes.append(
                    f"{result.control.title}: now "
                    f"{controls_state.status_label(result.status).lower()} "
                    f"(was {controls_state.status_label(old).lower()})"
                )
        if overdue_logins[pk]:
            d.overdue.append(f"{counted(overdue_logins[pk], 'shared password')} to change")
        if late_requests[pk]:
            d.overdue.append(
                f"{counted(late_requests[pk], 'request for records', 'requests for records')} "
                "past its deadline"
            )
        policies = (
            late_policies[("library", pk)]
            + late_policies[("consortium", library.consortium_id or 0)]
        )
        for title in sorted(policies):
            d.overdue.append(f"The {title} is past its review date")
        if open_entries[pk]:
            d.overdue.append(
                f"{counted(open_entries[pk], 'entry', 'entries')} of the security log still open"
            )
        for result in state.failing:
            failures = [f for c in result.checks for f in c.failures]
            d.failing.append(f"{result.control.title}: {' '.join(failures) or 'failing'}")
        digests.append(d)
    return digests


def send_digests(today: datetime.date | None = None) -> int:
    """Queue this week's digest for each library's directors; returns how many were queued
    (0 when this week's were already queued)."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=7)
    directors: dict[int, list[Any]] = defaultdict(list)
    for membership in (
        Membership.objects.active(today).filter(role=Role.DIRECTOR).select_related("user")
    ):
        if membership.user.email:
            directors[membership.library_id].append(membership.user)
    queued = 0
    for digest in build_digests(today):
        people = directors.get(digest.library.pk)
        if not people:
            continue
        with formats.library_time(digest.library), transaction.atomic():
            message = queue_mail(
                to=[u.email for u in people],
                subject=digest.subject(),
                body=digest.body(since, today),
                reason=REASON,
                library=digest.library,
                dedupe_key=f"{REASON}:{digest.library.pk}:{digest.week}",
            )
            if message is None:
                continue
            record(
                AuditAction.REPORT_DIGEST_QUEUED,
                target=message,
                library=digest.library,
                after={
                    "week": digest.week,
                    "recipients": [u.pk for u in people],
                    "failing": len(digest.failing),
                    "overdue": len(digest.overdue),
                },
            )
            queued += 1
    return queued
