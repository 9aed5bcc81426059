"""Who stands where with the courses (CC-10): for one person, and for a whole library.

Reads only, in a fixed number of queries whatever the number of people and courses: the
courses, their chosen branches, the roles in force and the completions, then
:func:`bookwarden.training.cycles.standing` for each person and course.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import OuterRef, QuerySet, Subquery, prefetch_related_objects
from django.utils import timezone

from bookwarden.core.models import Library, Membership, User

from .cycles import Standing, standing
from .models import NOT_STAFF_ROLES, Completion, Course, CourseAudience


def courses_with_branches(queryset: QuerySet[Course]) -> list[Course]:
    """Active courses, with their chosen branches read only where an audience names some
    (one query, two when a course of the list has a chosen audience)."""
    courses = list(queryset.filter(active=True).select_related("library"))
    chosen = [c for c in courses if c.audience == CourseAudience.CHOSEN]
    if chosen:
        prefetch_related_objects(chosen, "audience_branches")
    return courses


def completions_by_person_and_course(
    completions: Iterable[Completion],
) -> dict[tuple[int, int], list[Completion]]:
    grouped: dict[tuple[int, int], list[Completion]] = {}
    for c in completions:
        grouped.setdefault((c.user_id, c.course_id), []).append(c)
    return grouped


def _with_last_completion(queryset: QuerySet[Course], user: User) -> QuerySet[Course]:
    """Courses with the person's latest completion of each (its day, cycle and lateness),
    in the same query: all that :func:`~bookwarden.training.cycles.standing` reads of it."""
    latest = Completion.objects.filter(course=OuterRef("pk"), user=user).order_by(
        "-completed_on", "-pk"
    )
    return queryset.annotate(
        last_completed_on=Subquery(latest.values("completed_on")[:1]),
        last_cycle_due_on=Subquery(latest.values("cycle_due_on")[:1]),
        last_late=Subquery(latest.values("late")[:1]),
    )


def _last_completion(course: Course, user: User) -> list[Completion]:
    done_on = getattr(course, "last_completed_on", None)
    if done_on is None:
        return []
    return [
        Completion(
            course=course,
            user=user,
            completed_on=done_on,
            cycle_due_on=course.last_cycle_due_on,  # type: ignore[attr-defined]
            late=bool(course.last_late),  # type: ignore[attr-defined]
        )
    ]


def standings_of(
    user: User, library: Library | None = None, today: datetime.date | None = None
) -> list[Standing]:
    """What ``user`` must complete (at ``library``, or at every library where they work),
    most urgent first: overdue, then by due date; done last.  One query (two when a course
    has a chosen audience): "My tasks" and the duty registry read it for every person."""
    memberships = [
        m for m in user.active_memberships() if library is None or m.library_id == library.pk
    ]
    if not memberships:
        return []
    courses_qs = Course.objects.for_user(user)
    if library is not None:
        courses_qs = courses_qs.filter(library=library)
    found = []
    for course in courses_with_branches(_with_last_completion(courses_qs, user)):
        mine = [m for m in memberships if m.library_id == course.library_id]
        s = standing(course, user.pk, mine, _last_completion(course, user), today)
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
    courses = courses_with_branches(Course.objects.filter(library=library))
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
    done = completions_by_person_and_course(Completion.objects.filter(library=library))
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
