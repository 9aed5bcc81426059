"""Every write to the job runs (DESIGN mechanism 1).

:func:`request_run` is a person's write ("run now", from a page or ``bookwarden jobs
enqueue``): it checks ``run_jobs`` (the installation role's) and records ``job.requested``
in the same transaction.

The rest is the loop's own bookkeeping (:mod:`bookwarden.jobs.loop`): scheduling the next
run, claiming a due run, the heartbeat, storing the result, abandoning a run whose worker
died.  These are not audit events (a run's row is its record); the jobs write their own
audit events, as retention writes ``retention.run``.  Each is one conditional statement or
one short transaction, so that two loops side by side never run or schedule a run twice.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import os
import re
import traceback
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core import when as formats
from bookwarden.core.permissions import require_installation
from bookwarden.core.roles import Perm

from .models import PERIODIC_KINDS, JobRun, JobStatus, LoopBeat, RunKind
from .registry import Job, all_jobs, get_job

logger = logging.getLogger(__name__)

#: Longest output and error kept; a job's output is a summary, not a log.
MAX_OUTPUT = 4_000
MAX_ERROR = 20_000
_URL_PASSWORD_RE = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+@", re.IGNORECASE)


# -- A person's request ---------------------------------------------------------------------


@transaction.atomic
def request_run(name: str, *, actor: Any) -> JobRun:
    """Queue a run of job ``name`` now ("run now").  ``actor=None`` is the command line.

    Every job works for the whole installation, so a person must hold ``run_jobs`` through
    the installation role; no library role grants it (issue 9: one library's director does
    not run the jobs of every library).  A run already asked for and still waiting is
    reused, but every request is on record (``job.requested``, no library).
    Raises :class:`~bookwarden.jobs.registry.UnknownJob` for a name nobody registered.
    """
    job = get_job(name)
    require_installation(actor, Perm.RUN_JOBS)
    now = timezone.now()
    run = (
        JobRun.objects.filter(name=job.name, kind=RunKind.REQUESTED, status=JobStatus.QUEUED)
        .order_by("pk")
        .first()
    )
    already_queued = run is not None
    if run is None:
        run = JobRun.objects.create(
            name=job.name,
            kind=RunKind.REQUESTED,
            scheduled_for=now,
            created_at=now,
            requested_by=actor,
        )
    record(
        AuditAction.JOB_REQUESTED,
        actor=actor,
        target=run,
        after={"job": job.name, "run": run.pk, "already_queued": already_queued},
    )
    return run


# -- Scheduling -----------------------------------------------------------------------------


def next_slot(
    last: datetime.datetime, every: datetime.timedelta, now: datetime.datetime
) -> datetime.datetime:
    """The slot after ``last``: ``every`` later.  If that is already past (the loop was
    down), the latest missed slot: one catch-up run, due now, not one per missed interval;
    the run after it is back on the original rhythm."""
    slot = last + every
    if slot <= now:
        missed = (now - last) // every  # >= 1
        slot = last + missed * every
    return slot


def slot_after(
    last: datetime.datetime, every: datetime.timedelta, moment: datetime.datetime
) -> datetime.datetime:
    """The first slot of the rhythm ``last + n * every`` that is later than ``moment``."""
    slot = last + every
    if slot <= moment:
        slot = last + ((moment - last) // every + 1) * every
    return slot


def _live_periodic(name: str) -> bool:
    return JobRun.objects.filter(
        name=name, kind__in=PERIODIC_KINDS, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
    ).exists()


def _insert(**fields: Any) -> JobRun | None:
    """Insert a run, or ``None`` if another loop got there first (the unique constraints)."""
    try:
        with transaction.atomic():
            return JobRun.objects.create(**fields)
    except IntegrityError:
        return None


def schedule_next(
    job: Job, *, now: datetime.datetime | None = None, finished: JobRun | None = None
) -> JobRun | None:
    """Make sure ``job`` has its next scheduled run queued; return it if this call queued it.

    Nothing is done while a scheduled run (or retry) is queued or running.  The slots keep
    the rhythm of the job's scheduled runs (a retry does not move it):

    * after a run (``finished``), the first slot later than when that run started; a run
      that was days late was itself the one catch-up;
    * otherwise (the loop's first start, or after a gap with nothing queued) the latest slot
      not later than now, so a job never run before, or long overdue, runs once now.
    """
    now = now or timezone.now()
    if _live_periodic(job.name):
        return None
    anchor = (
        JobRun.objects.filter(name=job.name, kind=RunKind.SCHEDULED)
        .order_by("-scheduled_for")
        .values_list("scheduled_for", flat=True)
        .first()
    )
    if anchor is None:
        slot = now
    elif finished is not None and finished.started_at is not None:
        slot = slot_after(anchor, job.every, max(finished.started_at, anchor))
    else:
        slot = next_slot(anchor, job.every, now)
    return _insert(name=job.name, kind=RunKind.SCHEDULED, scheduled_for=slot, created_at=now)


def schedule_all(*, now: datetime.datetime | None = None) -> list[JobRun]:
    """:func:`schedule_next` for every registered job; returns the runs queued."""
    now = now or timezone.now()
    return [run for job in all_jobs() if (run := schedule_next(job, now=now)) is not None]


# -- Claiming, heartbeat, result ------------------------------------------------------------


def claim(run: JobRun, *, worker: str, now: datetime.datetime | None = None) -> bool:
    """Take a queued run for ``worker``: one conditional UPDATE, so that of two loops only
    one wins.  Also refused while another run of the same job is running (the unique
    constraint on running rows)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            won = JobRun.objects.filter(pk=run.pk, status=JobStatus.QUEUED).update(
                status=JobStatus.RUNNING,
                started_at=now,
                heartbeat_at=now,
                claimed_by=worker,
            )
    except IntegrityError:  # another run of this job is running
        return False
    if won:
        run.status, run.started_at, run.heartbeat_at, run.claimed_by = (
            JobStatus.RUNNING,
            now,
            now,
            worker,
        )
    return bool(won)


def beat(run_id: int, *, worker: str, now: datetime.datetime | None = None) -> bool:
    """The worker is alive and still running ``run_id`` (and so is its loop)."""
    now = now or timezone.now()
    loop_beat(worker=worker, now=now)
    return bool(
        JobRun.objects.filter(pk=run_id, status=JobStatus.RUNNING, claimed_by=worker).update(
            heartbeat_at=now
        )
    )


def loop_beat(*, worker: str, now: datetime.datetime | None = None) -> None:
    """A loop is alive now: rewrite the one :class:`LoopBeat` row (created the first time;
    of two loops creating it at once, one inserts and the other updates)."""
    now = now or timezone.now()
    fields = {"seen_at": now, "worker": worker[:200]}
    if LoopBeat.objects.filter(pk=LoopBeat.THE_LOOP).update(**fields):
        return
    try:
        with transaction.atomic():
            LoopBeat.objects.create(pk=LoopBeat.THE_LOOP, **fields)
    except IntegrityError:
        LoopBeat.objects.filter(pk=LoopBeat.THE_LOOP).update(**fields)


def format_output(result: Any) -> str:
    if result is None:
        return ""
    text = (
        json.dumps(result, sort_keys=True, default=str)
        if isinstance(result, dict | list)
        else str(result)
    )
    return text if len(text) <= MAX_OUTPUT else text[: MAX_OUTPUT - 1] + "…"


def scrub(text: str) -> str:
    """Remove secrets an error message may carry: passwords in URLs, the secret key, the
    database password."""
    text = _URL_PASSWORD_RE.sub(r"\g<head>***@", text)
    secrets = [settings.SECRET_KEY]
    secrets += [db.get("PASSWORD", "") for db in settings.DATABASES.values()]
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def describe_error(exc: BaseException) -> str:
    """The exception's class and message on the first line, then the traceback (code only,
    no local values), with secrets scrubbed."""
    kind = type(exc)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    trace = "".join(traceback.format_exception(exc))
    text = scrub(f"{name}: {exc}\n\n{trace}")
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"


def finish(
    run: JobRun,
    *,
    worker: str,
    status: str,
    output: str = "",
    error: str = "",
    now: datetime.datetime | None = None,
) -> JobRun:
    """Store how ``run`` ended and, for a scheduled run, queue the next one (one
    transaction).  A failed run is followed by its next run all the same."""
    assert status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
    now = now or timezone.now()
    with transaction.atomic():
        JobRun.objects.filter(pk=run.pk, claimed_by=worker).update(
            status=status, finished_at=now, heartbeat_at=now, output=output, error=error
        )
        run.status, run.finished_at, run.output, run.error = status, now, output, error
        if run.kind in PERIODIC_KINDS:
            # LookupError: the job was removed from the code while it ran.
            with contextlib.suppress(LookupError):
                schedule_next(get_job(run.name), now=now, finished=run)
    return run


# -- Runs whose worker stopped --------------------------------------------------------------


def abandon(
    run: JobRun, *, reason: str, now: datetime.datetime | None = None, **match: Any
) -> JobRun | None:
    """Mark a running ``run`` abandoned and queue a new run of it at once (a retry for a
    scheduled run, a new request for a requested one).  ``match`` narrows the conditional
    update (e.g. the heartbeat seen), so that two loops abandon a run once.  Returns the new
    run, or ``None`` if the run was no longer running or its job is gone."""
    now = now or timezone.now()
    with transaction.atomic():
        done = JobRun.objects.filter(pk=run.pk, status=JobStatus.RUNNING, **match).update(
            status=JobStatus.ABANDONED, finished_at=now, error=scrub(reason)
        )
        if not done:
            return None
        run.status, run.finished_at, run.error = JobStatus.ABANDONED, now, reason
        try:
            get_job(run.name)
        except LookupError:
            return None
        if run.kind in PERIODIC_KINDS:
            return _insert(name=run.name, kind=RunKind.RETRY, scheduled_for=now, created_at=now)
        return _insert(
            name=run.name,
            kind=RunKind.REQUESTED,
            scheduled_for=now,
            created_at=now,
            requested_by_id=run.requested_by_id,
        )


def abandon_stale(
    *, stale_after: datetime.timedelta, now: datetime.datetime | None = None
) -> list[JobRun]:
    """Runs still ``running`` whose worker has not beaten for ``stale_after`` (the process
    was killed, the machine lost power): abandoned, each followed by a new run."""
    now = now or timezone.now()
    cutoff = now - stale_after
    stale = list(
        JobRun.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff).order_by("pk")
    )
    abandoned = []
    for run in stale:
        seen = run.heartbeat_at
        reason = (
            f"Abandoned: worker {run.claimed_by} stopped sending its heartbeat at "
            f"{formats.when(seen)} (more than {int(stale_after.total_seconds())} s "
            "ago); the process was probably killed. A new run was queued."
        )
        if abandon(run, reason=reason, now=now, heartbeat_at=seen) is not None or (
            run.status == JobStatus.ABANDONED
        ):
            abandoned.append(run)
    return abandoned


def _process_is_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another account's
        return False
    return False


def abandon_dead_here(*, worker: str, now: datetime.datetime | None = None) -> list[JobRun]:
    """At the start of a loop: runs still ``running`` for a process of this machine that is
    gone (killed, the machine restarted), or whose process number is this new loop's own
    (a container restarts with the same one), are abandoned at once and queued again,
    without waiting ``JOBS_STALE_AFTER`` for their heartbeat to go stale.  A process number
    taken since by another program keeps its run until the heartbeat goes stale, as runs of
    other machines do."""
    now = now or timezone.now()
    host, _, own_pid = worker.rpartition(":")
    abandoned = []
    for run in JobRun.objects.filter(status=JobStatus.RUNNING, claimed_by__startswith=f"{host}:"):
        pid = run.claimed_by.rpartition(":")[2]
        if not pid.isdigit() or not (pid == own_pid or _process_is_gone(int(pid))):
            continue
        reason = (
            f"Abandoned: its worker {run.claimed_by} stopped before the run finished (the "
            "process was killed or the machine restarted). A new run was queued."
        )
        if abandon(run, reason=reason, now=now, claimed_by=run.claimed_by) is not None or (
            run.status == JobStatus.ABANDONED
        ):
            abandoned.append(run)
    return abandoned


def prune(*, keep: datetime.timedelta, now: datetime.datetime | None = None) -> int:
    """Delete finished runs older than ``keep`` (the mail job alone makes 1,440 a day),
    except each job's latest finished run, which the pages and "My tasks" read.  Runs are
    the loop's bookkeeping, not evidence: what a job did is in its own records (a
    ``RetentionRun``, the outbox) and in the audit log."""
    from .status import latest_finished

    now = now or timezone.now()
    names = list(JobRun.objects.values_list("name", flat=True).distinct())
    old = JobRun.objects.filter(
        finished_at__lt=now - keep,
        status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.ABANDONED],
    ).exclude(pk__in=latest_finished(names).values("pk"))
    deleted, _ = old.delete()
    return deleted
