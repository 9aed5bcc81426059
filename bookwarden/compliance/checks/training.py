"""Checks of the training program (CC-10): every employee's yearly cybersecurity training
current, and the yearly awareness programs held.  Four queries for any number of libraries
and people (courses, their chosen branches, roles, completions), through the same
:func:`bookwarden.training.cycles.standing` the training pages use."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.urls import reverse
from django.utils import timezone

from bookwarden.core.models import Library, Membership
from bookwarden.training.cycles import Standing, standing
from bookwarden.training.models import NOT_STAFF_ROLES, Completion, Course, CourseKind
from bookwarden.training.progress import (
    WHOLE_LIBRARY,
    completions_by_person_and_course,
    courses_with_branches,
)

from . import CheckResult, Evidence, check, failing, listed, operating, percent, plural

AWARENESS_KINDS = frozenset(
    {
        CourseKind.PHISHING,
        CourseKind.SOCIAL_ENGINEERING,
        CourseKind.PATRON_DATA,
        CourseKind.AWARENESS,
    }
)


def _standings(
    libraries: Sequence[Library], today: datetime.date
) -> dict[int, dict[int, tuple[list[str], list[Standing]]]]:
    """Library id -> person id -> (their branches, their standings with each course)."""
    courses = courses_with_branches(Course.objects.filter(library__in=libraries))
    found: dict[int, dict[int, tuple[list[str], list[Standing]]]] = {
        lib.pk: {} for lib in libraries
    }
    if not courses:
        return found
    roles: dict[tuple[int, int], list[Membership]] = {}
    for m in (
        Membership.objects.active(today)
        .filter(library__in=libraries)
        .select_related("branch")
        .order_by("pk")
    ):
        roles.setdefault((m.library_id, m.user_id), []).append(m)
    done = completions_by_person_and_course(
        Completion.objects.filter(library__in=libraries).only(
            "user_id", "course_id", "completed_on", "cycle_due_on", "late"
        )
    )
    for (library_id, user_id), memberships in roles.items():
        if all(m.role in NOT_STAFF_ROLES for m in memberships):
            continue
        branches = sorted({m.branch.name for m in memberships if m.branch is not None})
        standings = [
            s
            for course in courses
            if course.library_id == library_id
            and (
                s := standing(
                    course, user_id, memberships, done.get((user_id, course.pk), []), today
                )
            )
            is not None
        ]
        if standings:
            found[library_id][user_id] = (branches or [WHOLE_LIBRARY], standings)
    return found


@check(
    "training-current",
    title="Staff whose yearly cybersecurity training is current",
    hint="Add the yearly cybersecurity course in Training: each person's completion is then "
    "recorded against it.",
)
def training_current(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """CC-10: the share of staff with no overdue course; a branch behind is named."""
    today = timezone.localdate(now)
    slugs = {lib.pk: lib.slug for lib in libraries}
    results: dict[int, CheckResult] = {}
    for library_id, people in _standings(libraries, today).items():
        if not people:
            continue
        behind = {uid for uid, (_, ss) in people.items() if any(s.overdue(today) for s in ss)}
        current = len(people) - len(behind)
        by_branch: dict[str, list[int]] = {}
        for uid, (branches, _) in people.items():
            for branch in branches:
                by_branch.setdefault(branch, []).append(uid)
        failures = []
        evidence = [
            Evidence(
                "Staff with current training",
                current,
                reverse("training:overview", args=[slugs[library_id]]),
            ),
            Evidence("Staff with a course overdue", len(behind)),
        ]
        for branch, uids in sorted(by_branch.items()):
            late = sum(uid in behind for uid in uids)
            evidence.append(Evidence(f"{branch}: {len(uids) - late} of {len(uids)} current"))
            if late:
                failures.append(
                    f"{branch}: {len(uids) - late} of {plural(len(uids), 'person', 'people')} "
                    f"({percent(len(uids) - late, len(uids))}) current, "
                    f"{late} with a course overdue."
                )
        summary = (
            f"{current} of {plural(len(people), 'staff member')} "
            f"({percent(current, len(people))}) are current."
        )
        share = current / len(people)
        results[library_id] = (
            failing(summary, failures, tuple(evidence), measure=share)
            if behind
            else operating(summary, tuple(evidence), measure=share)
        )
    return results


@check(
    "awareness-programs",
    title="Yearly security awareness programs held",
    hint="Add the awareness programs (phishing, social engineering) in Training, with "
    "the completions of the people who took them.",
)
def awareness_programs(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """CC-10: an awareness program (phishing, social engineering, ...) was completed by
    someone at the library within the last year."""
    since = timezone.localdate(now) - datetime.timedelta(days=365)
    courses: dict[int, list[Course]] = {lib.pk: [] for lib in libraries}
    for course in Course.objects.filter(
        library__in=libraries, kind__in=AWARENESS_KINDS, active=True
    ).order_by("title"):
        courses[course.library_id].append(course)
    held = dict.fromkeys(
        Completion.objects.filter(
            library__in=libraries, course__kind__in=AWARENESS_KINDS, completed_on__gte=since
        )
        .values_list("course_id", flat=True)
        .distinct()
    )
    slugs = {lib.pk: lib.slug for lib in libraries}
    results: dict[int, CheckResult] = {}
    for library_id, programs in courses.items():
        if not programs:
            continue
        taken = [c for c in programs if c.pk in held]
        evidence = (
            *(
                Evidence(
                    f"{c.title}: {'taken' if c.pk in held else 'not taken'} in the last year",
                    url=reverse("training:course", args=[c.pk]),
                )
                for c in programs
            ),
            Evidence("Training overview", url=reverse("training:manage", args=[slugs[library_id]])),
        )
        summary = (
            f"{len(taken)} of {plural(len(programs), 'awareness program')} taken in the last year."
        )
        results[library_id] = (
            operating(summary, evidence, measure=len(taken))
            if taken
            else failing(
                summary,
                [f"No one completed {listed([c.title for c in programs])} in the last year."],
                evidence,
                measure=0,
            )
        )
    return results
