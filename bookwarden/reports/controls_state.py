"""The controls as the dashboard and the reports show them (CC-8): today's state from
:func:`bookwarden.compliance.controls.evaluate`, and the past from the daily snapshots
(:class:`bookwarden.compliance.models.ControlSnapshot`), never recomputed."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Max
from django.db.models.functions import TruncMonth

from bookwarden.compliance.checks import Status
from bookwarden.compliance.controls import (
    Control,
    ControlResult,
    builtin_catalog,
    catalog,
    evaluate,
)
from bookwarden.compliance.models import ControlSnapshot
from bookwarden.core.models import Library

from .charts import Chart, from_counts
from .months import Month
from .scope import Scope

#: The order statuses are shown in: what fails first.
STATUS_ORDER = (Status.FAILING, Status.NO_EVIDENCE, Status.OPERATING, Status.NOT_APPLICABLE)
STATUS_NAMES = [(s.value, str(s.label)) for s in STATUS_ORDER]
#: Colours that mean the status (reports/charts.css): failing vermilion, no evidence
#: orange, operating green, not applicable grey.
STATUS_COLOURS = {
    Status.FAILING: "series-1",
    Status.NO_EVIDENCE: "series-4",
    Status.OPERATING: "series-2",
    Status.NOT_APPLICABLE: "series-7",
}


def status_label(value: str) -> str:
    """A status in words ("No evidence yet")."""
    try:
        return str(Status(value).label)
    except ValueError:
        return value


#: The reports speak of the library's controls; the ALA checklists' items, evaluated and
#: snapshotted with them, have their own progress page (compliance: checklists).
CHECKLISTS = "ala"


def _checklist_item_ids() -> list[str]:
    return [c.id for c in builtin_catalog() if c.framework == CHECKLISTS]


def catalog_of(library: Library) -> list[Control]:
    return [c for c in catalog(library) if c.framework != CHECKLISTS]


@dataclass
class LibraryControls:
    library: Library
    results: list[ControlResult]
    counts: Counter[str] = field(default_factory=Counter)
    #: The day of the daily record the counts come from (:func:`recorded`), or None when
    #: the controls were evaluated now.
    as_of: datetime.date | None = None

    def __post_init__(self) -> None:
        if self.as_of is None:
            self.counts = Counter(str(r.status) for r in self.results)

    @property
    def failing(self) -> list[ControlResult]:
        return [r for r in self.results if r.status == Status.FAILING]

    def count_rows(self) -> list[tuple[str, str, int]]:
        return [(key, name, self.counts.get(key, 0)) for key, name in STATUS_NAMES]


def current(
    libraries: Sequence[Library], now: datetime.datetime | None = None
) -> list[LibraryControls]:
    """Each library's controls now, failing ones first (a bounded number of queries)."""
    results = evaluate(list(libraries), now=now)
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    return [
        LibraryControls(
            lib,
            sorted(
                (r for r in results.get(lib.pk, []) if r.control.framework != CHECKLISTS),
                key=lambda r: (rank.get(r.status, 9), r.control.title),
            ),
        )
        for lib in libraries
    ]


def recorded(scope: Scope, day: datetime.date) -> list[LibraryControls] | None:
    """Each library's controls counted by status from ``day``'s daily record (one grouped
    query), for the view of many libraries at once, which shows counts only; None when a
    library of the scope has no record that day (the caller evaluates them now instead)."""
    rows = (
        scope.rows(ControlSnapshot)
        .filter(day=day)
        .exclude(control_id__in=_checklist_item_ids())
        .values("library_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for row in rows:
        counts[row["library_id"]][row["status"]] += row["n"]
    if set(counts) != scope.ids:
        return None
    return [LibraryControls(lib, [], counts=counts[lib.pk], as_of=day) for lib in scope.libraries]


def total_counts(states: Sequence[LibraryControls]) -> list[tuple[str, str, int]]:
    total: Counter[str] = Counter()
    for state in states:
        total.update(state.counts)
    return [(key, name, total.get(key, 0)) for key, name in STATUS_NAMES]


def last_snapshot_days(
    scope: Scope, first: datetime.date, last: datetime.date
) -> dict[tuple[int, Month], datetime.date]:
    """(library, month) -> the last day of that month with a snapshot: one grouped query
    over one control's rows (the daily job writes every control of a library on the same
    day), which the snapshots' index on library, control and day reads directly."""
    rows = (
        scope.rows(ControlSnapshot)
        .filter(control_id=builtin_catalog()[0].id, day__gte=first, day__lte=last)
        .annotate(month=TruncMonth("day"))
        .values("library_id", "month")
        .annotate(last=Max("day"))
        .order_by()
    )
    return {(r["library_id"], Month.of(r["month"])): r["last"] for r in rows}


def history_chart(scope: Scope, months: tuple[Month, ...]) -> Chart:
    """The controls by status at the end of each month, from the last daily snapshot of
    the month (two queries, each read through an index of the snapshots: library, control
    and day for the days; library and day for their rows)."""
    days = last_snapshot_days(scope, months[0].first_day, months[-1].last_day)
    wanted = defaultdict(set)
    for (library_id, month), day in days.items():
        wanted[day].add((library_id, month))
    counts: Counter[tuple[Month, str]] = Counter()
    if days:
        rows = (
            scope.rows(ControlSnapshot)
            .filter(day__in=sorted(wanted))
            .exclude(control_id__in=_checklist_item_ids())
            .values("library_id", "day", "status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in rows:
            month = Month.of(row["day"])
            if (row["library_id"], month) in wanted[row["day"]]:
                counts[(month, row["status"])] += row["n"]
    return from_counts(
        "controls",
        title="Controls by status",
        description="At the end of each month, how many of the library's controls were "
        "operating, failing or without evidence, from that day's record.",
        months=months,
        counts=dict(counts),
        names=STATUS_NAMES,
        y_label="Controls",
        colours={str(k): v for k, v in STATUS_COLOURS.items()},
    )


def snapshot_state(scope: Scope, on: datetime.date) -> dict[str, tuple[str, str]]:
    """control id -> (status, summary) on the last snapshot day at or before ``on`` (for a
    past year's report: what was recorded then).  Two queries; one library."""
    latest = scope.rows(ControlSnapshot).filter(day__lte=on).aggregate(last=Max("day"))["last"]
    if latest is None:
        return {}
    return {
        control_id: (status, summary)
        for control_id, status, summary in scope.rows(ControlSnapshot)
        .filter(day=latest)
        .exclude(control_id__in=_checklist_item_ids())
        .values_list("control_id", "status", "summary")
    }
