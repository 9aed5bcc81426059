"""Who stands where with the courses (CC-10): for one person, and for a whole library.

Reads only, in a fixed number of queries whatever the number of people and courses: the
courses, their chosen branches, the roles in force and the completions, then
:func:`bookwarden.training.cycles.standing` for each person and course.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from bookwarden.core.models import Library, Membership, User

from .cycles import Standing, standing
from .models import NOT_STAFF_ROLES, Completion, Course


def _courses(queryset: QuerySet[Course]) -> list[Course]:
    return list(
        queryset.filter(active=True).select_related("library").prefetch_related("audience_branches")
    )


def _by_course(completions: Iterable[Completion]) -> dict[tuple[int, int], list[Completion]]:
    grouped: dict[tuple[int, int], list[Completion]] = {}
    for c in completions:
        grouped.setdefault((c.user_id, c.course_id), []).append(c)
    return grouped


def standings_of(
    user: User, library: Library | None = None, today: datetime.date | None = None
) -> list[Standing]:
    """What ``user`` must complete (at ``library``, or at every library where they work),
    most urgent first: overdue, then by due date; done last."""
    memberships = [
        m for m in user.active_memberships() if library is None or m.library_id == library.pk
    ]
    if not memberships:
        return []
    courses_qs = Course.objects.for_user(user)
    completions_qs = Completion.objects.for_user(user).filter(user=user)
    if library is not None:
        courses_qs = courses_qs.filter(library=library)
        completions_qs = completions_qs.filter(library=library)
    courses = _courses(courses_qs)
    if not courses:
        return []
    done = _by_course(completions_qs)
    found = []
    for course in courses:
        mine = [m for m in memberships if m.library_id == course.library_id]
        s = standing(course, user.pk, mine, done.get((user.pk, course.pk), []), today)
        if s is not None:
            found.append(s)
    return sorted(found, key=lambda s: (s.done, s.due_on, s.course.title))


@dataclass
class PersonRow:
    user: User
    branches: list[str]
    standings: list[Standing] = field(default_factory=list)

    @property
    def overdue(self) -> list[Standing]:
        return [s for s in self.standings if s.overdue()]

    @property
    def done(self) -> int:
        return sum(s.done for s in self.standings)


@dataclass
class Tally:
    """Counts of people for one course or one branch."""

    label: str
    people: int = 0
    done: int = 0
    overdue: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.people) if self.people else 100


@dataclass
class LibraryProgress:
    courses: list[Course]
    people: list[PersonRow]
    by_course: list[Tally]
    by_branch: list[Tally]

    @property
    def overdue_people(self) -> list[PersonRow]:
        return [p for p in self.people if p.overdue]


WHOLE_LIBRARY = "Whole library"


def library_progress(library: Library, today: datetime.date | None = None) -> LibraryProgress:
    """Every course of ``library`` against every member of its staff (five queries)."""
    today = today or timezone.localdate()
    courses = _courses(Course.objects.filter(library=library))
    roles: dict[int, list[Membership]] = {}
    users: dict[int, User] = {}
    for m in (
        Membership.objects.active()
        .filter(library=library)
        .select_related("user", "branch")
        .order_by("user__last_name", "user__first_name", "user__username")
    ):
        roles.setdefault(m.user_id, []).append(m)
        users[m.user_id] = m.user
    done = _by_course(Completion.objects.filter(library=library))
    people: list[PersonRow] = []
    by_course = {c.pk: Tally(c.title) for c in courses}
    by_branch: dict[str, Tally] = {}
    for user_id, memberships in roles.items():
        if all(m.role in NOT_STAFF_ROLES for m in memberships):
            continue
        branches = sorted({m.branch.name for m in memberships if m.branch is not None})
        row = PersonRow(users[user_id], branches)
        for course in courses:
            s = standing(course, user_id, memberships, done.get((user_id, course.pk), []), today)
            if s is None:
                continue
            row.standings.append(s)
            for tally in (
                by_course[course.pk],
                *(by_branch.setdefault(b, Tally(b)) for b in branches or [WHOLE_LIBRARY]),
            ):
                tally.people += 1
                tally.done += s.done
                tally.overdue += s.overdue(today)
        people.append(row)
    return LibraryProgress(
        courses=courses,
        people=people,
        by_course=list(by_course.values()),
        by_branch=sorted(by_branch.values(), key=lambda t: (t.label == WHOLE_LIBRARY, t.label)),
    )
