"""CC-3, CR-6d: the weekly check of a branch's public computers; a missing check is a task
of the branch's desk staff and the coordinator; a failed one opens an operations entry."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from bookwarden.core.my_tasks import tasks_for
from bookwarden.devices import actions
from bookwarden.devices.models import PublicComputerCheck
from bookwarden.operations.models import EntryKind, LogEntry

pytestmark = pytest.mark.django_db
CHECK_ALL = {"no_history": True, "no_cookies": True, "no_files": True, "no_sessions": True}


def _check_titles(user) -> list[str]:
    return [t.title for t in tasks_for(user) if t.title.startswith("Check the public")]


def test_a_missing_check_is_a_task_until_done(time_machine, people, public_pc, branches) -> None:
    # Wednesday Dec 2, 2026: the week is Monday Nov 30 to Sunday Dec 6.
    time_machine.move_to(datetime.datetime(2026, 12, 2, 15, tzinfo=datetime.UTC))
    title = "Check the public computers at Portageville"
    assert _check_titles(people["staff"]) == [title]  # desk staff of Portageville
    assert _check_titles(people["tech_coordinator"]) == [title]
    assert _check_titles(people["volunteer"]) == []  # Rhodes has no public computer
    assert _check_titles(people["director"]) == []
    check = actions.record_public_check(
        actor=people["staff"], branch=branches["portageville"], **CHECK_ALL
    )
    assert check.passed and check.week_of == datetime.date(2026, 11, 30)
    assert _check_titles(people["staff"]) == []
    # Next Monday, a new week: the task is back.
    time_machine.move_to(datetime.datetime(2026, 12, 7, 15, tzinfo=datetime.UTC))
    assert _check_titles(people["staff"]) == [title]


def test_the_week_is_the_librarys(time_machine, people, public_pc, branches) -> None:
    """Sunday 11 PM in Missouri is Monday in UTC: the check still counts for the week it
    was in the library's time zone."""
    time_machine.move_to(datetime.datetime(2026, 12, 7, 5, tzinfo=datetime.UTC))
    check = actions.record_public_check(
        actor=people["staff"], branch=branches["portageville"], **CHECK_ALL
    )
    assert check.week_of == datetime.date(2026, 11, 30)


def test_a_failed_check_opens_an_operations_entry(people, public_pc, branches) -> None:
    with pytest.raises(ValidationError):  # a failure says what was left
        actions.record_public_check(
            actor=people["staff"],
            branch=branches["portageville"],
            **{**CHECK_ALL, "no_cookies": False},
        )
    check = actions.record_public_check(
        actor=people["staff"],
        branch=branches["portageville"],
        **{**CHECK_ALL, "no_cookies": False},
        note="Cookies of a web mail site were still there.",
    )
    assert not check.passed
    entry = LogEntry.objects.get(pk=check.followup_id)
    assert entry.kind == EntryKind.MAINTENANCE
    assert entry.reported_by == people["staff"]
    assert "cookies" in entry.narrative
    assert "PV-PUB-01" in entry.device_list
    assert PublicComputerCheck.objects.count() == 1
