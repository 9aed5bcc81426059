"""What each person owes the training program (CC-10), for the duty registry
(:mod:`bookwarden.core.obligations`): one duty per course of their audience, its key naming
the cycle by its due date (``training:course:<id>:<due date>``), done once that cycle is
completed.  One query per person and library (two when a course has a chosen audience);
for many people of one library, four in all."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone

from bookwarden.core.models import Membership
from bookwarden.core.obligations import Duty, duty_batch, duty_provider

from .cycles import Standing, standing
from .models import Completion, Course
from .progress import completions_by_person_and_course, courses_with_branches, standings_of

if TYPE_CHECKING:
    from bookwarden.core.models import Library, User


def _duty(s: Standing, library: Library) -> Duty:
    return Duty(
        key=s.key,
        kind="training",
        title=f"Complete the course {s.course.title}",
        library_id=library.pk,
        assigned_on=s.assigned_on,
        due_on=s.due_on,
        done_on=s.done_on,
        url=reverse("training:course", args=[s.course.pk]),
    )


@duty_provider
def training_duties(user: User, library: Library) -> Iterable[Duty]:
    return [_duty(s, library) for s in standings_of(user, library)]


@duty_batch(training_duties)
def training_duties_of_many(users: Sequence[User], library: Library) -> Mapping[int, list[Duty]]:
    """The same for many people of ``library``: the courses, the roles in force and the
    completions, read once for all of them."""
    courses = courses_with_branches(Course.objects.filter(library=library))
    if not courses:
        return {}
    ids = [user.pk for user in users]
    roles: dict[int, list[Membership]] = {}
    for m in Membership.objects.active().filter(library=library, user_id__in=ids):
        roles.setdefault(m.user_id, []).append(m)
    done = completions_by_person_and_course(
        Completion.objects.filter(library=library, user_id__in=ids)
    )
    today = timezone.localdate()
    found: dict[int, list[Duty]] = {}
    for user_id, memberships in roles.items():
        for course in courses:
            s = standing(course, user_id, memberships, done.get((user_id, course.pk), []), today)
            if s is not None:
                found.setdefault(user_id, []).append(_duty(s, library))
    return found
