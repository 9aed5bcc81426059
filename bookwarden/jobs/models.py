"""The runs of the periodic jobs: each row is one run, and the queued rows are the queue.

The loop (:mod:`bookwarden.jobs.loop`) keeps one queued *scheduled* row per registered job,
claims due rows with a conditional UPDATE, runs the job and stores what happened.  The
constraints are what make two loops safe side by side:

* ``(name, scheduled_for)`` is unique among scheduled runs: a slot is scheduled once;
* at most one queued scheduled (or retry) row per job: two loops never schedule the next run
  twice;
* at most one *running* row per job: a job never runs twice at once, even when two loops
  claim two different rows of it.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    ABANDONED = "abandoned", "Abandoned (the worker stopped before it finished)"


#: A run that has finished, one way or the other.
FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.ABANDONED)


class RunKind(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    RETRY = "retry", "Retry of an abandoned run"
    REQUESTED = "requested", "Requested (run now)"


#: Kinds that belong to a job's schedule: when one finishes, the next is scheduled.
PERIODIC_KINDS = (RunKind.SCHEDULED, RunKind.RETRY)


class JobRun(models.Model):
    """One run of a periodic job: queued, then running, then succeeded, failed or abandoned.

    ``output`` is the job's own short summary; ``error`` the exception's class, message and
    traceback (secrets scrubbed).  Both cover every library: only the installation role reads
    them (:mod:`bookwarden.jobs.views`), and since it holds no library role, neither may
    name one library's records either.
    """

    name = models.CharField(max_length=64, db_index=True)
    kind = models.CharField(max_length=10, choices=RunKind.choices, default=RunKind.SCHEDULED)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    scheduled_for = models.DateTimeField(help_text="When the run is due.")
    created_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who asked for this run now (none: the schedule, or the command line).",
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Refreshed by the worker while the job runs."
    )
    claimed_by = models.CharField(
        max_length=200, blank=True, help_text="The worker that ran it: host:pid."
    )
    output = models.TextField(blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-scheduled_for", "-pk"]
        indexes = [
            models.Index(fields=["status", "scheduled_for"], name="jobrun_due"),
            models.Index(fields=["name", "-finished_at"], name="jobrun_latest"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "scheduled_for"],
                condition=Q(kind="scheduled"),
                name="jobrun_one_per_slot",
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(status="queued", kind__in=["scheduled", "retry"]),
                name="jobrun_one_next_per_job",
            ),
            models.UniqueConstraint(
                fields=["name"], condition=Q(status="running"), name="jobrun_one_running_per_job"
            ),
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values), name="jobrun_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} run #{self.pk} ({self.status})"

    @property
    def title(self) -> str:
        """What people call the job on the pages ("Outgoing mail")."""
        from .registry import title_of

        return title_of(self.name)

    @property
    def duration(self) -> datetime.timedelta | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return self.finished_at - self.started_at

    @property
    def error_summary(self) -> str:
        """The first line of the error: the exception's class and message."""
        return self.error.split("\n", 1)[0] if self.error else ""

    @property
    def error_type(self) -> str:
        """The exception's class alone (``bookwarden.x.SomeError``), without its message."""
        return self.error_summary.partition(":")[0]

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED


class LoopBeat(models.Model):
    """When a job loop last showed it was alive: one row, rewritten at each check for due
    jobs and, while a job runs, with each heartbeat of its run.  The health check and the
    technology coordinator's "My tasks" read it: a loop silent for ten minutes is down."""

    #: The one row's key.
    THE_LOOP = 1

    seen_at = models.DateTimeField()
    worker = models.CharField(max_length=200, help_text="The loop that wrote it: host:pid.")

    def __str__(self) -> str:
        from bookwarden.core.when import iso_utc

        return f"Job loop seen at {iso_utc(self.seen_at)} ({self.worker})"
