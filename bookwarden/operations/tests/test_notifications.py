"""CC-9, IT-9: a security incident is reported at once to the director, the technology
coordinator and human resources (and, when it compromises integrity, to the assistant
director for operations too), through the outbox and a real SMTP server; those told
acknowledge it; nobody acknowledging in time escalates it, once."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.my_tasks import tasks_for
from bookwarden.mail import delivery
from bookwarden.mail.models import MailStatus, OutboxMessage
from bookwarden.operations import actions
from bookwarden.operations.models import IncidentNotice, LogEntry, OperationsSettings

NM_INCIDENT = {
    "mreyes@new-madrid.example.org",
    "tpatel@new-madrid.example.org",
    "agarcia@new-madrid.example.org",
}
NM_INTEGRITY = NM_INCIDENT | {"lchen@new-madrid.example.org"}


def _recipients() -> set[str]:
    return {address for m in OutboxMessage.objects.all() for address in m.to}


def test_an_incident_notifies_director_tech_coordinator_and_hr(make_entry) -> None:
    entry = make_entry(kind="phishing", title="Phishing")
    assert _recipients() == NM_INCIDENT
    assert all(len(m.to) == 1 for m in OutboxMessage.objects.all())  # one mail each
    assert OutboxMessage.objects.count() == 3
    assert entry.notified_at is not None
    body = OutboxMessage.objects.first().body  # type: ignore[union-attr]
    assert f"/operations/{entry.pk}/" in body


def test_an_integrity_incident_also_notifies_the_assistant_director(make_entry) -> None:
    """IT-9: data loss, inappropriate access, outside notification, intrusion."""
    make_entry(kind="data_loss", title="Laptop stolen", patron_data_involved=True)
    assert _recipients() == NM_INTEGRITY


def test_other_kinds_notify_nobody(make_entry) -> None:
    make_entry(kind="backup")
    make_entry(kind="staff_violation", title="Staff violation: x")
    assert not OutboxMessage.objects.exists()


def test_a_concern_classified_as_an_incident_notifies_then(people, new_madrid) -> None:
    entry = actions.report_concern(
        actor=people["staff"], library=new_madrid, narrative="Odd e-mail"
    )
    assert not OutboxMessage.objects.exists()
    actions.update_entry(actor=people["it_staff"], entry=entry, kind="phishing")
    assert _recipients() == NM_INCIDENT
    # Classified again as integrity: only the assistant director is added, nobody twice.
    actions.update_entry(actor=people["it_staff"], entry=entry, kind="inappropriate_access")
    assert _recipients() == NM_INTEGRITY
    assert OutboxMessage.objects.count() == 4


def test_a_reported_incident_notifies_at_once(people, client_as) -> None:
    client_as("volunteer").post(
        "/operations/report/", {"narrative": "Laptop gone", "kind": "data_loss"}
    )
    assert _recipients() == NM_INTEGRITY


def test_a_person_without_email_is_skipped_and_the_entry_says_so(people, make_entry) -> None:
    hr = people["human_resources"]
    hr.email = ""
    hr.save(update_fields=["email"])
    entry = make_entry(kind="malware", title="Malware")
    assert _recipients() == NM_INCIDENT - {"agarcia@new-madrid.example.org"}
    notice = IncidentNotice.objects.get(entry=entry, user=hr)
    assert not notice.emailed
    assert entry.steps.filter(text__contains="no e-mail address").exists()
    assert any(t.todo.startswith("Read it and acknowledge it now.") for t in tasks_for(hr))


@pytest.mark.django_db
def test_mail_server_down_delays_the_notices_but_loses_none(smtp_server, make_entry) -> None:
    smtp_server.stop()
    make_entry(kind="intrusion", title="Intrusion")
    first = delivery.deliver_due()
    assert (first.sent, first.retried) == (0, 4)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {MailStatus.QUEUED}
    assert all(m.last_error for m in OutboxMessage.objects.all())
    assert smtp_server.inbox.messages == []

    smtp_server.start()
    later = timezone.now() + delivery.backoff(1) + datetime.timedelta(seconds=1)
    with time_machine.travel(later):
        second = delivery.deliver_due()
    assert second.sent == 4
    received = sorted(address for m in smtp_server.inbox.messages for address in m["to"])
    assert received == sorted(NM_INTEGRITY)
    assert all("Security incident" in m["subject"] for m in smtp_server.inbox.messages)


def test_those_told_acknowledge_and_the_director_sees_who(people, make_entry, client_as) -> None:
    entry = make_entry(kind="phishing", title="Phishing")
    tech = people["tech_coordinator"]
    asked = f"operations:{entry.pk}", "Read it and acknowledge it now."
    assert any((t.key, t.todo[: len(asked[1])]) == asked for t in tasks_for(tech))
    page = client_as("tech_coordinator").get(f"/operations/{entry.pk}/").content.decode()
    assert "Acknowledge</button>" in page

    response = client_as("tech_coordinator").post(f"/operations/{entry.pk}/acknowledge/")
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.OPS_ACKNOWLEDGED, actor=tech).exists()
    tech.forget_roles()
    assert not any((t.key, t.todo[: len(asked[1])]) == asked for t in tasks_for(tech))
    # Acknowledging twice records once.
    actions.acknowledge(actor=tech, entry=entry)
    assert AuditEvent.objects.filter(action=AuditAction.OPS_ACKNOWLEDGED).count() == 1

    # The director was told too: one item, to acknowledge, saying who else has.
    (task,) = [t for t in tasks_for(people["director"]) if t.key == f"operations:{entry.pk}"]
    assert task.title == f"Security incident #{entry.pk}: Phishing"
    assert task.urgent and task.todo.startswith("Read it and acknowledge it now.")
    assert "1 of 3 people told has acknowledged it; not yet Ana Garcia and you." in task.state
    home = client_as("director").get("/").content.decode()
    assert home.count(f"Security incident #{entry.pk}: Phishing") == 1
    assert "1 of 3 people told has acknowledged it" in home
    # Once she has acknowledged, it is no longer urgent: she sees who has not yet (and, as
    # she runs the log, by when to close it).
    actions.acknowledge(actor=people["director"], entry=entry)
    (task,) = [t for t in tasks_for(people["director"]) if t.key == f"operations:{entry.pk}"]
    assert not task.urgent
    assert "Remind those who have not acknowledged it." in task.todo
    assert "2 of 3 people told have acknowledged it; not yet Ana Garcia." in task.state
    # The entry page shows it too.
    page = client_as("director").get(f"/operations/{entry.pk}/").content.decode()
    assert "Not yet" in page


def test_only_those_told_may_acknowledge(people, make_entry, client_as) -> None:
    entry = make_entry(kind="phishing", title="Phishing")  # not integrity: not lchen
    with pytest.raises(PermissionDenied):
        actions.acknowledge(actor=people["assistant_director"], entry=entry)
    assert client_as("auditor").post(f"/operations/{entry.pk}/acknowledge/").status_code == 403
    assert client_as("outsider").post(f"/operations/{entry.pk}/acknowledge/").status_code == 404


def _escalations() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(reason="operations.escalation"))


def test_escalation_once_after_the_configured_minutes(people, make_entry, new_madrid) -> None:
    OperationsSettings.objects.create(library=new_madrid, escalation_minutes=30)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        entry = make_entry(kind="malware", title="Malware")
    with time_machine.travel(start + datetime.timedelta(minutes=29), tick=False):
        assert actions.escalate_unacknowledged() == 0
    with time_machine.travel(start + datetime.timedelta(minutes=31), tick=False):
        assert actions.escalate_unacknowledged() == 1
        assert actions.escalate_unacknowledged() == 0  # once
    with time_machine.travel(start + datetime.timedelta(hours=5), tick=False):
        call_command("jobs", "run", "--once", verbosity=0)
    (mail,) = _escalations()
    assert set(mail.to) == NM_INCIDENT  # the director and everyone told
    event = AuditEvent.objects.get(action=AuditAction.OPS_ESCALATED)
    assert event.actor is None
    assert LogEntry.objects.get(pk=entry.pk).escalated_at is not None


def test_no_escalation_once_someone_acknowledged(people, make_entry) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        entry = make_entry(kind="malware", title="Malware")
        actions.acknowledge(actor=people["human_resources"], entry=entry)
    with time_machine.travel(start + datetime.timedelta(hours=2), tick=False):
        assert actions.escalate_unacknowledged() == 0
    assert _escalations() == []


def test_the_default_escalation_is_sixty_minutes(make_entry) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        make_entry(kind="malware", title="Malware")
    with time_machine.travel(start + datetime.timedelta(minutes=59), tick=False):
        assert actions.escalate_unacknowledged() == 0
    with time_machine.travel(start + datetime.timedelta(minutes=61), tick=False):
        assert actions.escalate_unacknowledged() == 1


def test_the_escalation_job_is_registered_every_five_minutes() -> None:
    from bookwarden.jobs.registry import get_job

    assert get_job("escalation").every == datetime.timedelta(minutes=5)
