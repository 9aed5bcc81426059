"""What the dashboard shows (issue 17, CC-8, CC-6): the controls now, their history and the
twelve-month trends, for one library or for every library of the person's consortium.
The charts are built by name so that a chart's CSV costs only its own queries."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from . import controls_state, trends
from .charts import Chart
from .months import Month, last_months
from .scope import Scope

ChartBuilder = Callable[[Scope, tuple[Month, ...], datetime.date], Chart]


def _incidents(scope: Scope, months: tuple[Month, ...], today: datetime.date) -> Chart:
    return trends.incident_charts(scope, months, today)[0]


def _time_to_close(scope: Scope, months: tuple[Month, ...], today: datetime.date) -> Chart:
    return trends.incident_charts(scope, months, today)[1]


def _controls(scope: Scope, months: tuple[Month, ...], today: datetime.date) -> Chart:
    return controls_state.history_chart(scope, months)


#: Every chart of the dashboard by the name its CSV is downloaded by.
CHARTS: dict[str, ChartBuilder] = {
    "controls": _controls,
    "training": trends.training_chart,
    "rotations": trends.rotation_chart,
    "incidents": _incidents,
    "time-to-close": _time_to_close,
    "disclosures": trends.disclosure_chart,
    "retention": trends.retention_chart,
    "open-items": trends.open_items_chart,
}


@dataclass
class Dashboard:
    scope: Scope
    controls: list[controls_state.LibraryControls]
    totals: list[tuple[str, str, int]]
    charts: list[Chart]
    months: tuple[Month, ...]

    @property
    def failing(self) -> list[tuple[controls_state.LibraryControls, object]]:
        return [(state, result) for state in self.controls for result in state.failing]


def build(scope: Scope, today: datetime.date | None = None) -> Dashboard:
    """The whole dashboard: the controls now (evaluated once for every library) and every
    chart.  A bounded number of queries, whatever the number of libraries or people."""
    today = today or timezone.localdate()
    months = last_months(12, today)
    # Many libraries show counts only: today's daily record serves them when every library
    # has one (evaluating fifty libraries' controls now takes seconds); one library's page
    # lists what fails, evaluated now.
    states = None
    if scope.single is None:  # today's record, or yesterday's before the night's check ran
        states = controls_state.recorded(scope, today) or controls_state.recorded(
            scope, today - datetime.timedelta(days=1)
        )
    states = states or controls_state.current(scope.libraries)
    charts = [controls_state.history_chart(scope, months)]
    charts.extend(trends.trend_charts(scope, months, today))
    return Dashboard(scope, states, controls_state.total_counts(states), charts, months)


def one_chart(scope: Scope, key: str, today: datetime.date | None = None) -> Chart | None:
    """The chart named ``key`` alone (for its CSV), or None for an unknown name."""
    builder = CHARTS.get(key)
    if builder is None:
        return None
    today = today or timezone.localdate()
    return builder(scope, last_months(12, today), today)
