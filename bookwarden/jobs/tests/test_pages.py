"""The jobs pages: who sees them, "Run now", a run's output and error, and "My tasks"
(VIEW_JOBS: technology coordinator, IT staff, director at their library, and the
installation role; RUN_JOBS: the installation role only)."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core import actions as core_actions
from bookwarden.core.models import Library
from bookwarden.core.roles import Role
from bookwarden.jobs.loop import Worker
from bookwarden.jobs.models import JobRun, JobStatus, RunKind

from .conftest import DAY

LIST = "/jobs/"
RUN_NOW = "/jobs/run/"


def requests_recorded() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.JOB_REQUESTED))


def test_the_coordinator_sees_the_jobs_but_runs_none(people, client_as) -> None:
    """Every job works for the whole installation: "Run now" is the installation role's
    (bookwarden/jobs/tests/test_installation_runs.py)."""
    client = client_as("tech_coordinator")
    page = client.get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert "retention" in html
    assert "1 day" in html
    assert "Never run" in html
    assert 'name="job"' not in html  # no Run now button
    assert client.post(RUN_NOW, {"job": "retention"}).status_code == 403
    assert not JobRun.objects.exists()
    assert requests_recorded() == []


def test_it_staff_see_the_jobs_but_may_not_run_them(people, client_as) -> None:
    client = client_as("it_staff")
    page = client.get(LIST)
    assert page.status_code == 200
    assert 'name="job"' not in page.content.decode()
    assert client.post(RUN_NOW, {"job": "retention"}).status_code == 403
    assert not JobRun.objects.exists()
    assert requests_recorded() == []


@pytest.mark.parametrize("who", ["staff", "volunteer", "auditor", "outsider_staff"])
def test_people_without_view_jobs_get_403(people, client_as, who) -> None:
    """bjohnson (staff at Portageville) and the others hold no view_jobs anywhere."""
    run = JobRun.objects.create(name="retention", scheduled_for="2026-03-10T03:15Z")
    client = client_as(who)
    assert client.get(LIST).status_code == 403
    assert client.get(f"/jobs/runs/{run.pk}/").status_code == 403
    assert client.post(RUN_NOW, {"job": "retention"}).status_code == 403
    assert JobRun.objects.count() == 1
    assert requests_recorded() == []


def test_anonymous_is_sent_to_login(people) -> None:
    client = Client()
    for url in (LIST, "/jobs/runs/1/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert client.post(RUN_NOW, {"job": "retention"})["Location"].startswith("/accounts/login/")
    assert not JobRun.objects.exists()


def test_run_now_of_an_unknown_job_is_404_and_records_nothing(people, client_as) -> None:
    assert client_as("server_admin").post(RUN_NOW, {"job": "nope"}).status_code == 404
    assert client_as("server_admin").get(RUN_NOW).status_code == 405
    assert not JobRun.objects.exists()
    assert requests_recorded() == []


def test_the_page_shows_the_last_run_and_the_next(people, client_as) -> None:
    Worker(worker="host:1").tick()  # retention runs
    run = JobRun.objects.get(name="retention", status=JobStatus.SUCCEEDED)
    html = client_as("director").get(LIST).content.decode()
    assert f'href="/jobs/runs/{run.pk}/"' in html
    assert "Succeeded" in html
    assert "Never run" not in html
    assert "took" in html

    detail = client_as("server_admin").get(f"/jobs/runs/{run.pk}/")
    assert detail.status_code == 200
    assert "Retention run #" in detail.content.decode()  # the output
    # A library's people: the status, not what the run did for every library.
    detail = client_as("it_staff").get(f"/jobs/runs/{run.pk}/")
    assert detail.status_code == 200
    assert "Succeeded" in detail.content.decode()
    assert "Retention run #" not in detail.content.decode()
    assert client_as("it_staff").get("/jobs/runs/999999/").status_code == 404


@pytest.fixture
def failed_run(people, only_jobs) -> JobRun:
    @only_jobs("mailer", every=DAY)
    def mailer() -> None:
        raise ConnectionError("mail.new-madrid.example refused the connection")

    Worker(worker="host:1").tick()
    return JobRun.objects.get(name="mailer", status=JobStatus.FAILED)


def test_an_error_message_only_for_the_installation_role(people, client_as, failed_run) -> None:
    """The message may name one library's things (here its mail server): a library's people
    see the error's class only, even when they hold view_jobs at every library."""
    url = f"/jobs/runs/{failed_run.pk}/"
    html = client_as("tech_coordinator").get(url).content.decode()
    assert "ConnectionError" in html
    assert "new-madrid.example" not in html
    assert "Traceback" not in html
    html = client_as("outsider").get(url).content.decode()  # Cresco's director
    assert "ConnectionError" in html
    assert "new-madrid.example" not in html

    core_actions.assign_role(
        actor=None,
        user=people["tech_coordinator"],
        library=Library.objects.get(slug="cresco"),
        role=Role.IT_STAFF,
    )
    html = client_as("tech_coordinator").get(url).content.decode()
    assert "new-madrid.example" not in html

    html = client_as("server_admin").get(url).content.decode()
    assert "mail.new-madrid.example refused the connection" in html
    assert "Traceback (most recent call last)" in html


def test_a_failed_job_is_a_task_until_it_succeeds(people, client_as, failed_run) -> None:
    title = "The job “Mailer” failed"
    home = client_as("server_admin").get("/").content.decode()
    assert title in home
    assert f"/jobs/runs/{failed_run.pk}/" in home
    for who in ("tech_coordinator", "it_staff", "director", "outsider", "staff"):
        assert title not in client_as(who).get("/").content.decode(), who

    # The next run succeeds: the task goes away.
    from bookwarden.jobs import registry

    registry.unregister("mailer")

    @registry.periodic("mailer", every=DAY)
    def mailer() -> str:
        return "sent"

    from bookwarden.jobs import actions

    actions.request_run("mailer", actor=None)
    Worker(worker="host:1").tick()
    assert title not in client_as("server_admin").get("/").content.decode()


def test_the_it_page_leads_to_the_jobs_for_those_who_may_see_them(people, client_as) -> None:
    def leads_to_jobs(who: str) -> bool:
        page = client_as(who).get("/it/")
        return page.status_code == 200 and LIST in {link["url"] for link in page.context["links"]}

    assert leads_to_jobs("tech_coordinator")
    assert leads_to_jobs("it_staff")
    assert leads_to_jobs("server_admin")
    assert not leads_to_jobs("staff")


def test_the_jobs_page_runs_a_fixed_number_of_queries(
    people, client_as, django_assert_num_queries
) -> None:
    client = client_as("tech_coordinator")
    client.get(LIST)
    Worker(worker="host:1").tick()
    with django_assert_num_queries(QUERIES) as ctx:
        assert client.get(LIST).status_code == 200
    for _ in range(5):
        JobRun.objects.create(
            name="retention", kind=RunKind.REQUESTED, scheduled_for="2026-03-10T03:15Z"
        )
    with django_assert_num_queries(QUERIES):
        assert client.get(LIST).status_code == 200
    assert ctx.captured_queries


# session, user, memberships, TOTP check; the page's own three (last finished run of each
# job, runs queued or running, recent runs); the session saved (in a savepoint: three); and
# whether a monitoring notice waits (policies.notice).
QUERIES = 11


def test_the_page_says_when_the_job_loop_is_not_running(people, client_as) -> None:
    """Mail and the other periodic work happen only while ``bookwarden jobs run`` runs: the
    page says so when no job has ever run, or when due runs have not started."""
    admin = client_as("server_admin")
    html = admin.get(LIST).content.decode()
    assert "The job loop has not run yet" in html
    assert "<code>bookwarden jobs run</code>" in html
    # A library's people are told whom to ask, not a command.
    html = client_as("director").get(LIST).content.decode()
    assert "The job loop has not run yet" in html
    assert "Tell the person who runs the Bookwarden server" in html

    # The loop ran two days ago and not since: the runs due since have not started.
    with time_machine.travel(timezone.now() - DAY * 2):
        Worker(worker="host:1").tick()
    html = admin.get(LIST).content.decode()
    assert "The job loop does not seem to be running" in html

    Worker(worker="host:1").tick()  # it runs again
    assert "jobs-loop-stopped" not in admin.get(LIST).content.decode()


def test_the_jobs_page_names_each_job_in_words(people, client_as) -> None:
    """People read "Outgoing mail", not the command-line name "mail"; the person who runs
    the server also sees the name the command line takes."""
    staff_page = client_as("tech_coordinator").get(reverse("jobs:list")).content.decode()
    assert "Outgoing mail" in staff_page and "Retention of library records" in staff_page
    assert "<code>audit-head-mail</code>" not in staff_page
    admin_page = client_as("server_admin").get(reverse("jobs:list")).content.decode()
    assert "Outgoing mail" in admin_page and "<code>audit-head-mail</code>" in admin_page
