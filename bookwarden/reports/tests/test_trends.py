"""The twelve-month trends count what the apps recorded, month by month, for the library
(or the person's libraries) only (issue 17, CC-8, CC-6, CC-9, CC-10, IT-2, NM-4, CR-6a)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from bookwarden.core.models import Membership
from bookwarden.core.roles import Role
from bookwarden.operations.models import EntryStatus, LogEntry
from bookwarden.reports import controls_state, trends
from bookwarden.reports.charts import Chart
from bookwarden.reports.scope import Scope

from .history import build_history


@pytest.fixture
def history(people):
    return build_history(people)


def values(chart: Chart, name: str) -> list:
    return list(next(s for s in chart.series if s.name == name).values)


def test_incidents_by_kind_and_time_to_close_count_only_the_library(history) -> None:
    """CC-9: two incidents in one month and one later; Cresco's intrusion is not counted."""
    h = history
    by_kind, to_close = trends.incident_charts(
        Scope.of_library(h.nm), h.months, timezone.localdate()
    )
    assert values(by_kind, "Phishing")[-4] == 1
    assert values(by_kind, "Malware")[-4] == 1
    assert values(by_kind, "Phishing")[-2] == 1
    assert "Intrusion" not in [s.name for s in by_kind.series]
    assert sum(sum(v or 0 for v in s.values) for s in by_kind.series) == 3
    # Closed 4 days after in that month; 12 days after, in the next month; none since.
    averages = dict(zip(h.months, values(to_close, "Average days"), strict=True))
    assert averages.pop(h.m(3)) == 4.0
    assert averages.pop(h.m(2)) == 12.0
    assert set(averages.values()) == {None}


def test_requests_by_outcome_are_counts_of_the_library(history) -> None:
    """NM-4, CC-5: one refused and one pending at New Madrid; Cresco's refusal is not ours."""
    h = history
    chart = trends.disclosure_chart(Scope.of_library(h.nm), h.months, timezone.localdate())
    assert values(chart, "Refused")[-5] == 1
    assert values(chart, "Pending")[-5] == 1
    assert sum(values(chart, "Refused")) == 1


def test_retention_runs_that_covered_the_library(history) -> None:
    """CR-6a: a run of every library and the library's own count; another library's own
    run and a rehearsal do not."""
    h = history
    chart = trends.retention_chart(Scope.of_library(h.nm), h.months, timezone.localdate())
    assert values(chart, "Completed")[-6] == 1
    assert values(chart, "Failed or stopped")[-6] == 1
    cresco = trends.retention_chart(Scope.of_library(h.cresco), h.months, timezone.localdate())
    assert values(cresco, "Completed")[-6] == 2


def test_overdue_shared_logins_month_by_month(history) -> None:
    """IT-2: overdue once 180 days had passed since its change, no longer after the change
    ten days ago."""
    h = history
    today = timezone.localdate()
    chart = trends.rotation_chart(Scope.of_library(h.nm), h.months, today)
    overdue = values(chart, "Overdue logins")
    changed = today - datetime.timedelta(days=250)
    for month, n in zip(h.months[:-1], overdue[:-1], strict=True):
        end = min(month.last_day, today)
        expected = 1 if changed <= end and changed + datetime.timedelta(days=180) < end else 0
        if month == h.months[-2] and today - datetime.timedelta(days=10) <= end:
            expected = 0
        assert n == expected, month
    assert overdue[-1] == 0
    assert 1 in overdue


def test_training_share_at_each_month_end(history, people) -> None:
    """CC-10: the staff member trained three months ago: the share rises then, and the
    auditor (not staff) is never counted."""
    h = history
    chart = trends.training_chart(Scope.of_library(h.nm), h.months, timezone.localdate())
    share = values(chart, "Staff trained")
    staff = (
        Membership.objects.filter(library=h.nm, user__is_active=True)
        .exclude(role=Role.AUDITOR)
        .values("user")
        .distinct()
        .count()
    )
    assert share[-5] == 0.0
    assert share[-4] == round(100 / staff, 1)
    assert share[-1] == round(100 / staff, 1)


def test_open_items_at_month_ends(history) -> None:
    h = history
    chart = trends.open_items_chart(Scope.of_library(h.nm), h.months, timezone.localdate())
    open_now = LogEntry.objects.filter(library=h.nm).exclude(status=EntryStatus.CLOSED).count()
    assert values(chart, "Security log entries")[-1] == open_now
    assert values(chart, "Requests for records")[-1] == 2


def test_control_history_reads_the_last_snapshot_of_each_month(history) -> None:
    """CC-8: the past is what the daily record says (the month's last day), never
    recomputed; another library's snapshots are not counted."""
    h = history
    chart = controls_state.history_chart(Scope.of_library(h.nm), h.months)
    assert values(chart, "Operating")[-7] == 1
    assert values(chart, "No evidence yet")[-7] == 1
    assert "Failing" not in [s.name for s in chart.series]


def test_a_person_with_roles_in_two_libraries_sees_both_together(history, people) -> None:
    """CC-6: the consortium view adds up the person's libraries and no other."""
    h = history
    director = people["director"]
    Membership.objects.create(user=director, library=h.cresco, role=Role.DIRECTOR)
    director.forget_roles()
    both = Scope.of_person(director, [h.nm, h.cresco])
    by_kind, _ = trends.incident_charts(both, h.months, timezone.localdate())
    assert values(by_kind, "Intrusion")[-4] == 1
    assert values(by_kind, "Phishing")[-4] == 1
    requests = trends.disclosure_chart(both, h.months, timezone.localdate())
    assert values(requests, "Refused")[-5] == 2
    # The New Madrid director alone sees only New Madrid through the same scoping.
    alone = Scope.of_person(people["designee"], [h.nm, h.cresco])
    by_kind, _ = trends.incident_charts(alone, h.months, timezone.localdate())
    assert "Intrusion" not in [s.name for s in by_kind.series]
