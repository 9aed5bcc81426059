"""The one loop that runs the periodic jobs (``bookwarden jobs run``).

Each tick:

0. (at the start of the loop only) runs left ``running`` by a process of this machine that
   is gone are abandoned at once and queued again (:meth:`Worker.recover`); every tick
   also rewrites the loop's own heartbeat (:class:`~bookwarden.jobs.models.LoopBeat`),
   which the health check and "My tasks" read;
1. runs left ``running`` by a worker that stopped beating for ``JOBS_STALE_AFTER`` seconds
   (default 600) are marked abandoned, and a new run of each is queued at once;
2. every registered job gets its next scheduled run, if it has none queued;
3. the runs due now (as of the start of the tick) are claimed one by one with a conditional
   UPDATE and run; what a run returns is stored as its output, what it raises as its error.
   A failed job does not stop the loop, nor the jobs after it.

While a job runs, a thread refreshes the run's heartbeat every ``JOBS_HEARTBEAT_EVERY``
seconds (default 30).  SIGTERM or Ctrl-C stops the loop: between jobs at once; during a job
the job is interrupted, the run marked abandoned and a new run queued for the next start
(jobs are safe to interrupt and to run again).
"""

from __future__ import annotations

import datetime
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from bookwarden.audit.context import audit_context, new_request_id

from . import actions
from .models import JobRun, JobStatus
from .registry import get_job

logger = logging.getLogger(__name__)


class JobInterrupted(BaseException):
    """Raised in the running job when the loop is told to stop (SIGTERM, Ctrl-C)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


def worker_id() -> str:
    """This process: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=float(getattr(settings, "JOBS_STALE_AFTER", 600)))


def heartbeat_every() -> float:
    return float(getattr(settings, "JOBS_HEARTBEAT_EVERY", 30))


def keep_runs() -> datetime.timedelta:
    """How long finished runs are kept (``JOBS_KEEP_DAYS``, 30 by default)."""
    return datetime.timedelta(days=float(getattr(settings, "JOBS_KEEP_DAYS", 30)))


def _heartbeat(run_id: int, worker: str, stop: threading.Event, every: float) -> None:
    """In its own thread (with its own database connection) while a job runs."""
    try:
        while not stop.wait(every):
            try:
                actions.beat(run_id, worker=worker)
            except Exception:
                logger.exception("Heartbeat of job run #%s failed", run_id)
    finally:
        connection.close()


@contextmanager
def _heartbeating(run: JobRun, worker: str) -> Iterator[None]:
    stop = threading.Event()
    thread = threading.Thread(
        target=_heartbeat,
        args=(run.pk, worker, stop, heartbeat_every()),
        name=f"heartbeat-{run.name}-{run.pk}",
        daemon=True,
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@dataclass
class Worker:
    """Runs due jobs.  ``report`` receives a line per run started or finished."""

    worker: str = field(default_factory=worker_id)
    report: Callable[[str], None] = lambda line: None
    #: True while a job's own code runs: only then does a stop signal interrupt it.
    in_job: bool = False
    stopping: threading.Event = field(default_factory=threading.Event)

    def tick(self) -> list[JobRun]:
        """One pass: abandon stale runs, schedule, run what is due.  Returns the runs it ran."""
        now = timezone.now()
        actions.loop_beat(worker=self.worker, now=now)
        for run in actions.abandon_stale(stale_after=stale_after(), now=now):
            self.report(f"{run.name}: run #{run.pk} abandoned (its worker stopped); retrying.")
        actions.schedule_all(now=now)
        actions.prune(keep=keep_runs(), now=now)
        due = list(
            JobRun.objects.filter(status=JobStatus.QUEUED, scheduled_for__lte=now).order_by(
                "scheduled_for", "pk"
            )
        )
        ran = []
        for run in due:
            if self.stopping.is_set():
                break
            if self.run_one(run):
                ran.append(run)
        return ran

    def recover(self) -> list[JobRun]:
        """At the start of the loop: the runs a killed loop of this machine left running
        are abandoned and queued again at once (:func:`actions.abandon_dead_here`)."""
        runs = actions.abandon_dead_here(worker=self.worker)
        for run in runs:
            self.report(f"{run.name}: run #{run.pk} abandoned (its worker was killed); retrying.")
        return runs

    def run_one(self, run: JobRun) -> bool:
        """Claim ``run`` and run it; ``False`` if another worker has it (or its job)."""
        try:
            job = get_job(run.name)
        except LookupError:
            logger.warning(
                "Run #%s: no job named %r is registered here; left queued.", run.pk, run.name
            )
            return False
        if not actions.claim(run, worker=self.worker):
            return False
        self.report(f"{job.name}: run #{run.pk} started.")
        try:
            with (
                _heartbeating(run, self.worker),
                audit_context(request_id=new_request_id(f"job-{job.name}-")),
            ):
                self.in_job = True
                try:
                    result = job.func()
                finally:
                    self.in_job = False
        except Exception as exc:
            error = actions.describe_error(exc)
            try:
                actions.finish(run, worker=self.worker, status=JobStatus.FAILED, error=error)
            except DatabaseError:
                # The job broke the connection (or the server went away): one fresh try; if
                # that fails too, the run goes stale and is abandoned by the next tick.
                if connection.in_atomic_block:
                    raise
                connection.close()
                actions.finish(run, worker=self.worker, status=JobStatus.FAILED, error=error)
            self.report(f"{job.name}: run #{run.pk} FAILED: {run.error_summary}")
            logger.error("Job %s (run #%s) failed: %s", job.name, run.pk, run.error_summary)
            return True
        except BaseException as exc:  # stopped: SIGTERM, Ctrl-C
            why = exc.args[0] if isinstance(exc, JobInterrupted) else type(exc).__name__
            actions.abandon(
                run,
                reason=f"Abandoned: the loop was stopped ({why}) while the job ran. "
                "A new run was queued.",
            )
            self.report(f"{job.name}: run #{run.pk} interrupted ({why}); it will run again.")
            raise
        actions.finish(
            run,
            worker=self.worker,
            status=JobStatus.SUCCEEDED,
            output=actions.format_output(result),
        )
        self.report(f"{job.name}: run #{run.pk} succeeded. {run.output}".rstrip())
        return True

    def run_forever(self, interval: float) -> None:
        """Tick every ``interval`` seconds until :attr:`stopping` is set.  An error of the
        loop itself (the database is away) is logged, and the next tick tries again."""
        while not self.stopping.is_set():
            if not connection.in_atomic_block:
                close_old_connections()
            try:
                self.tick()
            except Exception:
                logger.exception("The job loop's tick failed; trying again in %s s", interval)
                if not connection.in_atomic_block:
                    connection.close()
            self.stopping.wait(interval)

    # -- Stopping on a signal ---------------------------------------------------------------

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        already = self.stopping.is_set()
        self.stopping.set()
        self.report(f"Stopping ({signal.Signals(signum).name}).")
        if self.in_job and not already:
            self.in_job = False  # interrupt once; the job's own cleanup may take a moment
            raise JobInterrupted(signum)

    @contextmanager
    def stop_on_signals(self) -> Iterator[None]:
        """SIGTERM and SIGINT stop the loop (only in the main thread; else a no-op)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous: dict[signal.Signals, Any] = {}
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, self._on_signal)
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
