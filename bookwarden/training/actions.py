"""Every write of training and awareness (CC-10): courses and their quizzes, sessions and
attendance, quiz attempts and completions.  The import of completions from an outside
learning system is in :mod:`bookwarden.training.importer` and writes through
:func:`complete` too, so that a cycle is never completed twice, however it was done."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Branch, Library, Membership, User
from bookwarden.core.permissions import has_perm, require
from bookwarden.core.roles import Perm
from bookwarden.core.when import day

from .cycles import cycle_for, joined_on, standing
from .models import (
    NOT_STAFF_ROLES,
    Attendance,
    Choice,
    CompletedBy,
    Completion,
    Course,
    CourseAudience,
    CourseKind,
    Delivery,
    Question,
    QuizAttempt,
    Session,
)

#: The fields of a course that its editor sets (besides the chosen branches).
COURSE_FIELDS = (
    "title",
    "code",
    "kind",
    "delivery",
    "audience",
    "audience_roles",
    "recurrence_months",
    "days_to_complete",
    "starts_on",
    "material",
    "pass_mark",
    "active",
)

MIN_CHOICES, MAX_CHOICES = 2, 6


def memberships_at(user: User, library: Library | int) -> list[Membership]:
    """``user``'s roles in force at ``library`` (one query)."""
    library_id = library if isinstance(library, int) else library.pk
    return list(Membership.objects.active().filter(user=user, library_id=library_id))


# --- completions -------------------------------------------------------------------------


def complete(
    *,
    course: Course,
    user: User,
    on: datetime.date,
    how: str,
    actor: User | None,
    memberships: Sequence[Membership],
    completions: list[Completion],
    session: Session | None = None,
    attempt: QuizAttempt | None = None,
    import_sha256: str = "",
) -> Completion | None:
    """Record that ``user`` completed ``course`` on ``on``, unless it completes nothing new
    (the same day is recorded, or the cycle that day falls in is already done): then None.
    ``completions`` are the person's completions of the course; the new one is appended.
    The caller holds the permission and records its own audit event."""
    if any(c.completed_on == on for c in completions):
        return None
    cycle = cycle_for(course, on, memberships, completions)
    if cycle is None:
        return None
    due, late = cycle
    completion = Completion.objects.create(
        library_id=course.library_id,
        course=course,
        user=user,
        completed_on=on,
        cycle_due_on=due,
        late=late,
        how=how,
        session=session,
        attempt=attempt,
        import_sha256=import_sha256,
        recorded_by=actor,
    )
    completions.append(completion)
    return completion


def _lock_person(user: User) -> None:
    """Serialise writes about one person's training (two quiz tabs posted at once)."""
    User.objects.select_for_update().filter(pk=user.pk).first()


@transaction.atomic
def record_completion(
    *, actor: User | None, course: Course, user: User, completed_on: datetime.date
) -> Completion:
    """The coordinator records a completion by hand (a certificate brought in)."""
    require(actor, Perm.MANAGE_TRAINING, course.library)
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": "The day is in the future."})
    memberships = memberships_at(user, course.library_id)
    if joined_on(course, memberships) is None:
        raise ValidationError(f"{user} is not among the people this course is for.")
    _lock_person(user)
    completions = list(Completion.objects.filter(course=course, user=user))
    completion = complete(
        course=course,
        user=user,
        on=completed_on,
        how=CompletedBy.RECORDED,
        actor=actor,
        memberships=memberships,
        completions=completions,
    )
    if completion is None:
        raise ValidationError(
            f"{user} has already completed this course for that cycle; nothing new was recorded."
        )
    record(
        AuditAction.TRAINING_COMPLETION_RECORDED,
        actor=actor,
        target=completion,
        library=course.library,
        subject_user=user,
        after={
            "course": course.pk,
            "completed_on": completed_on.isoformat(),
            "late": completion.late,
        },
    )
    return completion


# --- courses -----------------------------------------------------------------------------


def _check_course(library: Library, values: dict[str, Any], branches: Iterable[Branch]) -> None:
    from .models import STAFF_ROLE_CHOICES

    errors: dict[str, str] = {}
    if values["kind"] not in CourseKind.values:
        errors["kind"] = "Choose what kind of course it is."
    if values["delivery"] not in Delivery.values:
        errors["delivery"] = "Choose how the course is taken."
    staff_roles = {value for value, _ in STAFF_ROLE_CHOICES}
    if any(role not in staff_roles for role in values["audience_roles"]):
        errors["audience_roles"] = "Only staff roles can be chosen."
    if any(b.library_id != library.pk for b in branches):
        errors["audience_branches"] = "Choose branches of this library."
    if (
        values["audience"] == CourseAudience.CHOSEN
        and not values["audience_roles"]
        and not branches
    ):
        errors["audience"] = "Choose at least one role or one branch, or make it for all staff."
    if errors:
        raise ValidationError(errors)


def _unique(library: Library, values: dict[str, Any], exclude: int | None = None) -> None:
    others = Course.objects.filter(library=library).exclude(pk=exclude)
    if others.filter(title__iexact=values["title"]).exists():
        raise ValidationError({"title": "This library already has a course with this title."})
    if values["code"] and others.filter(code__iexact=values["code"]).exists():
        raise ValidationError({"code": "Another course of this library has this short code."})


@transaction.atomic
def add_course(
    *,
    actor: User | None,
    library: Library,
    title: str,
    kind: str,
    delivery: str,
    audience: str = CourseAudience.ALL_STAFF,
    audience_roles: Sequence[str] = (),
    audience_branches: Iterable[Branch] = (),
    recurrence_months: int = 12,
    days_to_complete: int = 30,
    starts_on: datetime.date | None = None,
    material: str = "",
    pass_mark: int = 80,
    code: str = "",
    active: bool = True,
) -> Course:
    """CC-10: the technology coordinator defines a course of their library."""
    require(actor, Perm.MANAGE_TRAINING, library)
    branches = list(audience_branches)
    values: dict[str, Any] = {
        "title": title.strip(),
        "code": code.strip(),
        "kind": kind,
        "delivery": delivery,
        "audience": audience,
        "audience_roles": list(audience_roles) if audience == CourseAudience.CHOSEN else [],
        "recurrence_months": recurrence_months,
        "days_to_complete": days_to_complete,
        "starts_on": starts_on or timezone.localdate(),
        "material": material,
        "pass_mark": pass_mark,
        "active": active,
    }
    if audience != CourseAudience.CHOSEN:
        branches = []
    _check_course(library, values, branches)
    _unique(library, values)
    course = Course.objects.create(library=library, created_by=actor, **values)
    course.audience_branches.set(branches)
    record(
        AuditAction.TRAINING_COURSE_ADDED,
        actor=actor,
        target=course,
        library=library,
        after=_course_record(course, branches),
    )
    return course


def _course_record(course: Course, branches: Iterable[Branch]) -> dict[str, Any]:
    return {
        "kind": course.kind,
        "delivery": course.delivery,
        "audience": course.audience,
        "audience_roles": course.audience_roles,
        "audience_branches": sorted(b.pk for b in branches),
        "recurrence_months": course.recurrence_months,
        "days_to_complete": course.days_to_complete,
        "starts_on": course.starts_on.isoformat(),
        "active": course.active,
    }


@transaction.atomic
def change_course(
    *, actor: User | None, course: Course, audience_branches: Iterable[Branch] = (), **changes: Any
) -> Course:
    """CC-10: change a course.  Completions already recorded stand."""
    require(actor, Perm.MANAGE_TRAINING, course.library)
    unknown = set(changes) - set(COURSE_FIELDS)
    if unknown:
        raise ValueError(f"not course fields: {sorted(unknown)}")
    course = Course.objects.select_for_update().get(pk=course.pk)
    before = _course_record(course, course.audience_branches.all())
    values = {name: getattr(course, name) for name in COURSE_FIELDS}
    values.update(changes)
    values["title"] = values["title"].strip()
    values["code"] = values["code"].strip()
    branches = list(audience_branches) if values["audience"] == CourseAudience.CHOSEN else []
    if values["audience"] != CourseAudience.CHOSEN:
        values["audience_roles"] = []
    _check_course(course.library, values, branches)
    _unique(course.library, values, exclude=course.pk)
    for name, value in values.items():
        setattr(course, name, value)
    course.save()
    course.audience_branches.set(branches)
    record(
        AuditAction.TRAINING_COURSE_CHANGED,
        actor=actor,
        target=course,
        library=course.library,
        before=before,
        after=_course_record(course, branches),
    )
    return course


@transaction.atomic
def save_question(
    *,
    actor: User | None,
    course: Course,
    text: str,
    choices: Sequence[str],
    correct: int,
    question: Question | None = None,
) -> Question:
    """A quiz question with its choices; ``correct`` is the index of the right one.  Editing
    a question replaces its choices (earlier attempts keep their scores)."""
    require(actor, Perm.MANAGE_TRAINING, course.library)
    texts = [c.strip() for c in choices if c and c.strip()]
    if not text.strip():
        raise ValidationError({"text": "Write the question."})
    if not MIN_CHOICES <= len(texts) <= MAX_CHOICES:
        raise ValidationError(f"Give between {MIN_CHOICES} and {MAX_CHOICES} choices.")
    if not 0 <= correct < len(choices) or not (choices[correct] or "").strip():
        raise ValidationError({"correct": "Mark one of the written choices as the right one."})
    correct_text = choices[correct].strip()
    if question is None:
        question = Question.objects.create(
            course=course, text=text.strip(), position=course.questions.count() + 1
        )
    else:
        if question.course_id != course.pk:
            raise ValueError("question of another course")
        question.text = text.strip()
        question.save(update_fields=["text"])
        question.choices.all().delete()
    Choice.objects.bulk_create(
        Choice(question=question, text=t, correct=t == correct_text, position=i)
        for i, t in enumerate(texts, start=1)
    )
    record(
        AuditAction.TRAINING_QUESTION_SAVED,
        actor=actor,
        target=question,
        library=course.library,
        after={"course": course.pk, "choices": len(texts)},
    )
    return question


# --- sessions and attendance ---------------------------------------------------------------


def _works_at(user: User, library: Library | int) -> bool:
    return any(m.role not in NOT_STAFF_ROLES for m in memberships_at(user, library))


@transaction.atomic
def schedule_session(
    *,
    actor: User | None,
    course: Course,
    branch: Branch,
    starts_at: datetime.datetime,
    place: str,
    trainer: User,
    topics: str = "",
) -> Session:
    """CC-10: an in-person session of a course at a branch, with its trainer."""
    require(actor, Perm.MANAGE_TRAINING, course.library)
    if branch.library_id != course.library_id:
        raise ValidationError({"branch": "Choose a branch of this library."})
    if not _works_at(trainer, course.library_id):
        raise ValidationError({"trainer": "The trainer must be a member of staff of this library."})
    if not place.strip():
        raise ValidationError({"place": "Say where the session takes place."})
    session = Session.objects.create(
        library_id=course.library_id,
        course=course,
        branch=branch,
        starts_at=starts_at,
        place=place.strip(),
        trainer=trainer,
        topics=topics.strip(),
        created_by=actor,
    )
    record(
        AuditAction.TRAINING_SESSION_SCHEDULED,
        actor=actor,
        target=session,
        library=course.library,
        after={
            "course": course.pk,
            "branch": branch.pk,
            "trainer": trainer.pk,
            "starts_at": starts_at.isoformat(),
        },
    )
    return session


def may_take_attendance(user: Any, session: Session) -> bool:
    """The session's trainer, or whoever manages training at its library."""
    return (
        getattr(user, "pk", None) == session.trainer_id
        and has_perm(user, Perm.VIEW_LIBRARY, session.library_id)
    ) or has_perm(user, Perm.MANAGE_TRAINING, session.library_id)


@dataclass(frozen=True)
class AttendanceResult:
    added: int
    completed: int
    already_done: int
    not_in_audience: int


@transaction.atomic
def record_attendance(
    *, actor: User | None, session: Session, attendees: Iterable[User]
) -> AttendanceResult:
    """CC-10: the trainer records who attended; attending completes the course for the
    cycle (a person whose cycle is already done is recorded as present, nothing more).
    Attendance already recorded stays: the checklist only adds."""
    if actor is not None and not may_take_attendance(actor, session):
        raise PermissionDenied("Only the trainer or the training coordinator takes attendance.")
    session = Session.objects.select_for_update().select_related("course").get(pk=session.pk)
    held_on = timezone.localdate(session.starts_at)
    if held_on > timezone.localdate():
        raise ValidationError("The session has not taken place yet: take attendance on the day.")
    people = {u.pk: u for u in attendees}
    if not people:
        raise ValidationError("Tick at least one person who attended.")
    memberships: dict[int, list[Membership]] = {}
    for m in Membership.objects.active().filter(library_id=session.library_id, user__in=people):
        memberships.setdefault(m.user_id, []).append(m)
    strangers = [str(u) for pk, u in people.items() if pk not in memberships]
    if strangers:
        raise ValidationError(
            f"Not a member of staff of this library: {', '.join(sorted(strangers))}."
        )
    present = set(Attendance.objects.filter(session=session).values_list("user_id", flat=True))
    new = [u for pk, u in people.items() if pk not in present]
    Attendance.objects.bulk_create(
        Attendance(session=session, user=u, recorded_by=actor) for u in new
    )
    course = session.course
    completions: dict[int, list[Completion]] = {}
    for c in Completion.objects.filter(course=course, user__in=[u.pk for u in new]):
        completions.setdefault(c.user_id, []).append(c)
    completed = already = outside = 0
    for user in new:
        if joined_on(course, memberships[user.pk]) is None:
            outside += 1
            continue
        done = complete(
            course=course,
            user=user,
            on=held_on,
            how=CompletedBy.SESSION,
            actor=actor,
            memberships=memberships[user.pk],
            completions=completions.setdefault(user.pk, []),
            session=session,
        )
        completed += done is not None
        already += done is None
    session.attendance_recorded_at = timezone.now()
    session.save(update_fields=["attendance_recorded_at"])
    record(
        AuditAction.TRAINING_ATTENDANCE_RECORDED,
        actor=actor,
        target=session,
        library=session.library_id,
        after={
            "course": course.pk,
            "attended": sorted(u.pk for u in new),
            "completions": completed,
            "already_done": already,
            "not_in_audience": outside,
        },
    )
    return AttendanceResult(len(new), completed, already, outside)


# --- the quiz ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuizResult:
    attempt: QuizAttempt
    completion: Completion | None
    #: The day of the completion that already covers this cycle, when the pass added nothing.
    already_done_on: datetime.date | None = None

    @property
    def message(self) -> str:
        a = self.attempt
        score = f"{a.right} of {a.questions} right ({a.score}%)"
        if not a.passed:
            return (
                f"Not passed: {score}; {a.course.pass_mark}% is needed. Read the material "
                "again and try again: nothing is lost, you may take the quiz as often as you need."
            )
        if self.completion is None:
            return (
                f"Passed: {score}. You had already completed this course on "
                f"{day(self.already_done_on)} for this cycle, so nothing new was recorded."
            )
        if self.completion.late:
            return (
                f"Passed: {score}. Your completion is recorded, late: it was due on "
                f"{day(self.completion.cycle_due_on)}."
            )
        return f"Passed: {score}. Your completion is recorded."


@transaction.atomic
def take_quiz(*, actor: User, course: Course, answers: dict[int, int]) -> QuizResult:
    """CC-10: a person of the course's audience answers its quiz.  Every attempt is kept; a
    pass completes the cycle, late or not (it is still training done, and marked late); a
    pass in a cycle already completed records the attempt and nothing more."""
    require(actor, Perm.VIEW_LIBRARY, course.library)
    memberships = memberships_at(actor, course.library_id)
    if joined_on(course, memberships) is None:
        raise PermissionDenied("This course is not for this person.")
    if not course.active:
        raise ValidationError("This course is no longer offered.")
    questions = list(course.questions.prefetch_related("choices"))
    if not questions:
        raise ValidationError("This course has no quiz yet.")
    unanswered = [str(i) for i, q in enumerate(questions, start=1) if q.pk not in answers]
    if unanswered:
        raise ValidationError(
            f"Answer every question: question {', '.join(unanswered)} "
            f"{'has' if len(unanswered) == 1 else 'have'} no answer yet."
        )
    right = sum(
        1 for q in questions for c in q.choices.all() if c.correct and answers[q.pk] == c.pk
    )
    score = round(100 * right / len(questions))
    passed = score >= course.pass_mark
    _lock_person(actor)
    attempt = QuizAttempt.objects.create(
        library_id=course.library_id,
        course=course,
        user=actor,
        right=right,
        questions=len(questions),
        score=score,
        passed=passed,
    )
    completion = None
    already = None
    if passed:
        completions = list(Completion.objects.filter(course=course, user=actor))
        completion = complete(
            course=course,
            user=actor,
            on=timezone.localdate(),
            how=CompletedBy.QUIZ,
            actor=actor,
            memberships=memberships,
            completions=completions,
            attempt=attempt,
        )
        if completion is None:
            now = standing(course, actor.pk, memberships, completions)
            already = now.last_done_on if now else None
    record(
        AuditAction.TRAINING_QUIZ_PASSED if passed else AuditAction.TRAINING_QUIZ_FAILED,
        actor=actor,
        target=attempt,
        library=course.library,
        after={
            "course": course.pk,
            "score": score,
            "pass_mark": course.pass_mark,
            "completion": completion.pk if completion else None,
            "late": bool(completion and completion.late),
        },
    )
    return QuizResult(attempt, completion, already)


@transaction.atomic
def record_export(*, actor: User | None, library: Library, rows: int) -> None:
    """The completion report was downloaded (who took a list of staff out, and when)."""
    require(actor, Perm.VIEW_STAFF_PROGRAM, library)
    record(AuditAction.TRAINING_EXPORTED, actor=actor, library=library, after={"rows": rows})
