"""Objects of New Madrid for the training tests and the authorization matrix
(bookwarden/core/tests): a course with a quiz question and a session held yesterday, made
through the actions."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from bookwarden.core.models import Branch, Library, User

from .. import actions
from ..models import Course, CourseKind, Delivery, Session

MATRIX_COURSE = "Matrix course"


def _people() -> dict[str, User]:
    from bookwarden.core.demo import PERSONAS

    users = {
        u.username: u for u in User.objects.filter(username__in=[p.username for p in PERSONAS])
    }
    return {p.key: users[p.username] for p in PERSONAS}


def quiz_course(
    library: Library, actor: User | None = None, *, title: str = MATRIX_COURSE, **kwargs: Any
) -> Course:
    """An online course of ``library`` for all staff, with two questions (the first choice
    of each is right)."""
    existing = Course.objects.filter(library=library, title=title).first()
    if existing is not None:
        return existing
    values: dict[str, Any] = {
        "kind": CourseKind.PHISHING,
        "delivery": Delivery.ONLINE_HERE,
        "pass_mark": 50,
    }
    values.update(kwargs)
    course = actions.add_course(actor=actor, library=library, title=title, **values)
    for text in ("Is this a question?", "Is this another question?"):
        actions.save_question(
            actor=actor, course=course, text=text, choices=["Yes", "No", "Maybe"], correct=0
        )
    return course


def held_session(
    course: Course, *, branch_slug: str = "portageville", days_ago: int = 1
) -> Session:
    """A session of ``course`` held ``days_ago`` days ago, its trainer the technology
    coordinator."""
    existing = Session.objects.filter(course=course).order_by("pk").first()
    if existing is not None:
        return existing
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return actions.schedule_session(
        actor=None,
        course=course,
        branch=Branch.objects.get(library=course.library, slug=branch_slug),
        starts_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))),
        place="Meeting room",
        trainer=_people()["tech_coordinator"],
        topics="Phishing",
    )


def answers(course: Course, right: int) -> dict[int, int]:
    """Answers to ``course``'s quiz, the first ``right`` of them right."""
    out = {}
    for i, question in enumerate(course.questions.prefetch_related("choices")):
        choices = list(question.choices.all())
        pick = next(c for c in choices if c.correct is (i < right))
        out[question.pk] = pick.pk
    return out


def matrix_ids(people: dict[str, User], library: Library) -> dict[str, Any]:
    """URL arguments of every training page, by URL key (for ``new_madrid_ids``)."""
    course = quiz_course(library)
    question = course.questions.order_by("pk").first()
    assert question is not None
    session = held_session(course)
    by_course = {"course_id": course.pk}
    ids: dict[str, Any] = {
        key: by_course
        for key in (
            "training:course",
            "training:quiz",
            "training:course_edit",
            "training:question_new",
            "training:session_new",
            "training:completion_record",
        )
    }
    ids["training:question_edit"] = {"course_id": course.pk, "question_id": question.pk}
    ids["training:session"] = {"session_id": session.pk}
    ids["training:attendance"] = {"session_id": session.pk}
    return ids
