"""CC-10: the quiz taken in Bookwarden: a pass completes the cycle, a fail says to try
again, a late pass is accepted and marked late, and nothing is recorded twice."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.models import AuditAction
from bookwarden.core.tests.helpers import audit_head, events_since

from .. import actions
from ..models import Completion, QuizAttempt
from .factories import answers


def test_a_pass_records_a_completion_and_its_event(people, make_course) -> None:
    course = make_course()
    head = audit_head()
    result = actions.take_quiz(actor=people["staff"], course=course, answers=answers(course, 2))
    assert result.attempt.passed and result.attempt.score == 100
    completion = Completion.objects.get(course=course, user=people["staff"])
    assert completion.how == "quiz" and completion.attempt == result.attempt
    assert "Your completion is recorded" in result.message
    [event] = events_since(head, AuditAction.TRAINING_QUIZ_PASSED)
    assert event.after["completion"] == completion.pk


def test_a_fail_records_the_attempt_and_says_try_again(people, make_course) -> None:
    course = make_course(pass_mark=100)
    head = audit_head()
    result = actions.take_quiz(actor=people["staff"], course=course, answers=answers(course, 1))
    assert not result.attempt.passed and result.completion is None
    assert "try again" in result.message
    assert not Completion.objects.filter(course=course).exists()
    assert QuizAttempt.objects.filter(course=course, passed=False).count() == 1
    assert events_since(head, AuditAction.TRAINING_QUIZ_FAILED)


def test_a_late_pass_is_accepted_and_marked_late(people, make_course, time_machine) -> None:
    course = make_course(days_to_complete=5)
    late_day = timezone.localdate() + datetime.timedelta(days=9)
    time_machine.move_to(
        timezone.make_aware(datetime.datetime.combine(late_day, datetime.time(12))), tick=False
    )
    result = actions.take_quiz(actor=people["staff"], course=course, answers=answers(course, 2))
    assert result.completion is not None and result.completion.late
    assert "late" in result.message and "was due on" in result.message


def test_passing_twice_in_a_cycle_records_one_completion(people, make_course) -> None:
    course = make_course()
    actions.take_quiz(actor=people["staff"], course=course, answers=answers(course, 2))
    again = actions.take_quiz(actor=people["staff"], course=course, answers=answers(course, 2))
    assert again.completion is None and again.attempt.passed
    assert "already completed" in again.message and "nothing new" in again.message
    assert Completion.objects.filter(course=course, user=people["staff"]).count() == 1
    assert QuizAttempt.objects.filter(course=course).count() == 2


def test_every_question_must_be_answered(people, make_course) -> None:
    course = make_course()
    partial = dict(list(answers(course, 2).items())[:1])
    with pytest.raises(ValidationError, match="question 2 has no answer"):
        actions.take_quiz(actor=people["staff"], course=course, answers=partial)
    assert not QuizAttempt.objects.filter(course=course).exists()


def test_the_auditor_is_not_in_the_audience(people, make_course, client_as) -> None:
    course = make_course()
    with pytest.raises(PermissionDenied):
        actions.take_quiz(actor=people["auditor"], course=course, answers=answers(course, 2))
    assert client_as("auditor").get(reverse("training:quiz", args=[course.pk])).status_code == 403


def test_the_quiz_page_passes_and_fails(people, make_course, client_as) -> None:
    course = make_course(pass_mark=100)
    client = client_as("staff")
    url = reverse("training:quiz", args=[course.pk])
    assert client.get(url).status_code == 200
    failed = client.post(url, {f"q{q}": c for q, c in answers(course, 1).items()}, follow=True)
    assert "Not passed: 1 of 2 right (50%)" in failed.content.decode()
    missing = client.post(url, {})
    assert missing.status_code == 400 and "Answer every question" in missing.content.decode()
    passed = client.post(url, {f"q{q}": c for q, c in answers(course, 2).items()}, follow=True)
    assert "Passed: 2 of 2 right" in passed.content.decode()
    assert Completion.objects.filter(course=course, user=people["staff"]).count() == 1
