"""``bookwarden jobs run|list|enqueue``; and retention really runs daily through the loop
(CR-6a, issue 3: "A periodic job runs it daily")."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.models import Library
from bookwarden.jobs.models import JobRun, JobStatus, RunKind
from bookwarden.patrons.models import Loan, Patron
from bookwarden.patrons.models_retention import RetentionRun

from .conftest import DAY, NOW

HOUR = datetime.timedelta(hours=1)


def jobs(*args: str) -> str:
    out = io.StringIO()
    call_command("jobs", *args, stdout=out)
    return out.getvalue()


def returned_loan(library: Library, returned: datetime.datetime) -> Loan:
    patron = Patron.objects.create(library=library, last_name="Reader")
    return Loan._unguarded.create(
        library_id=library.pk,
        patron=patron,
        item_barcode="3000001",
        title="Private title",
        checked_out_at=returned - 20 * DAY,
        returned_at=returned,
        amount_owed=Decimal(0),
    )


def test_run_once_runs_retention_daily(people, clock) -> None:
    """CR-6a: the loop runs the retention run once a day, as the installation, and each
    run leaves its RetentionRun and its retention.run audit events."""
    madrid = Library.objects.get(slug="new-madrid")
    first = returned_loan(madrid, NOW - 2 * HOUR)  # the default: unlink at return

    output = jobs("run", "--once")

    assert "retention: run #" in output
    retention_run = RetentionRun.objects.get()
    assert retention_run.status == "completed"
    assert retention_run.library is None  # every library
    job_run = JobRun.objects.get(name="retention", status=JobStatus.SUCCEEDED)
    assert job_run.output == f"Retention run #{retention_run.pk}: completed."
    assert Loan._unguarded.get(pk=first.pk).patron_id is None
    events = AuditEvent.objects.filter(action=AuditAction.RETENTION_RUN)
    assert {e.library.slug for e in events} == {"new-madrid", "cresco"}
    assert all(e.actor_id is None for e in events)
    assert all(e.request_id.startswith("job-retention-") for e in events)
    assert JobRun.objects.get(name="retention", status=JobStatus.QUEUED).scheduled_for == (
        NOW + DAY
    )

    # The same day again: nothing is due, retention does not run again.
    clock.move_to(NOW + 6 * HOUR)
    jobs("run", "--once")
    assert RetentionRun.objects.count() == 1

    # The next day it runs again, and unlinks what was returned since.
    second = returned_loan(madrid, NOW + 7 * HOUR)
    clock.move_to(NOW + DAY)
    jobs("run", "--once")
    assert RetentionRun.objects.count() == 2
    assert Loan._unguarded.get(pk=second.pk).patron_id is None
    assert JobRun.objects.filter(name="retention", status=JobStatus.SUCCEEDED).count() == 2


def test_a_refused_retention_run_fails_the_job_and_the_command(people, clock, settings) -> None:
    """A bad rule refuses the run; the job is stored failed, ``--once`` exits non-zero and
    names the job, and tomorrow's run is scheduled all the same."""
    from bookwarden.patrons import retention

    retention.PATRON_LINKS_REVIEWED.pop("patrons.patron.guardian")
    try:
        with pytest.raises(CommandError, match=r"job 'retention' \(run #\d+\) failed"):
            jobs("run", "--once")
    finally:
        retention.PATRON_LINKS_REVIEWED["patrons.patron.guardian"] = (
            "who the patron is, not what they used"
        )
    failed = JobRun.objects.get(name="retention", status=JobStatus.FAILED)
    assert "RetentionConfigError" in failed.error_summary
    assert "Unreviewed columns link to patrons" in failed.error
    assert RetentionRun.objects.get().status == "refused"
    assert JobRun.objects.filter(name="retention", status=JobStatus.QUEUED).exists()


def test_enqueue_queues_a_run_and_records_who_asked(people, clock) -> None:
    jobs("enqueue", "retention")

    run = JobRun.objects.get(kind=RunKind.REQUESTED)
    assert (run.name, run.status, run.requested_by) == ("retention", JobStatus.QUEUED, None)
    assert run.scheduled_for == NOW
    event = AuditEvent.objects.get(action=AuditAction.JOB_REQUESTED)
    assert event.actor is None  # the command line acts as the installation
    assert (event.target_type, event.target_id) == ("jobs.jobrun", str(run.pk))
    assert event.after == {"job": "retention", "run": run.pk, "already_queued": False}
    assert event.request_id.startswith("cli-jobs-")

    # Asked again before it ran: the same run, but the request is on record too.
    jobs("enqueue", "retention")
    assert JobRun.objects.filter(kind=RunKind.REQUESTED).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.JOB_REQUESTED).count() == 2

    jobs("run", "--once")
    assert JobRun.objects.get(pk=run.pk).status == JobStatus.SUCCEEDED


def test_enqueue_of_an_unknown_job_is_a_clear_error(db) -> None:
    with pytest.raises(CommandError, match=r"No periodic job is named 'retenshun'"):
        jobs("enqueue", "retenshun")
    assert not JobRun.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.JOB_REQUESTED).exists()


def test_list_shows_each_job_its_interval_last_and_next_run(db, clock, only_jobs) -> None:
    @only_jobs("nightly", every=DAY, description="Does the nightly thing.")
    def nightly() -> str:
        return "ok"

    @only_jobs("broken", every=12 * HOUR, description="Always fails.")
    def broken() -> None:
        raise ValueError("no such printer")

    before = jobs("list")
    assert "nightly\n  Does the nightly thing.\n  every:    1 day\n  last run: never" in before
    assert "next due: when the loop next starts" in before

    with pytest.raises(CommandError, match="job 'broken'"):
        jobs("run", "--once")
    after = jobs("list")
    assert "every:    12 hours" in after
    # Local time (TIME_ZONE, America/Chicago): NOW is 2026-03-09 22:15 there.
    failed = JobRun.objects.get(name="broken", status=JobStatus.FAILED)
    succeeded = JobRun.objects.get(name="nightly", status=JobStatus.SUCCEEDED)
    assert (
        f"last run: #{failed.pk} failed at 2026-03-09 22:15:00 CDT (0.0 s): "
        "ValueError: no such printer"
    ) in after
    assert f"last run: #{succeeded.pk} succeeded at 2026-03-09 22:15:00 CDT" in after
    assert "next due: 2026-03-10 22:15:00 CDT" in after  # nightly
    assert "next due: 2026-03-10 10:15:00 CDT" in after  # broken: 12 hours later


def test_run_refuses_a_bad_interval(db) -> None:
    with pytest.raises(CommandError, match="--interval"):
        jobs("run", "--interval", "0")
