""" "My tasks": the job loop down, and failed jobs.

The technology coordinator (at any library) and the person who runs the server are told,
urgently, when the job loop has not run for ten minutes: without it no mail goes out and
retention does not run (CR-6a).  One query, and none for anyone else.

A job whose last run failed (or was abandoned) shows to the person who runs
the server (``view_jobs`` through the installation role), until a later run of it succeeds:
they fix the cause and run it again.  A library's people cannot (issue 9).  One query."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone

from bookwarden.core import when as formats
from bookwarden.core.my_tasks import Task, task_provider
from bookwarden.core.permissions import has_installation_perm
from bookwarden.core.roles import Perm, Role

from .models import JobStatus
from .registry import all_jobs
from .status import latest_finished, loop_health

if TYPE_CHECKING:
    from bookwarden.core.models import User


@task_provider
def failed_jobs(user: User) -> Iterable[Task]:
    if not has_installation_perm(user, Perm.VIEW_JOBS):
        return
    names = [job.name for job in all_jobs()]
    failed = latest_finished(names).filter(status__in=[JobStatus.FAILED, JobStatus.ABANDONED])
    for run in failed.order_by("name"):
        when = timezone.localtime(run.finished_at) if run.finished_at else None
        verb = "failed" if run.status == JobStatus.FAILED else "did not finish"
        yield Task(
            f"The job “{run.title}” {verb}",
            "Fix the cause, then run it now (it also runs again on schedule).",
            reverse("jobs:run_detail", args=[run.pk]),
            urgent=True,
            key=f"jobs:{run.name}",
            state=f"Its last run{f' ({formats.when(when)})' if when else ''} "
            + (f"ended with the error {run.error_type}." if run.error_type else f"{verb}."),
        )


@task_provider
def job_loop_down(user: User) -> Iterable[Task]:
    if not (
        user.library_ids(role=Role.TECH_COORDINATOR) or has_installation_perm(user, Perm.VIEW_JOBS)
    ):
        return
    loop = loop_health()
    if not loop.down:
        return
    if loop.last_seen is None:
        title = "The periodic jobs have never run"
        state = "They have not run since Bookwarden was installed."
    else:
        title = "The periodic jobs have stopped"
        state = f"They last ran {formats.when(timezone.localtime(loop.last_seen))}."
    yield Task(
        title,
        "Start the job loop on the server (the bookwarden-jobs service), or ask the person "
        "who runs the server to start it. Until it runs, no mail is sent and old records "
        "are not removed.",
        reverse("jobs:list"),
        urgent=True,
        key="jobs:loop",
        state=state,
    )
