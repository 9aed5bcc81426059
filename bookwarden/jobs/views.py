"""The jobs pages: every periodic job and its last run, one run's output and error, and
"Run now".

Jobs belong to the whole installation, so the check is "holds ``view_jobs`` (``run_jobs``
for Run now) at some library".  What a page shows must therefore name no library's data:
a job's output is a generic summary by contract (see :mod:`bookwarden.jobs.registry`), and
an error's message and traceback, which no job controls, are shown only to those who hold
``view_jobs`` at every library of the installation; the others see the error's class and
are pointed to ``bookwarden jobs list`` on the server.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from bookwarden.core.models import Library
from bookwarden.core.permissions import (
    StaffRequest,
    has_perm_anywhere,
    libraries_with_perm,
    perm_required,
)
from bookwarden.core.roles import Perm

from . import actions
from .models import JobRun
from .registry import UnknownJob, format_every
from .status import job_statuses

RECENT_RUNS = 25


def _sees_every_library(request: StaffRequest) -> bool:
    """Whether the person holds ``view_jobs`` at every library of the installation."""
    mine = set(libraries_with_perm(request.user, Perm.VIEW_JOBS))
    return bool(mine) and not Library.objects.exclude(pk__in=mine).exists()


@login_required
@perm_required(Perm.VIEW_JOBS)
@require_GET
def job_list(request: StaffRequest) -> HttpResponse:
    rows = [{"state": state, "every": format_every(state.job.every)} for state in job_statuses()]
    recent = JobRun.objects.select_related("requested_by").order_by("-pk")[:RECENT_RUNS]
    return render(
        request,
        "jobs/list.html",
        {
            "rows": rows,
            "recent": recent,
            "can_run": has_perm_anywhere(request.user, Perm.RUN_JOBS),
        },
    )


@login_required
@require_POST
@perm_required(Perm.RUN_JOBS)
def run_now(request: StaffRequest) -> HttpResponse:
    """Queue a run now; the job loop picks it up within its interval."""
    name = request.POST.get("job", "")
    try:
        run = actions.request_run(name, actor=request.user)
    except UnknownJob as exc:
        raise Http404("No such job.") from exc
    messages.success(
        request,
        f"“{run.name}” is queued (run #{run.pk}). The job loop starts it within a minute or "
        "so; this page shows the result.",
    )
    return redirect("jobs:list")


@login_required
@perm_required(Perm.VIEW_JOBS)
@require_GET
def run_detail(request: StaffRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(JobRun.objects.select_related("requested_by"), pk=pk)
    return render(
        request,
        "jobs/run_detail.html",
        {"run": run, "full_error": bool(run.error) and _sees_every_library(request)},
    )
