"""``/healthz`` (CC-8: evidence that the controls operate): the database, the job loop,
each job's last run and the outgoing mail, 503 when the database or the job loop is down,
the same answer for everyone, and nothing of any library."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from bookwarden.core.health import MAIL_STUCK_AFTER
from bookwarden.core.models import Library
from bookwarden.core.my_tasks import grouped_tasks
from bookwarden.jobs import actions as job_actions
from bookwarden.jobs.models import JobRun, JobStatus, RunKind
from bookwarden.jobs.status import LOOP_DOWN_AFTER
from bookwarden.mail.actions import queue_mail
from bookwarden.mail.models import MailStatus, OutboxMessage

NOW = datetime.datetime(2026, 3, 10, 3, 15, tzinfo=datetime.UTC)


def _get(client: Client | None = None) -> tuple[int, dict]:
    response = (client or Client()).get("/healthz")
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    return response.status_code, json.loads(response.content)


def _finished(name: str, status: str, at: datetime.datetime) -> None:
    JobRun.objects.create(
        name=name,
        kind=RunKind.REQUESTED,
        status=status,
        scheduled_for=at,
        started_at=at,
        finished_at=at,
        claimed_by="host:1",
        output="Retention at New Madrid County Library: 12 loans",
        error="ValueError: the patron Rosa Delgado" if status == JobStatus.FAILED else "",
    )


@pytest.mark.django_db
def test_a_loop_that_never_ran_is_down_503() -> None:
    code, answer = _get()
    assert code == 503
    assert answer["status"] == "down"
    assert answer["database"] == {"ok": True}
    assert answer["job_loop"] == {"ok": False, "last_seen": None, "seconds_ago": None}
    assert {job["name"] for job in answer["jobs"]} >= {"mail", "retention"}


@pytest.mark.django_db
def test_a_loop_seen_now_is_ok_and_silent_ten_minutes_is_503() -> None:
    with time_machine.travel(NOW, tick=False) as clock:
        job_actions.loop_beat(worker="host:1")
        _finished("retention", JobStatus.SUCCEEDED, NOW)
        code, answer = _get()
        assert (code, answer["status"]) == (200, "ok")
        assert answer["job_loop"] == {
            "ok": True,
            "last_seen": "2026-03-10T03:15:00Z",
            "seconds_ago": 0,
        }
        retention = next(job for job in answer["jobs"] if job["name"] == "retention")
        assert retention == {
            "name": "retention",
            "finished_at": "2026-03-10T03:15:00Z",
            "ok": True,
        }

        clock.shift(LOOP_DOWN_AFTER)
        assert _get()[0] == 200  # ten minutes exactly: still up
        clock.shift(datetime.timedelta(seconds=1))
        code, answer = _get()
        assert (code, answer["status"]) == (503, "down")
        assert answer["job_loop"]["seconds_ago"] == 601


@pytest.mark.django_db
def test_a_running_job_keeps_the_loop_alive_through_its_heartbeat() -> None:
    """A long retention run: the loop checks nothing else for a while, but the run's
    heartbeat says the loop is alive."""
    with time_machine.travel(NOW, tick=False) as clock:
        job_actions.loop_beat(worker="host:1")
        run = JobRun.objects.create(name="retention", scheduled_for=NOW)
        assert job_actions.claim(run, worker="host:1")
        clock.shift(datetime.timedelta(minutes=25))
        assert _get()[0] == 503
        job_actions.beat(run.pk, worker="host:1")
        assert _get()[0] == 200


@pytest.mark.django_db
def test_a_failed_job_or_stuck_mail_is_a_warning_not_503(people) -> None:
    library = Library.objects.get(slug="new-madrid")
    with time_machine.travel(NOW, tick=False) as clock:
        job_actions.loop_beat(worker="host:1")
        _finished("retention", JobStatus.FAILED, NOW)
        code, answer = _get()
        assert (code, answer["status"]) == (200, "warning")
        assert next(j for j in answer["jobs"] if j["name"] == "retention")["ok"] is False

        JobRun.objects.all().delete()
        queue_mail(
            to=["rosa.delgado@example.org"],
            subject="Notice to Rosa Delgado",
            body="Your records at New Madrid",
            reason="disclosure_notice",
            library=library,
        )
        assert _get()[1]["status"] == "ok"  # just queued: mail flows
        clock.shift(MAIL_STUCK_AFTER + datetime.timedelta(minutes=1))
        job_actions.loop_beat(worker="host:1")
        code, answer = _get()
        assert (code, answer["status"]) == (200, "warning")
        assert answer["mail"] == {"ok": False, "oldest_unsent_seconds": 3660, "failed": 0}

        OutboxMessage.objects.update(status=MailStatus.FAILED)
        assert _get()[1]["mail"] == {"ok": False, "oldest_unsent_seconds": None, "failed": 1}


@pytest.mark.django_db
def test_it_says_nothing_of_any_library_and_the_same_to_everyone(people, client_as) -> None:
    library = Library.objects.get(slug="new-madrid")
    _finished("retention", JobStatus.FAILED, timezone.now())
    queue_mail(
        to=["rosa.delgado@example.org"],
        subject="Notice to Rosa Delgado",
        body="Your records",
        reason="disclosure_notice",
        library=library,
    )
    job_actions.loop_beat(worker="host:1")
    answers = {_get(client)[1].__repr__() for client in (Client(), client_as("director"))}
    assert len(answers) == 1
    text = answers.pop().lower()
    for secret in ("new madrid", "new-madrid", "cresco", "rosa", "delgado", "12 loans", "notice"):
        assert secret not in text


@pytest.mark.django_db
def test_the_health_check_runs_four_queries_however_much_is_stored(
    people, django_assert_num_queries
) -> None:
    library = Library.objects.get(slug="new-madrid")
    job_actions.loop_beat(worker="host:1")
    for n in range(30):
        _finished("mail", JobStatus.SUCCEEDED, timezone.now() - datetime.timedelta(minutes=n))
        queue_mail(to=[f"p{n}@example.org"], subject="s", body="b", reason="r", library=library)
    # the database, the loop's beat, each job's last run, the outbox in one aggregate
    with django_assert_num_queries(4):
        assert Client().get("/healthz").status_code == 200


@pytest.mark.django_db
def test_the_technology_coordinator_is_told_when_the_loop_is_down(people) -> None:
    def loop_items(key: str) -> list:
        return [
            task
            for group in grouped_tasks(people[key])
            for task in group.tasks
            if task.key == "jobs:loop"
        ]

    (never,) = loop_items("tech_coordinator")
    assert never.urgent and never.title == "The periodic jobs have never run"
    assert "Start the job loop" in never.todo
    assert loop_items("server_admin")
    assert loop_items("staff") == [] and loop_items("human_resources") == []

    with time_machine.travel(NOW, tick=False) as clock:
        job_actions.loop_beat(worker="host:1")
        people["tech_coordinator"].forget_roles()
        assert loop_items("tech_coordinator") == []
        clock.shift(LOOP_DOWN_AFTER + datetime.timedelta(minutes=1))
        (stopped,) = loop_items("tech_coordinator")
        assert stopped.title == "The periodic jobs have stopped"
        assert stopped.state.startswith("They last ran Mar 9, 2026")


@pytest.mark.django_db
def test_setup_of_the_first_director_prints_the_next_steps_in_order() -> None:
    import io

    from django.core.management import call_command

    from bookwarden.core.models import User

    assert not Library.objects.exists() and not User.objects.exists()  # nothing by itself
    out = io.StringIO()
    call_command(
        "setup",
        "library",
        "--name",
        "Rhodes",
        "--slug",
        "rhodes",
        "--jurisdiction",
        "US-MO",
        stdout=out,
    )
    assert "bookwarden setup staff --library rhodes --role director" in out.getvalue()
    out = io.StringIO()
    call_command(
        "setup",
        "staff",
        "--library",
        "rhodes",
        "--username",
        "ddirector",
        "--email",
        "d@example.org",
        "--role",
        "director",
        "--no-password",
        stdout=out,
    )
    text = out.getvalue()
    steps = ["Sign in as ddirector", "two-factor", "Set mail", "periodic jobs", "backups"]
    positions = [text.index(step) for step in steps]
    assert positions == sorted(positions)
