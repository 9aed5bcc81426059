""" "My tasks" of training and awareness (CC-10), a few queries each:

- a person's courses overdue or due soon;
- a trainer's sessions of today and the coming days, to take attendance at.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone

from bookwarden.core import when as formats
from bookwarden.core.my_tasks import Task, task_provider

from .cycles import SOON_DAYS
from .models import Session
from .progress import standings_of

if TYPE_CHECKING:
    from bookwarden.core.models import User

#: A trainer is reminded of a session this many days ahead.
SESSION_NOTICE_DAYS = 7


@task_provider
def courses_to_complete(user: User) -> Iterable[Task]:
    """CC-10: a course of the person's audience, overdue or due within SOON_DAYS days."""
    today = timezone.localdate()
    horizon = today + datetime.timedelta(days=SOON_DAYS)
    for s in standings_of(user):
        if s.done or s.due_on > horizon:
            continue
        overdue = s.overdue(today)
        yield Task(
            f"Training: {s.course.title}",
            "Complete it now: it is overdue." if overdue else "Complete it before it is due.",
            reverse("training:course", args=[s.course.pk]),
            due=s.due_on,
            urgent=overdue,
            key=s.key,
            state=(
                f"Last completed on {formats.day(s.last_done_on)}."
                if s.last_done_on
                else "Not completed yet."
            ),
        )


@task_provider
def sessions_to_take_attendance(user: User) -> Iterable[Task]:
    """CC-10: the trainer's sessions, from today to a week ahead, until attendance is taken."""
    now = timezone.now()
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    sessions = (
        Session.objects.for_user(user)
        .filter(
            trainer=user,
            attendance_recorded_at__isnull=True,
            starts_at__gte=start - datetime.timedelta(days=SESSION_NOTICE_DAYS),
            starts_at__lt=start + datetime.timedelta(days=SESSION_NOTICE_DAYS + 1),
        )
        .select_related("course", "branch")
        .order_by("starts_at")
    )
    for session in sessions:
        started = session.starts_at <= now
        yield Task(
            f"Training session: {session.course.title} at {session.branch.name}",
            "Record who attended." if started else "Take attendance at the session.",
            reverse("training:session", args=[session.pk]),
            due=session.starts_at,
            urgent=started,
            key=f"training:session:{session.pk}",
            state=f"{formats.when(session.starts_at)}, {session.place}.",
        )
