"""Issue 9: the installation role (the person who runs the server, ``server_admin``) sees
every job and every run in full, runs the installation-wide jobs now, and each request is on
record."""

from __future__ import annotations

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.jobs.loop import Worker
from bookwarden.jobs.models import JobRun, JobStatus, RunKind

from .conftest import DAY

LIST = "/jobs/"
RUN_NOW = "/jobs/run/"


def test_the_installation_role_runs_a_job_and_it_is_recorded(people, client_as) -> None:
    admin = people["server_admin"]
    client = client_as("server_admin")
    html = client.get(LIST).content.decode()
    for name in ("retention", "mail", "escalation", "suspensions"):
        assert f'name="job" value="{name}"' in html, name

    response = client.post(RUN_NOW, {"job": "suspensions"})

    assert (response.status_code, response["Location"]) == (302, LIST)
    run = JobRun.objects.get(kind=RunKind.REQUESTED)
    assert (run.name, run.status, run.requested_by) == ("suspensions", JobStatus.QUEUED, admin)
    [event] = AuditEvent.objects.filter(action=AuditAction.JOB_REQUESTED)
    assert (event.actor, event.library, event.target_id) == (admin, None, str(run.pk))
    assert event.after["job"] == "suspensions"
    assert "is queued" in client.get(LIST).content.decode()

    Worker(worker="host:1").tick()
    run.refresh_from_db()
    assert run.status == JobStatus.SUCCEEDED
    detail = client.get(f"/jobs/runs/{run.pk}/").content.decode()
    assert "0 suspensions ended." in detail  # the output
    assert f"by {admin}" in detail  # who asked
    assert "host:1" in detail  # the worker


def test_the_installation_role_reads_the_whole_error_and_is_told_of_failures(
    people, client_as, only_jobs
) -> None:
    @only_jobs("mailer", every=DAY)
    def mailer() -> None:
        raise ConnectionError("mail.example refused the connection")

    Worker(worker="host:1").tick()
    run = JobRun.objects.get(name="mailer", status=JobStatus.FAILED)
    client = client_as("server_admin")
    html = client.get(f"/jobs/runs/{run.pk}/").content.decode()
    assert "mail.example refused the connection" in html
    assert "Traceback (most recent call last)" in html
    home = client.get("/").content.decode()
    assert "The job “Mailer” failed" in home
    assert f"/jobs/runs/{run.pk}/" in home


def test_the_menu_shows_jobs_to_the_installation_role_and_no_library(people, client_as) -> None:
    client = client_as("server_admin")
    labels = [item["label"] for item in client.get("/").context["nav"]]
    assert "IT" in labels
    assert not any("Library" in label for label in labels)
    assert "/jobs/" in {link["url"] for link in client.get("/it/").context["links"]}
