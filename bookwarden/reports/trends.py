"""Twelve months of the program, from the apps' own records (issue 17, CC-8, CC-6).

Each trend is one or two queries over every library of the scope at once: aggregates
grouped by month where the database can group, otherwise one narrow read of the few columns
a month's state needs (never a query per person, record or library).  Patron records are
never read: counts of requests and retention runs only (CR-6a, NM-4).
"""

from __future__ import annotations

import bisect
import datetime
from collections import Counter, defaultdict
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from bookwarden.core.models import Membership
from bookwarden.credentials.models import (
    MAX_ROTATION_DAYS,
    Credential,
    CredentialSettings,
    Rotation,
)
from bookwarden.disclosures.models import DisclosureRequest
from bookwarden.disclosures.transparency import OUTCOMES
from bookwarden.operations.models import INCIDENT_KINDS, EntryKind, LogEntry
from bookwarden.patrons.models import RetentionRun
from bookwarden.patrons.models_retention import RunStatus
from bookwarden.training.models import NOT_STAFF_ROLES, Completion, CourseKind

from .charts import Chart, Series, from_counts
from .months import Month, cut_off
from .scope import Scope

#: Incident kinds in the words of a chart's legend ("Phishing", not "Security incident: ...").
INCIDENT_NAMES = [
    (kind.value, str(kind.label).split(": ", 1)[-1].capitalize())
    for kind in EntryKind
    if kind in INCIDENT_KINDS
]
RUN_GROUPS = (("completed", "Completed"), ("failed", "Failed or stopped"))
_RUN_GROUP = {
    RunStatus.COMPLETED: "completed",
    RunStatus.FAILED: "failed",
    RunStatus.ABANDONED: "failed",
    RunStatus.REFUSED: "failed",
}


def _month_of(row: dict[str, Any]) -> Month:
    return Month.of(row["month"])


def outcome_of(verdict: str, status: str) -> str:
    """The transparency report's outcome of a request (its verdict, else pending or closed
    without a decision)."""
    if verdict:
        return verdict
    return "closed_undecided" if status == "closed" else "pending"


# --- Training (CC-10) ----------------------------------------------------------------------


def _staff_periods(scope: Scope) -> dict[int, list[tuple[int, Any, Any, Any]]]:
    """Per library, each staff role as (user, granted, revoked, ends): one query."""
    periods: dict[int, list[tuple[int, Any, Any, Any]]] = defaultdict(list)
    rows = (
        scope.rows(Membership)
        .exclude(role__in=NOT_STAFF_ROLES)
        .filter(user__is_active=True)
        .values_list("library_id", "user_id", "granted_at", "revoked_at", "ends_on")
    )
    for library_id, user_id, granted, revoked, ends in rows:
        periods[library_id].append((user_id, granted, revoked, ends))
    return periods


def staff_on(periods: list[tuple[int, Any, Any, Any]], moment: datetime.datetime) -> set[int]:
    day = timezone.localdate(moment)
    return {
        user
        for user, granted, revoked, ends in periods
        if granted <= moment
        and (revoked is None or revoked > moment)
        and (ends is None or ends >= day)
    }


def _completion_days(
    scope: Scope, since: datetime.date
) -> dict[tuple[int, int], list[datetime.date]]:
    """(library, person) -> the sorted days they completed the yearly training: one query."""
    days: dict[tuple[int, int], list[datetime.date]] = defaultdict(list)
    rows = (
        scope.rows(Completion)
        .filter(course__kind=CourseKind.CYBERSECURITY, completed_on__gte=since)
        .values_list("library_id", "user_id", "completed_on")
        .order_by("completed_on")
    )
    for library_id, user_id, day in rows:
        days[(library_id, user_id)].append(day)
    return days


def _done_within(days: list[datetime.date], first: datetime.date, last: datetime.date) -> bool:
    i = bisect.bisect_left(days, first)
    return i < len(days) and days[i] <= last


def training_chart(scope: Scope, months: tuple[Month, ...], today: datetime.date) -> Chart:
    """CC-10: at the end of each month, the share of staff whose yearly security training
    was done in the twelve months before."""
    periods = _staff_periods(scope)
    days = _completion_days(scope, months[0].first_day - datetime.timedelta(days=366))
    values: list[float | None] = []
    for month in months:
        moment = cut_off(month, today)
        last = timezone.localdate(moment)
        first = last - datetime.timedelta(days=365)
        staff = trained = 0
        for library_id, library_periods in periods.items():
            people = staff_on(library_periods, moment)
            staff += len(people)
            trained += sum(
                1 for u in people if _done_within(days.get((library_id, u), []), first, last)
            )
        values.append(round(100 * trained / staff, 1) if staff else None)
    return Chart(
        key="training",
        title="Staff with their yearly security training done",
        description="At the end of each month, the share of staff who had done the yearly "
        "cybersecurity training in the twelve months before.",
        kind="line",
        months=months,
        series=(Series("Staff trained", tuple(values)),),
        y_label="Share of staff",
        unit="%",
    )


# --- Shared logins (IT-2) ------------------------------------------------------------------


def rotation_chart(scope: Scope, months: tuple[Month, ...], today: datetime.date) -> Chart:
    """IT-2: at the end of each month, the shared logins past their rotation period (three
    queries: the logins, their changes, the libraries' periods)."""
    period = dict(scope.rows(CredentialSettings).values_list("library_id", "rotation_days"))
    logins = list(
        scope.rows(Credential).values(
            "pk", "library_id", "retired_at", "last_changed_on", "due_now_since"
        )
    )
    changes: dict[int, list[datetime.date]] = defaultdict(list)
    for credential_id, day in scope.rows(Rotation).values_list("credential_id", "changed_on"):
        changes[credential_id].append(day)
    # Each login's recorded changes, in order (a login exists from its first one: the
    # inventory may have been filled in later than that).
    known = {
        login["pk"]: sorted({*changes.get(login["pk"], []), login["last_changed_on"]})
        for login in logins
    }
    values: list[int | None] = []
    for month in months:
        moment = cut_off(month, today)
        last = timezone.localdate(moment)
        overdue = 0
        for login in logins:
            if login["retired_at"] is not None and login["retired_at"] <= moment:
                continue
            dates = known[login["pk"]]
            i = bisect.bisect_right(dates, last)
            if i == 0:
                continue
            changed = dates[i - 1]
            days = period.get(login["library_id"], MAX_ROTATION_DAYS)
            due_now = month == Month.of(today) and login["due_now_since"] is not None
            if due_now or changed + datetime.timedelta(days=days) < last:
                overdue += 1
        values.append(overdue)
    return Chart(
        key="rotations",
        title="Shared passwords overdue for a change",
        description="At the end of each month, how many shared logins of servers, routers, "
        "firewalls, databases and internet accounts were past their rotation period.",
        kind="line",
        months=months,
        series=(Series("Overdue logins", tuple(values)),),
        y_label="Logins",
    )


# --- Incidents (CC-9, IT-7) ----------------------------------------------------------------


def incident_charts(
    scope: Scope, months: tuple[Month, ...], today: datetime.date
) -> tuple[Chart, Chart]:
    """CC-9: incidents by kind in the month they happened, and the average days from an
    incident to its closing, by the month it closed (two grouped queries)."""
    incidents = scope.rows(LogEntry).filter(kind__in=INCIDENT_KINDS)
    counts: dict[tuple[Month, str], int] = {}
    grouped = (
        incidents.filter(occurred_at__gte=months[0].start, occurred_at__lt=months[-1].end)
        .annotate(month=TruncMonth("occurred_at"))
        .values("month", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in grouped:
        counts[(_month_of(row), row["kind"])] = row["n"]
    by_kind = from_counts(
        "incidents",
        title="Security incidents by kind",
        description="Security incidents recorded in the operations log, by the month they "
        "happened and their kind.",
        months=months,
        counts=counts,
        names=INCIDENT_NAMES,
        y_label="Incidents",
    )
    averages: dict[Month, float] = {}
    closed = (
        incidents.filter(closed_at__gte=months[0].start, closed_at__lt=months[-1].end)
        .annotate(
            month=TruncMonth("closed_at"),
            span=ExpressionWrapper(F("closed_at") - F("occurred_at"), output_field=DurationField()),
        )
        .values("month")
        .annotate(average=Avg("span"))
        .order_by()
    )
    for row in closed:
        average = row["average"]
        if isinstance(average, datetime.timedelta):
            average = average.total_seconds()
        else:  # microseconds, where the database keeps no interval type
            average = float(average) / 1e6
        averages[_month_of(row)] = round(max(average, 0) / 86400, 1)
    days = tuple(averages.get(m) for m in months)
    time_to_close = Chart(
        key="time-to-close",
        title="Days to close an incident",
        description="For the incidents closed in each month, the average number of days "
        "from when it happened to when it was closed. No point: none closed that month.",
        kind="line",
        months=months,
        series=(Series("Average days", days),),
        y_label="Days",
    )
    return by_kind, time_to_close


# --- Requests for records (CC-5, NM-4) -----------------------------------------------------


def disclosure_chart(scope: Scope, months: tuple[Month, ...], today: datetime.date) -> Chart:
    """NM-4, CC-5: requests for records by the month they came in and what became of them
    (counts only: one grouped query)."""
    counts: Counter[tuple[Month, str]] = Counter()
    grouped = (
        scope.rows(DisclosureRequest)
        .filter(received_at__gte=months[0].start, received_at__lt=months[-1].end)
        .annotate(month=TruncMonth("received_at"))
        .values("month", "verdict", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in grouped:
        counts[(_month_of(row), outcome_of(row["verdict"], row["status"]))] += row["n"]
    return from_counts(
        "disclosures",
        title="Requests for patron records and their outcome",
        description="Requests for patron records by the month they were received and what "
        "the custodian decided. Counts only: no patron is named.",
        months=months,
        counts=dict(counts),
        names=OUTCOMES,
        y_label="Requests",
    )


# --- Retention (CR-6a) ---------------------------------------------------------------------


def retention_chart(scope: Scope, months: tuple[Month, ...], today: datetime.date) -> Chart:
    """CR-6a: the retention runs that covered the scope's libraries, by month and whether
    they completed (one grouped query; a run of every library covers each of them)."""
    counts: Counter[tuple[Month, str]] = Counter()
    grouped = (
        RetentionRun.objects.filter(
            dry_run=False, started_at__gte=months[0].start, started_at__lt=months[-1].end
        )
        .annotate(month=TruncMonth("started_at"))
        .values("month", "library_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in grouped:
        group = _RUN_GROUP.get(row["status"])
        if group and scope.covers(row["library_id"]):
            counts[(_month_of(row), group)] += row["n"]
    return from_counts(
        "retention",
        title="Retention runs",
        description="Runs that removed patron records past their retention period, by month, "
        "and whether each finished.",
        months=months,
        counts=dict(counts),
        names=RUN_GROUPS,
        y_label="Runs",
        keep_empty=True,
    )


# --- Open items (IT-7) ---------------------------------------------------------------------


def _open_at(rows: Any, months: tuple[Month, ...], today: datetime.date, since: str) -> list[int]:
    """How many of ``rows`` were open at each month's end: one aggregate query."""
    moments = [cut_off(m, today) for m in months]
    counts = rows.aggregate(
        **{
            f"m{i}": Count(
                "pk",
                filter=Q(**{f"{since}__lte": moment})
                & (Q(closed_at__isnull=True) | Q(closed_at__gt=moment)),
            )
            for i, moment in enumerate(moments)
        }
    )
    return [counts[f"m{i}"] for i in range(len(months))]


def open_items_chart(scope: Scope, months: tuple[Month, ...], today: datetime.date) -> Chart:
    """IT-7: at the end of each month, the entries of the operations log and the requests
    for records not yet closed (two aggregate queries)."""
    entries = _open_at(scope.rows(LogEntry), months, today, "recorded_at")
    requests = _open_at(scope.rows(DisclosureRequest), months, today, "received_at")
    return Chart(
        key="open-items",
        title="Open items at the end of each month",
        description="Entries of the security operations log and requests for records that "
        "were not closed yet at the end of each month.",
        kind="line",
        months=months,
        series=(
            Series("Security log entries", tuple(entries)),
            Series("Requests for records", tuple(requests)),
        ),
        y_label="Open items",
    )


def trend_charts(scope: Scope, months: tuple[Month, ...], today: datetime.date) -> list[Chart]:
    """Every trend of the dashboard, in the order the page shows them."""
    by_kind, time_to_close = incident_charts(scope, months, today)
    return [
        training_chart(scope, months, today),
        rotation_chart(scope, months, today),
        by_kind,
        time_to_close,
        disclosure_chart(scope, months, today),
        retention_chart(scope, months, today),
        open_items_chart(scope, months, today),
    ]
