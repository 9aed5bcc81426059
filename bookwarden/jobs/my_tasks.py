""" "My tasks": a job whose last run failed (or was abandoned) shows to the person who runs
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
from bookwarden.core.roles import Perm

from .models import JobStatus
from .registry import all_jobs
from .status import latest_finished

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
            f"The job “{run.name}” {verb}",
            f"Its last run (#{run.pk}{f', {formats.when(when)}' if when else ''}) "
            f"{verb}: {run.error_type or 'see the run'}. It runs again on schedule; "
            "run it now once the cause is fixed.",
            reverse("jobs:run_detail", args=[run.pk]),
            due=when.date() if when else None,
            urgent=True,
        )
