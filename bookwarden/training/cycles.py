"""When a person must complete a course (CC-10): one rule, simple enough to explain.

* A completion counts for ``recurrence_months`` (a year by default): the course is due
  again on the day it runs out, *last completion + recurrence*.  The next cycle opens
  ``days_to_complete`` days before that day; until then the person is done.
* Someone who never completed it has ``days_to_complete`` days from the later of the
  course's start and the day they joined its audience (their first role of the audience
  at that library, by its ``granted_at``).
* Board members and auditors are not staff: no course is theirs.

Everything here reads what it is given (courses, memberships, completions): callers load
them in a bounded number of queries and ask about many people at once.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from bookwarden.core.models import Membership

    from .models import Completion, Course

#: A person is told a course is due soon this many days ahead.
SOON_DAYS = 14


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` calendar months (Jan 31 + 1 month is the last of February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def audience_branch_ids(course: Course) -> set[int]:
    """The course's chosen branches (prefetch ``audience_branches`` when asking for many)."""
    return {b.pk for b in course.audience_branches.all()}


def matches(course: Course, membership: Membership) -> bool:
    """Whether one role of a person puts them in the course's audience."""
    from bookwarden.core.roles import Role

    from .models import NOT_STAFF_ROLES, CourseAudience

    if membership.library_id != course.library_id or membership.role in NOT_STAFF_ROLES:
        return False
    if membership.role not in Role.values:
        return False
    if course.audience == CourseAudience.ALL_STAFF:
        return True
    roles = set(course.audience_roles or [])
    branches = audience_branch_ids(course)
    if not roles and not branches:
        return False
    return (not roles or membership.role in roles) and (
        not branches or membership.branch_id in branches
    )


def joined_on(course: Course, memberships: Iterable[Membership]) -> datetime.date | None:
    """The day the person joined the course's audience (None: they are not in it)."""
    days = [
        timezone.localdate(m.granted_at) if timezone.is_aware(m.granted_at) else m.granted_at.date()
        for m in memberships
        if matches(course, m)
    ]
    return min(days) if days else None


@dataclass(frozen=True)
class Standing:
    """Where one person stands with one course today.

    ``due_on`` is the due date of the cycle shown: the open one, or the one completed.
    ``assigned_on`` is when that cycle opened.  ``done_on`` is the completion of that cycle
    (None while open).  ``next_due_on`` is when the course is due again after a completion.
    """

    course: Course
    user_id: int
    assigned_on: datetime.date
    due_on: datetime.date
    done_on: datetime.date | None = None
    late: bool = False
    next_due_on: datetime.date | None = None
    last_done_on: datetime.date | None = None

    @property
    def done(self) -> bool:
        return self.done_on is not None

    def overdue(self, today: datetime.date | None = None) -> bool:
        return not self.done and self.due_on < (today or timezone.localdate())

    def due_soon(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return not self.done and today <= self.due_on <= today + datetime.timedelta(SOON_DAYS)

    @property
    def key(self) -> str:
        return f"training:course:{self.course.pk}:{self.due_on.isoformat()}"

    @property
    def status(self) -> str:
        """In plain words: "Done", "Overdue", "Due soon", "To do"."""
        if self.done:
            return "Done late" if self.late else "Done"
        if self.overdue():
            return "Overdue"
        return "Due soon" if self.due_soon() else "To do"


def standing(
    course: Course,
    user_id: int,
    memberships: Iterable[Membership],
    completions: Iterable[Completion],
    today: datetime.date | None = None,
) -> Standing | None:
    """Where the person stands with ``course`` on ``today`` (None: the course is not
    theirs, or not yet).  ``memberships`` are the person's roles in force; ``completions``
    theirs for this course, in any order."""
    today = today or timezone.localdate()
    joined = joined_on(course, memberships)
    if joined is None:
        return None
    last = max(completions, key=lambda c: c.completed_on, default=None)
    if last is not None:
        next_due = add_months(last.completed_on, course.recurrence_months)
        opens = next_due - datetime.timedelta(days=course.days_to_complete)
        if today < opens:
            return Standing(
                course=course,
                user_id=user_id,
                assigned_on=min(
                    last.completed_on,
                    last.cycle_due_on - datetime.timedelta(days=course.days_to_complete),
                ),
                due_on=last.cycle_due_on,
                done_on=last.completed_on,
                late=last.late,
                next_due_on=next_due,
                last_done_on=last.completed_on,
            )
        return Standing(
            course=course,
            user_id=user_id,
            assigned_on=opens,
            due_on=next_due,
            last_done_on=last.completed_on,
        )
    start = max(course.starts_on, joined)
    if start > today:
        return None
    return Standing(
        course=course,
        user_id=user_id,
        assigned_on=start,
        due_on=start + datetime.timedelta(days=course.days_to_complete),
    )


def cycle_for(
    course: Course,
    on: datetime.date,
    memberships: Iterable[Membership],
    completions: Iterable[Completion],
) -> tuple[datetime.date, bool] | None:
    """For a completion on ``on``: the due date of the cycle it completes and whether it
    is late; None when it completes nothing new (the person already completed the cycle
    that day falls in, or a later one)."""
    completions = list(completions)
    last = max(completions, key=lambda c: c.completed_on, default=None)
    if last is not None:
        next_due = add_months(last.completed_on, course.recurrence_months)
        opens = next_due - datetime.timedelta(days=course.days_to_complete)
        if on < opens:
            return None
        return next_due, on > next_due
    joined = joined_on(course, memberships)
    start = max(course.starts_on, joined) if joined else course.starts_on
    due = start + datetime.timedelta(days=course.days_to_complete)
    return due, on > due
