"""Issue 9, fault 4: a library's people see only their library's part of the periodic jobs.

Every job works for the whole installation.  Cresco's director (``outsider``) used to see
"Run now" for retention, mail, escalation and suspensions of every library, and the jobs
pages named the staff of other libraries who had asked for runs.  Now "Run now" belongs to
the installation role alone, and a library's people see each job's status, never a run's
output, error message or who asked for it; no New Madrid name shows on any jobs or mail
page for Cresco's people."""

from __future__ import annotations

import re

import pytest

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.models import Library
from bookwarden.core.tests.test_scoping import new_madrid_words
from bookwarden.jobs.models import JobRun, JobStatus, RunKind
from bookwarden.jobs.registry import all_jobs
from bookwarden.mail.actions import queue_mail
from bookwarden.mail.models import MailStatus, OutboxMessage

LIST = "/jobs/"
RUN_NOW = "/jobs/run/"
INSTALLATION_JOBS = ("retention", "mail", "escalation", "suspensions")


def test_every_installation_job_is_registered() -> None:
    assert set(INSTALLATION_JOBS) <= {job.name for job in all_jobs()}


@pytest.mark.parametrize("who", ["outsider", "director", "tech_coordinator"])
def test_a_librarys_people_see_no_run_now_and_may_not_run(people, client_as, who) -> None:
    """Cresco's director, New Madrid's director and coordinator: no button, 403, nothing
    queued and nothing recorded, for every installation-wide job."""
    client = client_as(who)
    html = client.get(LIST).content.decode()
    assert "Run now" not in html
    assert 'action="/jobs/run/"' not in html
    for name in INSTALLATION_JOBS:
        assert client.post(RUN_NOW, {"job": name}).status_code == 403, name
    assert not JobRun.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.JOB_REQUESTED).exists()


@pytest.fixture
def new_madrid_traces(people) -> dict[str, JobRun]:
    """Runs and mail that name New Madrid and its people: a run asked for by New Madrid's
    coordinator (before this change any holder of run_jobs could), a failed run whose error
    and output name the library, and New Madrid's mail, sent and failed."""
    new_madrid = Library.objects.get(slug="new-madrid")
    asked = JobRun.objects.create(
        name="retention",
        kind=RunKind.REQUESTED,
        status=JobStatus.SUCCEEDED,
        scheduled_for="2026-03-10T03:15Z",
        started_at="2026-03-10T03:15Z",
        finished_at="2026-03-10T03:16Z",
        requested_by=people["tech_coordinator"],
        output="New Madrid County Library: 12 loans unlinked (Tom Patel asked)",
    )
    failed = JobRun.objects.create(
        name="mail",
        status=JobStatus.FAILED,
        scheduled_for="2026-03-10T03:20Z",
        started_at="2026-03-10T03:20Z",
        finished_at="2026-03-10T03:21Z",
        error="ConnectionError: mail.new-madrid.example refused mreyes@new-madrid.example.org"
        "\n\nTraceback (most recent call last): Portageville",
    )
    for n, status in enumerate((MailStatus.SENT, MailStatus.FAILED, MailStatus.QUEUED)):
        message = queue_mail(
            to=[f"{people['director'].username}@new-madrid.example.org"],
            subject=f"Security incident #{n} at New Madrid County Library",
            body="Body",
            reason="incident.reported",
            library=new_madrid,
        )
        assert message is not None
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=status, last_error="SMTPRecipientsRefused: mreyes@new-madrid.example.org"
        )
    return {"asked": asked, "failed": failed}


def _leaks(html: str) -> list[str]:
    return [w for w in new_madrid_words() if re.search(rf"\b{re.escape(w)}\b", html)] + [
        w for w in ("new-madrid", "Tom Patel", "tpatel") if w in html
    ]


@pytest.mark.parametrize("who", ["outsider", "outsider_staff"])
def test_no_new_madrid_name_on_any_jobs_or_mail_page_for_crescos_people(
    people, client_as, new_madrid_traces, who
) -> None:
    client = client_as(who)
    urls = [LIST, "/", "/mail/", "/mail/?status=failed", "/mail/?status=sent"]
    urls += [f"/jobs/runs/{run.pk}/" for run in new_madrid_traces.values()]
    seen = 0
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 403), (url, response.status_code)
        seen += response.status_code == 200
        assert _leaks(response.content.decode()) == [], (who, url)
    # Cresco's director sees the pages (and their status); Cresco's staff none of them.
    assert seen == (len(urls) if who == "outsider" else 1)


def test_a_librarys_people_see_the_jobs_status_not_what_the_runs_did(
    people, client_as, new_madrid_traces
) -> None:
    """New Madrid's IT staff: the status, the time, the error's class; not the output, not
    the error's message, not who asked (it may be another library's person)."""
    client = client_as("it_staff")
    html = client.get(LIST).content.decode()
    assert "Succeeded" in html and "Failed" in html
    assert "Tom Patel" not in html
    detail = client.get(f"/jobs/runs/{new_madrid_traces['failed'].pk}/").content.decode()
    assert "Failed" in detail and "ConnectionError" in detail
    assert "refused" not in detail and "Traceback" not in detail
    detail = client.get(f"/jobs/runs/{new_madrid_traces['asked'].pk}/").content.decode()
    assert "loans unlinked" not in detail and "Tom Patel" not in detail
    assert "Requested (run now)" in detail


def test_a_failed_job_is_not_a_task_for_a_librarys_people(
    people, client_as, new_madrid_traces
) -> None:
    """They cannot fix or rerun it: the task goes to the person who runs the server."""
    for who in ("tech_coordinator", "director", "outsider"):
        assert "The job “Outgoing mail” failed" not in client_as(who).get("/").content.decode(), who
