"""Pages of training and awareness (CC-10): what I must complete, a course with its
material and quiz, sessions and their attendance, the coordinator's and human resources'
completion overview with its CSV export, course management and the import of
completions.  Every write goes through :mod:`bookwarden.training.actions` (or the importer);
every query is scoped with ``.for_user()``."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from markdown_it import MarkdownIt

from bookwarden.core.files import csv_writer
from bookwarden.core.forms import submit
from bookwarden.core.models import Branch, Library, Membership, User
from bookwarden.core.permissions import StaffRequest, has_perm, library_for, perm_required
from bookwarden.core.roles import Perm
from bookwarden.core.when import iso_utc, show_times_for
from bookwarden.patrons.importer.small_files import MAX_LISTED_ERRORS, import_from_page

from . import actions
from .cycles import standing
from .forms import (
    AttendanceForm,
    CompletionForm,
    CourseForm,
    ImportForm,
    QuestionForm,
    QuizForm,
    SessionForm,
)
from .importer import import_completions
from .models import NOT_STAFF_ROLES, Attendance, Completion, Course, Delivery, Question, Session
from .progress import library_progress, standings_of

_markdown = MarkdownIt("commonmark", {"html": False})


def render_material(text: str) -> SafeString:
    """A course's material as HTML: CommonMark with raw HTML turned off (escaped)."""
    return mark_safe(_markdown.render(text))  # noqa: S308 - html is off: nothing raw passes


def _course_or_404(request: StaffRequest, course_id: int, perm: str = Perm.VIEW_LIBRARY) -> Course:
    """A course of one of the person's libraries (another library's: 404), 403 without
    ``perm`` there."""
    course = get_object_or_404(
        Course.objects.for_user(request.user).select_related("library"), pk=course_id
    )
    if not has_perm(request.user, perm, course.library_id):
        raise PermissionDenied
    show_times_for(course.library)
    return course


def _staff_of(library: Library) -> Any:
    """The library's staff in force (board members and auditors are not staff)."""
    return User.objects.filter(
        pk__in=Membership.objects.active()
        .filter(library=library)
        .exclude(role__in=NOT_STAFF_ROLES)
        .values("user_id")
    ).order_by("last_name", "first_name", "username")


# --- what I must complete ----------------------------------------------------------------


@login_required
@perm_required(Perm.VIEW_LIBRARY)
@require_GET
def mine(request: StaffRequest) -> HttpResponse:
    """CC-10: each person sees what they must complete and by when, most urgent first."""
    user = request.user
    standings = standings_of(user)
    branch_ids = {m.branch_id for m in user.active_memberships() if m.branch_id}
    upcoming = (
        Session.objects.for_user(user)
        .filter(starts_at__gte=timezone.now() - datetime.timedelta(hours=12))
        .select_related("course", "branch", "trainer")
        .order_by("starts_at")[:20]
    )
    course_ids = {s.course.pk for s in standings if not s.done}
    sessions = [
        s
        for s in upcoming
        if s.trainer_id == user.pk
        or (s.course_id in course_ids and (not branch_ids or s.branch_id in branch_ids))
    ]
    libraries = Library.objects.for_user(user)
    return render(
        request,
        "training/mine.html",
        {
            "open": [s for s in standings if not s.done],
            "done": [s for s in standings if s.done],
            "sessions": sessions,
            "overview_libraries": [
                lib for lib in libraries if has_perm(user, Perm.VIEW_STAFF_PROGRAM, lib)
            ],
            "manage_libraries": [
                lib for lib in libraries if has_perm(user, Perm.MANAGE_TRAINING, lib)
            ],
        },
    )


@login_required
@perm_required(Perm.VIEW_LIBRARY)
@require_GET
def course_detail(request: StaffRequest, course_id: int) -> HttpResponse:
    """A course: its material, where the person stands, its sessions and quiz; for the
    coordinator, its questions and sessions to manage."""
    course = _course_or_404(request, course_id)
    user = request.user
    memberships = [m for m in user.active_memberships() if m.library_id == course.library_id]
    mine = standing(
        course, user.pk, memberships, list(Completion.objects.filter(course=course, user=user))
    )
    can_manage = has_perm(user, Perm.MANAGE_TRAINING, course.library_id)
    questions = list(course.questions.prefetch_related("choices")) if can_manage else []
    return render(
        request,
        "training/course.html",
        {
            "course": course,
            "material": render_material(course.material),
            "mine": mine,
            "has_quiz": course.questions.exists(),
            "sessions": course.sessions.select_related("branch", "trainer").order_by("-starts_at")[
                :30
            ],
            "can_manage": can_manage,
            "questions": questions,
            "completion_form": CompletionForm(people=_staff_of(course.library))
            if can_manage
            else None,
        },
    )


@login_required
@perm_required(Perm.VIEW_LIBRARY)
@require_http_methods(["GET", "POST"])
def quiz(request: StaffRequest, course_id: int) -> HttpResponse:
    """CC-10: the person takes the course's quiz; a pass completes the cycle (late is still
    accepted, and said so), a fail says to try again; nothing is recorded twice."""
    course = _course_or_404(request, course_id)
    user = request.user
    memberships = [m for m in user.active_memberships() if m.library_id == course.library_id]
    mine = standing(
        course, user.pk, memberships, list(Completion.objects.filter(course=course, user=user))
    )
    if mine is None:
        raise PermissionDenied
    questions = list(course.questions.prefetch_related("choices"))
    form = QuizForm(request.POST or None, questions=questions)
    if request.method == "POST":
        done = submit(
            request,
            form,
            lambda data: actions.take_quiz(actor=user, course=course, answers=form.answers()),
        )
        if done:
            level = messages.success if done.result.attempt.passed else messages.warning
            level(request, done.result.message)
            return redirect("training:course", course_id=course.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "training/quiz.html",
        {"course": course, "form": form, "mine": mine, "questions": questions},
        status=status,
    )


# --- sessions ----------------------------------------------------------------------------


@login_required
@perm_required(Perm.VIEW_LIBRARY)
@require_GET
def session_detail(request: StaffRequest, session_id: int) -> HttpResponse:
    """A session; for its trainer (or the coordinator), the attendance checklist."""
    session = get_object_or_404(
        Session.objects.for_user(request.user).select_related(
            "course", "branch", "trainer", "library"
        ),
        pk=session_id,
    )
    show_times_for(session.library)
    present = set(Attendance.objects.filter(session=session).values_list("user_id", flat=True))
    form = None
    if actions.may_take_attendance(request.user, session):
        form = _attendance_form(session, present)
    return render(
        request,
        "training/session.html",
        {
            "session": session,
            "form": form,
            "present": _staff_of(session.library).filter(pk__in=present),
            "held": timezone.localdate(session.starts_at) <= timezone.localdate(),
        },
    )


def _attendance_form(session: Session, present: set[int], data: Any = None) -> AttendanceForm:
    staff = [u for u in _staff_of(session.library) if u.pk not in present]
    at_branch = set(
        Membership.objects.active()
        .filter(library_id=session.library_id, branch_id=session.branch_id)
        .values_list("user_id", flat=True)
    )
    return AttendanceForm(
        data,
        branch_people=[u for u in staff if u.pk in at_branch],
        others=[u for u in staff if u.pk not in at_branch],
    )


@login_required
@require_POST
def attendance(request: StaffRequest, session_id: int) -> HttpResponse:
    """CC-10: the trainer ticks who attended; attending completes the course's cycle."""
    session = get_object_or_404(
        Session.objects.for_user(request.user).select_related("library"), pk=session_id
    )
    if not actions.may_take_attendance(request.user, session):
        raise PermissionDenied
    present = set(Attendance.objects.filter(session=session).values_list("user_id", flat=True))
    form = _attendance_form(session, present, request.POST)
    submit(
        request,
        form,
        lambda data: actions.record_attendance(
            actor=request.user, session=session, attendees=form.people()
        ),
        success=lambda r: (
            f"Attendance recorded: {r.added} present, {r.completed} completed the course"
            + (f", {r.already_done} had already completed it" if r.already_done else "")
            + "."
        ),
        flash=True,
    )
    return redirect("training:session", session_id=session.pk)


@login_required
@perm_required(Perm.MANAGE_TRAINING)
@require_http_methods(["GET", "POST"])
def session_new(request: StaffRequest, course_id: int) -> HttpResponse:
    course = _course_or_404(request, course_id, Perm.MANAGE_TRAINING)
    form = SessionForm(
        request.POST or None,
        branches=Branch.objects.filter(library=course.library),
        trainers=_staff_of(course.library),
    )
    if request.method == "POST" and (
        done := submit(
            request,
            form,
            lambda data: actions.schedule_session(actor=request.user, course=course, **data),
            success="Session scheduled.",
        )
    ):
        return redirect("training:session", session_id=done.result.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "training/session_form.html", {"course": course, "form": form}, status=status
    )


# --- managing courses ---------------------------------------------------------------------


@login_required
@perm_required(Perm.MANAGE_TRAINING)
@require_GET
def manage(request: StaffRequest, slug: str) -> HttpResponse:
    """The coordinator's list: the library's courses and their coming sessions."""
    library = library_for(request, slug, Perm.MANAGE_TRAINING)
    courses = Course.objects.filter(library=library).order_by("-active", "title")
    sessions = (
        Session.objects.filter(library=library)
        .filter(starts_at__gte=timezone.now() - datetime.timedelta(days=30))
        .select_related("course", "branch", "trainer")
        .order_by("starts_at")[:50]
    )
    return render(
        request,
        "training/manage.html",
        {"library": library, "courses": courses, "sessions": sessions},
    )


@login_required
@perm_required(Perm.MANAGE_TRAINING)
@require_http_methods(["GET", "POST"])
def course_new(request: StaffRequest, slug: str) -> HttpResponse:
    library = library_for(request, slug, Perm.MANAGE_TRAINING)
    form = CourseForm(
        request.POST or None,
        branches=library.branches.all(),
        initial={"starts_on": timezone.localdate(), "delivery": Delivery.ONLINE_HERE},
    )
    if request.method == "POST" and (
        done := submit(
            request,
            form,
            lambda data: actions.add_course(actor=request.user, library=library, **data),
            success="Course added.",
        )
    ):
        return redirect("training:course", course_id=done.result.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "training/course_form.html",
        {"library": library, "form": form, "course": None},
        status=status,
    )


@login_required
@perm_required(Perm.MANAGE_TRAINING)
@require_http_methods(["GET", "POST"])
def course_edit(request: StaffRequest, course_id: int) -> HttpResponse:
    course = _course_or_404(request, course_id, Perm.MANAGE_TRAINING)
    form = CourseForm(
        request.POST or None,
        branches=course.library.branches.all(),
        initial=CourseForm.initial_for(course),
    )
    if request.method == "POST" and submit(
        request,
        form,
        lambda data: actions.change_course(actor=request.user, course=course, **data),
        success="Course saved.",
    ):
        return redirect("training:course", course_id=course.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "training/course_form.html",
        {"library": course.library, "form": form, "course": course},
        status=status,
    )


@login_required
@perm_required(Perm.MANAGE_TRAINING)
@require_http_methods(["GET", "POST"])
def question_edit(
    request: StaffRequest, course_id: int, question_id: int | None = None
) -> HttpResponse:
    """Add a quiz question with its choices, or change one."""
    course = _course_or_404(request, course_id, Perm.MANAGE_TRAINING)
    question = (
        get_object_or_404(Question.objects.filter(course=course), pk=question_id)
        if question_id
        else None
    )
    form = QuestionForm(
        request.POST or None, initial=QuestionForm.initial_for(question) if question else None
    )
    if request.method == "POST" and submit(
        request,
        form,
        lambda data: actions.save_question(
            actor=request.user,
            course=course,
            question=question,
            text=data["text"],
            choices=form.choices,
            correct=data["correct"],
        ),
        success="Question saved.",
    ):
        return redirect("training:course", course_id=course.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "training/question_form.html",
        {"course": course, "form": form, "question": question},
        status=status,
    )


@login_required
@require_POST
def completion_record(request: StaffRequest, course_id: int) -> HttpResponse:
    """The coordinator records a completion by hand (a certificate brought in)."""
    course = _course_or_404(request, course_id, Perm.MANAGE_TRAINING)
    submit(
        request,
        CompletionForm(request.POST, people=_staff_of(course.library)),
        lambda data: actions.record_completion(
            actor=request.user,
            course=course,
            user=data["person"],
            completed_on=data["completed_on"],
        ),
        success=lambda c: f"Completion recorded for {c.user}.",
        flash=True,
    )
    return redirect("training:course", course_id=course.pk)


@login_required
@perm_required(Perm.MANAGE_TRAINING)
@require_http_methods(["GET", "POST"])
def import_page(request: StaffRequest, slug: str) -> HttpResponse:
    """CC-10: completions from an outside learning system, all or nothing, every bad row
    named by line, column and reason."""
    library = library_for(request, slug, Perm.MANAGE_TRAINING)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[Any] = []
    if request.method == "POST":
        done, errors = import_from_page(
            request, form, import_completions, library=library, success="Completions imported."
        )
        if done:
            return redirect("training:manage", slug=library.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "training/import.html",
        {
            "library": library,
            "form": form,
            "errors": errors[:MAX_LISTED_ERRORS],
            "more": max(0, len(errors) - MAX_LISTED_ERRORS),
        },
        status=status,
    )


# --- the overview for the coordinator and human resources -------------------------------


@login_required
@perm_required(Perm.VIEW_STAFF_PROGRAM)
@require_GET
def overview(request: StaffRequest, slug: str) -> HttpResponse:
    """CC-10: completion per course, per branch and per person, and who is overdue."""
    library = library_for(request, slug, Perm.VIEW_STAFF_PROGRAM)
    progress = library_progress(library)
    return render(
        request,
        "training/overview.html",
        {
            "library": library,
            "progress": progress,
            "can_manage": has_perm(request.user, Perm.MANAGE_TRAINING, library),
        },
    )


CSV_COLUMNS = [
    "person",
    "username",
    "branches",
    "course",
    "status",
    "due_on",
    "completed_on",
    "late",
    "next_due_on",
]


@login_required
@perm_required(Perm.VIEW_STAFF_PROGRAM)
@require_GET
def export(request: StaffRequest, slug: str) -> HttpResponse:
    """CC-10: the overview as CSV, one row per person and course; the export is recorded."""
    library = library_for(request, slug, Perm.VIEW_STAFF_PROGRAM)
    progress = library_progress(library)
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(CSV_COLUMNS)
    rows = 0
    for person in progress.people:
        for s in person.standings:
            writer.writerow(
                [
                    str(person.user),
                    person.user.username,
                    "; ".join(person.branches),
                    s.course.title,
                    s.status,
                    iso_utc(s.due_on),
                    iso_utc(s.done_on),
                    "yes" if s.late else "no",
                    iso_utc(s.next_due_on),
                ]
            )
            rows += 1
    actions.record_export(actor=request.user, library=library, rows=rows)
    stamp = iso_utc(timezone.localdate())
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="training-{library.slug}-{stamp}.csv"'
    return response
