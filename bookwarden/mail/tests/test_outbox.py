"""The outbox (DESIGN: mail goes through an outbox table so that nothing is lost while the
mail server is down), against a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import datetime
import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.models import Library
from bookwarden.mail import delivery
from bookwarden.mail.actions import queue_mail, resend_failed
from bookwarden.mail.models import MAX_ATTEMPTS, MailStatus, OutboxMessage


def _queue(n: int = 2, **extra) -> list[OutboxMessage]:
    out = []
    for i in range(n):
        message = queue_mail(
            to=[f"person{i}@example.org"],
            subject=f"Incident #{i} reported",
            body=f"Body {i}",
            reason="test",
            **extra,
        )
        assert message is not None
        out.append(message)
    return out


@pytest.mark.django_db
def test_mail_waits_while_the_server_is_down_and_none_is_lost(smtp_server) -> None:
    smtp_server.stop()
    queued = _queue(2)
    first = delivery.deliver_due()
    assert (first.sent, first.retried) == (0, 2)
    for message in OutboxMessage.objects.all():
        assert message.status == MailStatus.QUEUED
        assert message.attempts == 1
        assert "ConnectionRefusedError" in message.last_error
        assert message.next_attempt_at > timezone.now()
    # Not due yet: nothing is tried again before the back-off.
    assert delivery.deliver_due().retried == 0

    smtp_server.start()
    later = timezone.now() + delivery.backoff(1) + datetime.timedelta(seconds=1)
    with time_machine.travel(later):
        second = delivery.deliver_due()
    assert (second.sent, second.retried) == (2, 0)
    got = sorted((m["to"][0], m["subject"]) for m in smtp_server.inbox.messages)
    assert got == [
        ("person0@example.org", "Incident #0 reported"),
        ("person1@example.org", "Incident #1 reported"),
    ]
    ids = {m["headers"]["X-Bookwarden-Message"] for m in smtp_server.inbox.messages}
    assert ids == {str(m.pk) for m in queued}
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {MailStatus.SENT}
    # Sent once: a later delivery sends nothing again.
    assert delivery.deliver_due().sent == 0
    assert len(smtp_server.inbox.messages) == 2


@pytest.mark.django_db
def test_the_job_loop_sends_the_outbox(smtp_server, people) -> None:
    [queued] = _queue(1)
    call_command("jobs", "run", "--once", verbosity=0)
    # The loop's first tick runs every job, and some queue mail of their own (the
    # directors' weekly audit-log mail): everything queued was sent, this message once.
    sent = [
        m["to"]
        for m in smtp_server.inbox.messages
        if m["headers"]["X-Bookwarden-Message"] == str(queued.pk)
    ]
    assert sent == [["person0@example.org"]]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {MailStatus.SENT}


@pytest.mark.django_db
def test_a_message_is_given_up_only_after_many_tries_and_can_be_sent_again(
    smtp_server, people
) -> None:
    smtp_server.stop()
    (message,) = _queue(1)
    when = timezone.now()
    for _ in range(MAX_ATTEMPTS):
        when += datetime.timedelta(hours=2)
        with time_machine.travel(when):
            delivery.deliver_due()
    message.refresh_from_db()
    assert message.status == MailStatus.FAILED and message.attempts == MAX_ATTEMPTS

    smtp_server.start()
    # Mail of no library is the installation's: the installation role sends it again.
    assert resend_failed(actor=people["server_admin"]) == 1
    assert AuditEvent.objects.filter(action=AuditAction.MAIL_RESENT).exists()
    delivery.deliver_due()
    message.refresh_from_db()
    assert message.status == MailStatus.SENT
    assert len(smtp_server.inbox.messages) == 1


@pytest.mark.django_db
def test_queueing_checks_the_addresses_and_dedupes() -> None:
    with pytest.raises(ValidationError):
        queue_mail(to=[], subject="x", body="y", reason="test")
    with pytest.raises(ValidationError):
        queue_mail(to=["not an address"], subject="x", body="y", reason="test")
    first = queue_mail(to=["a@example.org"], subject="x", body="y", reason="t", dedupe_key="k1")
    again = queue_mail(to=["a@example.org"], subject="x", body="y", reason="t", dedupe_key="k1")
    assert first is not None and again is None
    assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db
def test_a_stale_claim_goes_back_to_the_queue(smtp_server) -> None:
    (message,) = _queue(1)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=MailStatus.SENDING, claimed_by="dead:1", claimed_at=timezone.now()
    )
    assert delivery.deliver_due().sent == 0  # another worker has it
    later = timezone.now() + delivery.STALE_AFTER + datetime.timedelta(minutes=1)
    with time_machine.travel(later):
        assert delivery.deliver_due().sent == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_message_twice(smtp_server, tmp_path) -> None:
    from bookwarden.conftest import threads_can_share_the_database

    _queue(20)
    with threads_can_share_the_database(tmp_path):
        errors: list[BaseException] = []
        start = threading.Barrier(2)

        def work() -> None:
            try:
                start.wait()
                delivery.deliver_due()
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=work) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert errors == []
    received = sorted(m["to"][0] for m in smtp_server.inbox.messages)
    assert received == sorted(f"person{i}@example.org" for i in range(20))


def test_failed_mail_is_a_task_and_the_page_shows_no_contents(people, client_as) -> None:
    library = Library.objects.get(slug="new-madrid")
    (message,) = _queue(1, library=library)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=MailStatus.FAILED, last_error="SMTPServerDisconnected: gone"
    )
    home = client_as("tech_coordinator").get("/").content.decode()
    assert "1 message could not be sent" in home
    page = client_as("tech_coordinator").get("/mail/?status=failed").content.decode()
    assert "person0@example.org" in page and "SMTPServerDisconnected" in page
    assert "Incident #0 reported" not in page and "Body 0" not in page
    # Cresco's director sees nothing of New Madrid's mail.
    assert "person0@example.org" not in client_as("outsider").get("/mail/").content.decode()
    assert client_as("staff").get("/mail/").status_code == 403
