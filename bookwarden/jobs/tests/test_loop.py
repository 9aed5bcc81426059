"""The loop: what is due runs once, its result is stored, the next run is scheduled, a
failure stops nothing else, a dead worker's run is abandoned and retried, and a long gap
gives one catch-up run (DESIGN: background work is boring)."""

from __future__ import annotations

import datetime
import signal
import threading
import time

import pytest
from django.core.management import call_command
from django.db import IntegrityError, OperationalError, transaction

from bookwarden.conftest import threads_can_share_the_database
from bookwarden.jobs import actions
from bookwarden.jobs.loop import Worker
from bookwarden.jobs.models import JobRun, JobStatus, RunKind

from .conftest import DAY, NOW

MINUTE = datetime.timedelta(minutes=1)


def runs(name: str) -> list[JobRun]:
    return list(JobRun.objects.filter(name=name).order_by("scheduled_for", "pk"))


def queued(name: str) -> JobRun:
    return JobRun.objects.get(name=name, status=JobStatus.QUEUED)


@pytest.mark.django_db
def test_a_due_job_runs_its_result_is_stored_and_the_next_is_a_day_later(
    only_jobs, clock, worker
) -> None:
    calls: list[datetime.datetime] = []

    @only_jobs("tidy", every=DAY)
    def tidy() -> str:
        calls.append(datetime.datetime.now(datetime.UTC))
        return "tidied 3 things"

    ran = worker.tick()

    assert [r.name for r in ran] == ["tidy"]
    run = JobRun.objects.get(pk=ran[0].pk)
    assert run.status == JobStatus.SUCCEEDED
    assert run.kind == RunKind.SCHEDULED
    assert run.output == "tidied 3 things"
    assert run.error == ""
    assert run.scheduled_for == run.started_at == run.finished_at == NOW
    assert run.claimed_by == "test-host:1"
    assert queued("tidy").scheduled_for == NOW + DAY

    # Not due again the same day: a second tick runs nothing and schedules nothing more.
    clock.move_to(NOW + 12 * datetime.timedelta(hours=1))
    assert worker.tick() == []
    assert len(runs("tidy")) == 2

    clock.move_to(NOW + DAY)
    assert [r.name for r in worker.tick()] == ["tidy"]
    assert len(calls) == 2
    assert queued("tidy").scheduled_for == NOW + 2 * DAY


@pytest.mark.django_db
def test_a_job_that_raises_is_stored_failed_and_nothing_else_stops(
    only_jobs, clock, worker
) -> None:
    @only_jobs("broken", every=DAY)
    def broken() -> str:
        raise RuntimeError("the disk is full")

    @only_jobs("fine", every=DAY)
    def fine() -> str:
        return "ok"

    ran = worker.tick()  # broken runs first (scheduled first), fine after it

    assert [r.name for r in ran] == ["broken", "fine"]
    failed = JobRun.objects.get(name="broken", status=JobStatus.FAILED)
    assert failed.error_summary == "RuntimeError: the disk is full"
    assert "Traceback (most recent call last)" in failed.error
    assert "in broken" in failed.error  # the traceback names the job's function
    assert failed.finished_at == NOW
    assert queued("broken").scheduled_for == NOW + DAY  # the next run is still scheduled
    assert JobRun.objects.get(name="fine", status=JobStatus.SUCCEEDED).output == "ok"

    # It keeps failing on schedule, and keeps being scheduled.
    clock.move_to(NOW + DAY)
    worker.tick()
    assert [r.status for r in runs("broken")] == ["failed", "failed", "queued"]


@pytest.mark.django_db
def test_errors_never_keep_secrets(only_jobs, clock, worker, settings) -> None:
    settings.SECRET_KEY = "a-very-secret-key-of-this-install"

    @only_jobs("leaky", every=DAY)
    def leaky() -> None:
        raise OperationalError(
            "could not connect to postgres://bookwarden:hunter2hunter2@db.internal/bw "
            f"with key {settings.SECRET_KEY}"
        )

    worker.tick()
    error = JobRun.objects.get(name="leaky", status=JobStatus.FAILED).error
    assert error.startswith("django.db.utils.OperationalError: could not connect")
    assert "postgres://bookwarden:***@db.internal/bw" in error
    assert "hunter2hunter2" not in error
    assert settings.SECRET_KEY not in error


@pytest.mark.django_db
def test_two_claimers_of_one_row_only_one_wins(only_jobs, clock) -> None:
    @only_jobs("once", every=DAY)
    def once() -> None:
        return None

    run_id = actions.schedule_all()[0].pk
    seen_by_a = JobRun.objects.get(pk=run_id)
    seen_by_b = JobRun.objects.get(pk=run_id)  # both loops read the row as queued

    assert actions.claim(seen_by_a, worker="host-a:1") is True
    assert actions.claim(seen_by_b, worker="host-b:2") is False
    row = JobRun.objects.get(pk=run_id)
    assert (row.status, row.claimed_by) == (JobStatus.RUNNING, "host-a:1")


@pytest.mark.django_db
def test_a_job_never_runs_twice_at_once(only_jobs, clock) -> None:
    """Two queued runs of one job (its schedule and a "run now"): while one runs, the
    other cannot be claimed, by any loop."""

    @only_jobs("once", every=DAY)
    def once() -> None:
        return None

    scheduled = actions.schedule_all()[0]
    requested = actions.request_run("once", actor=None)
    assert actions.claim(scheduled, worker="host-a:1") is True
    assert actions.claim(requested, worker="host-b:2") is False
    assert JobRun.objects.get(pk=requested.pk).status == JobStatus.QUEUED


@pytest.mark.django_db
def test_a_job_is_scheduled_once_however_often_loops_ask(only_jobs, clock) -> None:
    @only_jobs("once", every=DAY)
    def once() -> None:
        return None

    assert len(actions.schedule_all()) == 1
    assert actions.schedule_all() == []
    clock.move_to(NOW + MINUTE)
    assert actions.schedule_all() == []
    assert len(runs("once")) == 1
    # The database itself refuses a second next run, and a second row for the same slot.
    with pytest.raises(IntegrityError), transaction.atomic():
        JobRun.objects.create(name="once", scheduled_for=NOW + DAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        JobRun.objects.create(name="once", status=JobStatus.SUCCEEDED, scheduled_for=NOW)


@pytest.mark.django_db
def test_a_stale_running_run_is_abandoned_and_run_again(only_jobs, clock, worker) -> None:
    calls: list[int] = []

    @only_jobs("slow", every=DAY)
    def slow() -> str:
        calls.append(1)
        return "done"

    killed = actions.schedule_all()[0]
    assert actions.claim(killed, worker="dead-host:99")  # then the process was killed

    # Still beating 9 minutes in: not stale at 11 minutes (the default is 10).
    clock.move_to(NOW + 9 * MINUTE)
    assert actions.beat(killed.pk, worker="dead-host:99")
    clock.move_to(NOW + 11 * MINUTE)
    assert worker.tick() == []
    assert JobRun.objects.get(pk=killed.pk).status == JobStatus.RUNNING

    clock.move_to(NOW + 20 * MINUTE)
    ran = worker.tick()

    killed.refresh_from_db()
    assert killed.status == JobStatus.ABANDONED
    assert killed.finished_at == NOW + 20 * MINUTE
    assert "dead-host:99" in killed.error
    assert [r.kind for r in ran] == [RunKind.RETRY]  # queued at once, and run in this tick
    retry = JobRun.objects.get(pk=ran[0].pk)
    assert (retry.status, retry.output) == (JobStatus.SUCCEEDED, "done")
    assert retry.scheduled_for == NOW + 20 * MINUTE
    assert calls == [1]
    assert queued("slow").scheduled_for == NOW + DAY  # a retry does not move the rhythm


@pytest.mark.django_db
def test_after_a_long_gap_one_catch_up_run_not_one_per_day(only_jobs, clock, worker) -> None:
    calls: list[int] = []

    @only_jobs("daily", every=DAY)
    def daily() -> None:
        calls.append(1)

    worker.tick()
    clock.move_to(NOW + 5 * DAY + 3 * datetime.timedelta(hours=1))  # the loop was down
    ran = worker.tick()
    assert worker.tick() == []

    assert len(ran) == 1
    assert calls == [1, 1]
    catch_up = JobRun.objects.get(pk=ran[0].pk)
    assert catch_up.scheduled_for == NOW + DAY  # the run that was waiting, four days late
    assert catch_up.started_at == NOW + 5 * DAY + 3 * datetime.timedelta(hours=1)
    assert queued("daily").scheduled_for == NOW + 6 * DAY  # back on the 03:15 rhythm
    assert JobRun.objects.filter(name="daily").count() == 3


@pytest.mark.django_db
def test_with_nothing_queued_a_long_gap_gives_one_run_of_the_latest_slot(
    only_jobs, clock, worker
) -> None:
    """The job's queued run was lost (say, the job was switched off for a while): the
    loop schedules the latest missed slot, once, and then the next on the rhythm."""

    @only_jobs("daily", every=DAY)
    def daily() -> None:
        return None

    worker.tick()
    JobRun.objects.filter(name="daily", status=JobStatus.QUEUED).delete()
    clock.move_to(NOW + 5 * DAY + 3 * datetime.timedelta(hours=1))
    ran = worker.tick()
    assert [r.scheduled_for for r in ran] == [NOW + 5 * DAY]
    assert worker.tick() == []
    assert queued("daily").scheduled_for == NOW + 6 * DAY


def test_next_slot() -> None:
    assert actions.next_slot(NOW, DAY, NOW + MINUTE) == NOW + DAY
    assert actions.next_slot(NOW, DAY, NOW + DAY) == NOW + DAY
    assert actions.next_slot(NOW, DAY, NOW + 3 * DAY - MINUTE) == NOW + 2 * DAY
    assert actions.slot_after(NOW, DAY, NOW) == NOW + DAY
    assert actions.slot_after(NOW, DAY, NOW + 4 * DAY + MINUTE) == NOW + 5 * DAY


@pytest.mark.django_db
def test_run_now_does_not_move_the_schedule(only_jobs, clock, worker) -> None:
    @only_jobs("report", every=DAY)
    def report() -> str:
        return "reported"

    worker.tick()
    clock.move_to(NOW + 2 * datetime.timedelta(hours=1))
    requested = actions.request_run("report", actor=None)
    assert [r.pk for r in worker.tick()] == [requested.pk]
    assert JobRun.objects.get(pk=requested.pk).status == JobStatus.SUCCEEDED
    assert queued("report").scheduled_for == NOW + DAY


@pytest.mark.django_db
def test_a_run_of_a_job_no_longer_registered_is_left_alone(only_jobs, clock, worker) -> None:
    @only_jobs("kept", every=DAY)
    def kept() -> None:
        return None

    gone = JobRun.objects.create(name="removed-job", kind=RunKind.REQUESTED, scheduled_for=NOW)
    assert [r.name for r in worker.tick()] == ["kept"]
    assert JobRun.objects.get(pk=gone.pk).status == JobStatus.QUEUED


@pytest.mark.django_db
def test_sigterm_during_a_job_stops_the_loop_and_the_run_goes_again(only_jobs, clock) -> None:
    """``systemctl stop``: the job is interrupted, its run abandoned, a retry queued for the
    next start; the command exits cleanly and puts the signal handlers back."""

    @only_jobs("long", every=DAY)
    def long() -> str:
        import os

        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(30)  # interrupted by the handler at once
        return "never"

    before = signal.getsignal(signal.SIGTERM)
    call_command("jobs", "run", "--once")

    assert signal.getsignal(signal.SIGTERM) is before
    interrupted = JobRun.objects.get(name="long", kind=RunKind.SCHEDULED)
    assert interrupted.status == JobStatus.ABANDONED
    assert "SIGTERM" in interrupted.error
    assert queued("long").kind == RunKind.RETRY


@pytest.mark.django_db
def test_the_loop_runs_until_told_to_stop(only_jobs) -> None:
    worker = Worker(worker="test-host:2")
    seen: list[int] = []

    @only_jobs("stopper", every=DAY)
    def stopper() -> None:
        seen.append(1)
        worker.stopping.set()  # as SIGTERM between jobs does

    worker.run_forever(interval=0.01)
    assert seen == [1]
    assert JobRun.objects.filter(name="stopper", status=JobStatus.SUCCEEDED).count() == 1


# -- Real concurrency: threads, each with its own database connection -----------------------


@pytest.mark.django_db(transaction=True)
def test_two_loops_at_the_same_moment_run_a_due_job_once(only_jobs, tmp_path) -> None:
    calls: list[str] = []
    lock = threading.Lock()

    @only_jobs("exactly-once", every=DAY)
    def exactly_once() -> str:
        with lock:
            calls.append(threading.current_thread().name)
        time.sleep(0.2)  # long enough for the other loop to try to claim it
        return "once"

    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def loop(n: int) -> None:
        from django.db import connection

        try:
            start.wait()
            Worker(worker=f"host-{n}:{n}").tick()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    with threads_can_share_the_database(tmp_path):
        threads = [threading.Thread(target=loop, args=(n,), name=f"loop-{n}") for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)

    assert errors == []
    assert len(calls) == 1
    statuses = sorted(JobRun.objects.filter(name="exactly-once").values_list("status", flat=True))
    assert statuses == ["queued", "succeeded"]  # one run, and one next run


@pytest.mark.django_db(transaction=True)
def test_eight_loops_claiming_one_row_at_once_one_wins(only_jobs, tmp_path) -> None:
    """Each thread has read the row as queued, then all claim it together."""

    @only_jobs("contested", every=DAY)
    def contested() -> None:
        return None

    run_id = actions.schedule_all()[0].pk
    won: dict[str, bool] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def claimer(n: int) -> None:
        from django.db import connection

        try:
            row = JobRun.objects.get(pk=run_id)
            start.wait()
            won[f"host-{n}:{n}"] = actions.claim(row, worker=f"host-{n}:{n}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    with threads_can_share_the_database(tmp_path):
        threads = [threading.Thread(target=claimer, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)

    assert errors == []
    winners = [w for w, ok in won.items() if ok]
    assert len(won) == 8
    assert len(winners) == 1
    assert JobRun.objects.get(pk=run_id).claimed_by == winners[0]


@pytest.mark.django_db(transaction=True)
def test_a_running_job_keeps_its_heartbeat(only_jobs, settings, tmp_path) -> None:
    settings.JOBS_HEARTBEAT_EVERY = 0.05

    @only_jobs("beating", every=DAY)
    def beating() -> str:
        time.sleep(0.5)
        run = JobRun.objects.get(name="beating", status=JobStatus.RUNNING)
        assert run.started_at is not None and run.heartbeat_at is not None
        return str(run.heartbeat_at > run.started_at)

    def loop() -> None:
        from django.db import connection

        try:
            Worker(worker="host:1").tick()
        finally:
            connection.close()

    with threads_can_share_the_database(tmp_path):
        thread = threading.Thread(target=loop)
        thread.start()
        thread.join(timeout=60)

    assert JobRun.objects.get(name="beating", status=JobStatus.SUCCEEDED).output == "True"


@pytest.mark.django_db
def test_old_finished_runs_are_pruned_but_each_jobs_last_run_stays(
    only_jobs, worker, clock
) -> None:
    """The mail job alone makes 1,440 runs a day: finished runs older than JOBS_KEEP_DAYS
    go, but the last finished run of each job stays for the pages and "My tasks"."""

    @only_jobs("often", every=DAY)
    def often() -> str:
        return "ok"

    @only_jobs("rare", every=DAY * 60)
    def rare() -> str:
        return "ok"

    for _ in range(40):
        worker.tick()
        clock.shift(DAY)
    worker.tick()
    often_runs = JobRun.objects.filter(name="often").exclude(finished_at=None)
    assert 29 <= often_runs.count() <= 32
    assert JobRun.objects.filter(name="rare").exclude(finished_at=None).count() == 1
