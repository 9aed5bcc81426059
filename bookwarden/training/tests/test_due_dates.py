"""CC-10: when a course is due, across cycles: first due from the later of the course's start
and the day the person joined its audience; then a year (the recurrence) after each
completion, the next cycle opening ``days_to_complete`` days before."""

from __future__ import annotations

import datetime

from django.utils import timezone

from bookwarden.core.obligations import duties_for

from .. import actions
from ..cycles import add_months
from ..models import CourseAudience
from ..progress import standings_of
from .factories import answers


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _standing(user, course):
    return next(s for s in standings_of(user) if s.course.pk == course.pk)


def test_add_months_keeps_the_end_of_the_month() -> None:
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2026, 11, 15), 12) == datetime.date(2027, 11, 15)
    assert add_months(datetime.date(2026, 11, 15), 3) == datetime.date(2027, 2, 15)


def test_first_due_counts_from_the_later_of_start_and_joining(people, make_course) -> None:
    today = timezone.localdate()
    old = make_course("Started long ago", starts_on=today - datetime.timedelta(days=200))
    assert _standing(people["staff"], old).due_on == today + datetime.timedelta(days=30)
    later = make_course(
        "Starts later", starts_on=today + datetime.timedelta(days=10), days_to_complete=14
    )
    assert all(s.course.pk != later.pk for s in standings_of(people["staff"]))


def test_a_course_starting_later_becomes_due_on_its_day(people, make_course, time_machine) -> None:
    today = timezone.localdate()
    course = make_course(starts_on=today + datetime.timedelta(days=10), days_to_complete=14)
    time_machine.move_to(_at(today + datetime.timedelta(days=10)), tick=False)
    s = _standing(people["staff"], course)
    assert s.assigned_on == today + datetime.timedelta(days=10)
    assert s.due_on == today + datetime.timedelta(days=24)


def test_cycles_after_completions(people, make_course, time_machine) -> None:
    """The whole life of a yearly course for one person."""
    staff = people["staff"]
    today = timezone.localdate()
    course = make_course(recurrence_months=12, days_to_complete=30)
    first_due = today + datetime.timedelta(days=30)

    done_on = today + datetime.timedelta(days=10)
    time_machine.move_to(_at(done_on), tick=False)
    result = actions.take_quiz(actor=staff, course=course, answers=answers(course, 2))
    assert result.completion is not None and not result.completion.late
    assert result.completion.cycle_due_on == first_due
    next_due = add_months(done_on, 12)

    # Done until the next cycle opens, 30 days before the completion runs out.
    time_machine.move_to(_at(next_due - datetime.timedelta(days=31)), tick=False)
    s = _standing(staff, course)
    assert s.done and s.done_on == done_on and s.due_on == first_due
    assert s.next_due_on == next_due
    assert s.key == f"training:course:{course.pk}:{first_due.isoformat()}"

    time_machine.move_to(_at(next_due - datetime.timedelta(days=30)), tick=False)
    s = _standing(staff, course)
    assert not s.done and s.due_on == next_due and not s.overdue()
    assert s.key == f"training:course:{course.pk}:{next_due.isoformat()}"

    time_machine.move_to(_at(next_due + datetime.timedelta(days=3)), tick=False)
    s = _standing(staff, course)
    assert s.overdue() and s.status == "Overdue"

    # Completed late: the cycle is done, marked late; the next runs a year from then.
    result = actions.take_quiz(actor=staff, course=course, answers=answers(course, 2))
    assert result.completion is not None and result.completion.late
    assert result.completion.cycle_due_on == next_due
    s = _standing(staff, course)
    assert s.done and s.late and s.due_on == next_due
    assert s.next_due_on == add_months(next_due + datetime.timedelta(days=3), 12)


def test_audience_of_chosen_roles_and_branches(people, make_course, new_madrid) -> None:
    """Board members and auditors are never in an audience; chosen roles or branches
    narrow it."""
    everyone = make_course("For all staff")
    assert all(s.course.pk != everyone.pk for s in standings_of(people["auditor"]))
    assert _standing(people["contractor"], everyone)
    portageville = new_madrid.branches.get(slug="portageville")
    at_branch = make_course(
        "Portageville only", audience=CourseAudience.CHOSEN, audience_branches=[portageville]
    )
    assert _standing(people["staff"], at_branch)  # works at Portageville
    assert all(s.course.pk != at_branch.pk for s in standings_of(people["volunteer"]))  # Rhodes
    it_only = make_course(
        "IT only", audience=CourseAudience.CHOSEN, audience_roles=["it_staff", "tech_coordinator"]
    )
    assert _standing(people["it_staff"], it_only)
    assert all(s.course.pk != it_only.pk for s in standings_of(people["staff"]))


def test_duties_name_the_cycle_and_are_done_when_completed(people, make_course, new_madrid) -> None:
    """The duty registry (core.obligations) gets one duty per course, keyed by the cycle."""
    staff = people["staff"]
    course = make_course()
    due = timezone.localdate() + datetime.timedelta(days=30)
    key = f"training:course:{course.pk}:{due.isoformat()}"
    duty = next(d for d in duties_for(staff, new_madrid) if d.key == key)
    assert duty.kind == "training" and not duty.done and duty.due_on == due
    actions.take_quiz(actor=staff, course=course, answers=answers(course, 2))
    duty = next(d for d in duties_for(staff, new_madrid) if d.key == key)
    assert duty.done_on == timezone.localdate()
