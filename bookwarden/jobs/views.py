"""The jobs pages: every periodic job and its last run, one run, and "Run now".

Every job works for the whole installation (retention over every library, the mail of every
library, ...), so the pages have two audiences (issue 9):

* the installation role (the person who runs the server: ``view_jobs`` and ``run_jobs``
  for the installation) sees every run in full (its output, its error with the traceback,
  who asked for it, the worker) and has "Run now";
* a library's people who hold ``view_jobs`` there (the technology coordinator, IT staff,
  the director) see each job's status: when it last ran, whether it worked, when it runs
  next.  A run's output and error cover every library, and who asked for a run may be
  another library's person, so none of them is shown; the error's class is.  No job runs
  for one library alone, so no library role runs any ("Run now" is 403 for them).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from bookwarden.core.forms import submit
from bookwarden.core.permissions import StaffRequest, has_installation_perm, perm_required
from bookwarden.core.roles import Perm

from . import actions
from .models import JobRun
from .registry import all_jobs, format_every
from .status import job_statuses, loop_state

RECENT_RUNS = 25


def _sees_the_installation(request: StaffRequest) -> bool:
    """Whether the person sees the runs in full: ``view_jobs`` through the installation
    role (at a library it shows the jobs' status only)."""
    return has_installation_perm(request.user, Perm.VIEW_JOBS)


@login_required
@perm_required(Perm.VIEW_JOBS)
@require_GET
def job_list(request: StaffRequest) -> HttpResponse:
    installation = _sees_the_installation(request)
    states = job_statuses()
    rows = [{"state": state, "every": format_every(state.job.every)} for state in states]
    recent = JobRun.objects.order_by("-pk")
    if installation:
        recent = recent.select_related("requested_by")
    return render(
        request,
        "jobs/list.html",
        {
            "rows": rows,
            "loop": loop_state(states),
            "recent": recent[:RECENT_RUNS],
            "installation": installation,
            "can_run": has_installation_perm(request.user, Perm.RUN_JOBS),
        },
    )


@login_required
@require_POST
@perm_required(Perm.RUN_JOBS)
def run_now(request: StaffRequest) -> HttpResponse:
    """Queue a run now (the installation role); the job loop picks it up within its
    interval."""
    name = request.POST.get("job", "")
    if name not in {job.name for job in all_jobs()}:
        raise Http404("No such job.")
    submit(
        request,
        None,
        lambda _: actions.request_run(name, actor=request.user),
        success=lambda run: (
            f"“{run.name}” is queued (run #{run.pk}). The job loop starts it within a minute "
            "or so; this page shows the result."
        ),
    )
    return redirect("jobs:list")


@login_required
@perm_required(Perm.VIEW_JOBS)
@require_GET
def run_detail(request: StaffRequest, pk: int) -> HttpResponse:
    installation = _sees_the_installation(request)
    runs = JobRun.objects.select_related("requested_by") if installation else JobRun.objects
    run = get_object_or_404(runs, pk=pk)
    return render(request, "jobs/run_detail.html", {"run": run, "installation": installation})
