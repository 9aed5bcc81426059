"""Checks of the security operations log (CC-9, IT-10, IT-7): incidents reported at once to
the director, the technology coordinator and human resources, documented with preventive
measures; every report with its narrative, steps and closing date; entries closed in time.
A few queries for any number of libraries and entries."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse

from bookwarden.core.models import Library, Membership
from bookwarden.core.roles import Role
from bookwarden.operations.actions import INCIDENT_ROLES
from bookwarden.operations.models import (
    INCIDENT_KINDS,
    EntryStatus,
    IncidentNotice,
    LogEntry,
    OperationsSettings,
    StepKind,
    TimelineStep,
)
from bookwarden.operations.timeliness import is_overdue

from . import CheckResult, Evidence, check, failing, listed, operating, percent, plural

YEAR = datetime.timedelta(days=365)
#: "Reported immediately" (CC-9): the three roles are told within this time of the record.
NOTIFY_TARGET = datetime.timedelta(hours=1)
ROLE_WORDS = {
    Role.DIRECTOR: "the director",
    Role.TECH_COORDINATOR: "the technology coordinator",
    Role.HUMAN_RESOURCES: "human resources",
}
assert set(ROLE_WORDS) == set(INCIDENT_ROLES)


#: Whether an entry has a step recorded (IT-10): a lookup by the entry, never a count of
#: every entry's steps.
_HAS_A_STEP = Exists(TimelineStep.objects.filter(entry=OuterRef("pk"), kind=StepKind.STEP))


def _entry_link(entry: LogEntry) -> str:
    return reverse("operations:detail", args=[entry.pk])


def _by_library(libraries: Sequence[Library], rows: list[LogEntry]) -> dict[int, list[LogEntry]]:
    found: dict[int, list[LogEntry]] = {lib.pk: [] for lib in libraries}
    for row in rows:
        found[row.library_id].append(row)
    return found


@check(
    "incidents-notified",
    title="Incidents reported at once to the director, technology coordinator and HR",
    hint="Record security incidents in the operations log: each one is then sent at once "
    "to the three roles, and the log keeps who was told and when.",
)
def incidents_notified(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """CC-9: each incident of the last year was told to someone in each of the three roles
    within an hour of its record."""
    of_the_year = LogEntry.objects.filter(
        library__in=libraries, kind__in=INCIDENT_KINDS, recorded_at__gte=now - YEAR
    )
    incidents = list(
        of_the_year.only("pk", "library_id", "title", "recorded_at", "notified_at").order_by(
            "recorded_at"
        )
    )
    told: dict[int, set[int]] = {}
    # The same entries as a subquery, not a list of thousands of ids.
    for entry_id, user_id in IncidentNotice.objects.filter(
        entry__in=of_the_year.values("pk")
    ).values_list("entry_id", "user_id"):
        told.setdefault(entry_id, set()).add(user_id)
    holders: dict[tuple[int, str], set[int]] = {}
    for library_id, role, user_id in Membership.objects.filter(
        library__in=libraries, role__in=INCIDENT_ROLES
    ).values_list("library_id", "role", "user_id"):
        holders.setdefault((library_id, role), set()).add(user_id)
    results: dict[int, CheckResult] = {}
    for library_id, entries in _by_library(libraries, incidents).items():
        if not entries:
            continue
        failures = []
        late_entries = []
        for entry in entries:
            missing = [
                ROLE_WORDS[role]
                for role in ROLE_WORDS
                if not told.get(entry.pk, set()) & holders.get((library_id, role), set())
            ]
            late = (
                entry.notified_at is None or entry.notified_at - entry.recorded_at > NOTIFY_TARGET
            )
            if missing or late:
                late_entries.append(entry)
                why = []
                if missing:
                    why.append(
                        f"{listed(missing)} {'was' if len(missing) == 1 else 'were'} not told"
                    )
                if late and not missing:
                    why.append("they were not told within an hour")
                failures.append(f"The incident \u201c{entry.title}\u201d: {' and '.join(why)}.")
        ok = len(entries) - len(late_entries)
        evidence = (
            Evidence("Incidents of the last year", len(entries), reverse("operations:list")),
            Evidence("Told to the three roles within an hour", ok),
            *(Evidence(e.title, url=_entry_link(e), when=e.recorded_at) for e in late_entries[:10]),
        )
        summary = (
            f"{ok} of {plural(len(entries), 'incident')} of the last year "
            f"({percent(ok, len(entries))}) reported at once to the three roles."
        )
        results[library_id] = (
            failing(summary, failures[:10], evidence, measure=ok / len(entries))
            if failures
            else operating(summary, evidence, measure=1.0)
        )
    return results


@check(
    "incidents-documented",
    title="Incidents investigated and documented with preventive measures",
    hint="Record security incidents in the operations log and close each with the steps "
    "taken and the preventive measures recommended.",
)
def incidents_documented(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """CC-9: each incident closed in the last year has its steps and preventive measures."""
    closed = list(
        LogEntry.objects.filter(
            library__in=libraries,
            kind__in=INCIDENT_KINDS,
            status=EntryStatus.CLOSED,
            closed_at__gte=now - YEAR,
        )
        .annotate(taken=_HAS_A_STEP)
        .only("pk", "library_id", "title", "closed_at", "preventive_measures")
        .order_by("closed_at")
    )
    results: dict[int, CheckResult] = {}
    for library_id, entries in _by_library(libraries, closed).items():
        if not entries:
            continue
        lacking = [e for e in entries if not e.preventive_measures.strip() or not e.taken]  # type: ignore[attr-defined]
        ok = len(entries) - len(lacking)
        evidence = (
            Evidence("Incidents closed in the last year", len(entries), reverse("operations:list")),
            *(Evidence(e.title, url=_entry_link(e), when=e.closed_at) for e in lacking[:10]),
        )
        summary = f"{ok} of {plural(len(entries), 'closed incident')} documented in full."
        results[library_id] = (
            failing(
                summary,
                [
                    f"The incident \u201c{e.title}\u201d was closed without "
                    + (
                        "steps or preventive measures"
                        if not e.preventive_measures.strip() and not e.taken  # type: ignore[attr-defined]
                        else "preventive measures"
                        if not e.preventive_measures.strip()
                        else "the steps taken"
                    )
                    + "."
                    for e in lacking[:10]
                ],
                evidence,
                measure=ok / len(entries),
            )
            if lacking
            else operating(summary, evidence, measure=1.0)
        )
    return results


@check(
    "log-entries-complete",
    title="Every report has its narrative, steps and closing date",
    hint="Record server, software, backup, firewall and router changes, violations, "
    "breaches, interactions needing follow-up and network interruptions in the operations log.",
)
def log_entries_complete(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """IT-10: each report of the last year has a date and time, a narrative, and once
    resolved or closed, the steps taken and the date it was closed."""
    of_the_year = LogEntry.objects.filter(library__in=libraries, recorded_at__gte=now - YEAR)
    # Counted by the database; only the closed reports that lack something are read.
    counts = {
        row["library_id"]: row
        for row in of_the_year.order_by()
        .values("library_id")
        .annotate(reports=Count("pk"), closed=Count("pk", filter=Q(status=EntryStatus.CLOSED)))
    }
    lacking_rows = list(
        of_the_year.filter(status=EntryStatus.CLOSED)
        .filter(Q(narrative__regex=r"^\s*$") | ~_HAS_A_STEP | Q(closed_at__isnull=True))
        .only("pk", "library_id", "title", "recorded_at")
        .order_by("recorded_at")
    )
    results: dict[int, CheckResult] = {}
    for library_id, lacking in _by_library(libraries, lacking_rows).items():
        if library_id not in counts:
            continue
        reports, closed_count = counts[library_id]["reports"], counts[library_id]["closed"]
        ok = closed_count - len(lacking)
        evidence = (
            Evidence("Reports in the log over the last year", reports, reverse("operations:list")),
            Evidence("Closed, with narrative, steps and closing date", ok),
            *(Evidence(e.title, url=_entry_link(e), when=e.recorded_at) for e in lacking[:10]),
        )
        summary = (
            f"{plural(reports, 'report')} in the last year; {ok} of {closed_count} closed "
            "ones have their narrative, steps and closing date."
        )
        results[library_id] = (
            failing(
                summary,
                [f"\u201c{e.title}\u201d was closed with no step recorded." for e in lacking[:10]],
                evidence,
                measure=ok / closed_count if closed_count else None,
            )
            if lacking
            else operating(summary, evidence, measure=1.0)
        )
    return results


@check(
    "entries-closed-in-time",
    title="Requests and incidents answered and closed in good time",
    hint="Record the library's incidents, changes and requests in the operations log: each "
    "gets a target date by its kind and severity.",
)
def entries_closed_in_time(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """IT-7: no open entry is past its target (operations.timeliness)."""
    overrides = dict(
        OperationsSettings.objects.filter(library__in=libraries).values_list(
            "library_id", "target_days"
        )
    )
    # Only open entries can be late; the year's closed ones only say the log is in use.
    open_rows = list(
        LogEntry.objects.filter(library__in=libraries)
        .exclude(status=EntryStatus.CLOSED)
        .only("pk", "library_id", "title", "kind", "severity", "status", "recorded_at")
        .order_by("recorded_at")
    )
    in_use = set(
        LogEntry.objects.filter(library__in=libraries, recorded_at__gte=now - YEAR)
        .order_by()
        .values_list("library_id", flat=True)
        .distinct()
    )
    results: dict[int, CheckResult] = {}
    for library_id, entries in _by_library(libraries, open_rows).items():
        if not entries and library_id not in in_use:
            continue
        late = [e for e in entries if is_overdue(e, now, overrides.get(library_id) or {})]
        open_count = len(entries)
        evidence = (
            Evidence("Entries open", open_count, reverse("operations:list")),
            Evidence("Past their target date", len(late)),
            *(Evidence(e.title, url=_entry_link(e), when=e.recorded_at) for e in late[:10]),
        )
        summary = (
            f"{plural(open_count, 'entry is', 'entries are')} open, {len(late)} past the target."
        )
        results[library_id] = (
            failing(
                summary,
                [
                    f"{plural(len(late), 'entry is', 'entries are')} open past the target date: "
                    f"{listed([e.title for e in late])}."
                ],
                evidence,
                measure=len(late),
            )
            if late
            else operating(summary, evidence, measure=0)
        )
    return results
