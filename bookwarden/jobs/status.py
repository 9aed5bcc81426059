"""What each registered job is doing: its last finished run, a run in progress, the next
run due.  Read by the jobs page, ``bookwarden jobs list`` and the "My tasks" provider, in a
fixed number of queries however many runs are stored."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from .models import JobRun, JobStatus, LoopBeat
from .registry import Job, all_jobs

#: A run due longer ago than this, and not started: the loop is probably not running.
OVERDUE_AFTER = datetime.timedelta(minutes=15)


@dataclass(frozen=True)
class JobState:
    job: Job
    last: JobRun | None  # the last finished run
    running: JobRun | None
    next_run: JobRun | None  # the earliest queued run

    @property
    def next_due(self) -> datetime.datetime | None:
        return self.next_run.scheduled_for if self.next_run else None

    @property
    def overdue(self) -> bool:
        due = self.next_due
        return due is not None and due < timezone.now() - OVERDUE_AFTER

    @property
    def last_failed(self) -> bool:
        return self.last is not None and self.last.status in (
            JobStatus.FAILED,
            JobStatus.ABANDONED,
        )


def latest_finished(names: list[str]) -> QuerySet[JobRun]:
    """The last finished run of each job in ``names`` (one query)."""
    newest = (
        JobRun.objects.filter(name=OuterRef("name"), finished_at__isnull=False)
        .order_by("-finished_at", "-pk")
        .values("pk")[:1]
    )
    return JobRun.objects.filter(name__in=names, pk=Subquery(newest))


def job_statuses() -> list[JobState]:
    """Every registered job with its state (two queries)."""
    jobs = all_jobs()
    names = [job.name for job in jobs]
    last = {run.name: run for run in latest_finished(names).select_related("requested_by")}
    running: dict[str, JobRun] = {}
    queued: dict[str, JobRun] = {}
    live = JobRun.objects.filter(
        name__in=names, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
    ).order_by("scheduled_for", "pk")
    for run in live:
        target = running if run.status == JobStatus.RUNNING else queued
        target.setdefault(run.name, run)
    return [
        JobState(
            job=job,
            last=last.get(job.name),
            running=running.get(job.name),
            next_run=queued.get(job.name),
        )
        for job in jobs
    ]


#: What :func:`loop_state` says of the job loop.
LOOP_NEVER_RAN = "never_ran"
LOOP_STALLED = "stalled"


def loop_state(states: list[JobState]) -> str | None:
    """Whether the job loop (``bookwarden jobs run``) seems not to be running, read from
    the runs alone: no job has ever run (:data:`LOOP_NEVER_RAN`), or a run due more than
    :data:`OVERDUE_AFTER` ago has not started (:data:`LOOP_STALLED`); None when it runs."""
    if not states:
        return None
    if not any(state.last or state.running for state in states):
        return LOOP_NEVER_RAN
    if any(state.overdue for state in states):
        return LOOP_STALLED
    return None


#: A job loop silent for longer than this is down: the health check answers 503 and the
#: technology coordinator's "My tasks" says so.
LOOP_DOWN_AFTER = datetime.timedelta(minutes=10)


@dataclass(frozen=True)
class LoopHealth:
    """When a job loop last showed it was alive (``None``: never), read from
    :class:`~bookwarden.jobs.models.LoopBeat` (one query)."""

    last_seen: datetime.datetime | None
    now: datetime.datetime

    @property
    def silent_for(self) -> datetime.timedelta | None:
        return None if self.last_seen is None else self.now - self.last_seen

    @property
    def down(self) -> bool:
        silent = self.silent_for
        return silent is None or silent > LOOP_DOWN_AFTER


def loop_health(now: datetime.datetime | None = None) -> LoopHealth:
    seen = LoopBeat.objects.filter(pk=LoopBeat.THE_LOOP).values_list("seen_at", flat=True)
    return LoopHealth(last_seen=seen.first(), now=now or timezone.now())
