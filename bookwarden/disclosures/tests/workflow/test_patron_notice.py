"""The patron is told of a disclosure (NM-7) unless a gag order forbids it; a sealed
disclosure stays hidden in the patron portal while the order lasts.  The request page shows
an e-mail notice as the outbox has it: waiting, sent, or given up (then a letter)."""

from __future__ import annotations

import datetime

import time_machine
from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.my_tasks import tasks_for
from bookwarden.disclosures import actions
from bookwarden.disclosures.models import NoticeState, PatronNotice
from bookwarden.mail.delivery import deliver_due
from bookwarden.mail.jobs import mail as mail_job
from bookwarden.mail.models import MAX_ATTEMPTS, MailStatus, OutboxMessage
from bookwarden.patrons.record_access import openings_shown_to_patron

from .helpers import events_of, nm_request, released


def _court_order(people, who, **kw):
    return nm_request(
        people,
        who,
        instrument="court_order",
        finding="public_safety",
        record_types=["loans", "holds"],
        **kw,
    )


def test_the_patron_is_told_by_mail(people, patrons, media, smtp_server) -> None:
    reader = patrons["reader"]
    req = released(people, _court_order(people, [reader]))
    assert deliver_due().sent == 1
    [message] = smtp_server.inbox.messages
    text = message["subject"] + message["body"]
    assert message["to"] == ["w.okafor@example.org"]
    assert "law enforcement" in text
    assert "loans, holds" in text.lower()
    assert "Field Guide" not in text and "Night Sky" not in text  # never the contents
    assert PatronNotice.objects.get(request=req).state == NoticeState.MAILED
    assert "disclosure.patron_notified" in events_of(req)
    [opening] = openings_shown_to_patron(reader)
    assert "custodian of records" in opening.purpose


def test_a_patron_without_email_needs_a_letter(people, patrons, media) -> None:
    req = released(people, _court_order(people, [patrons["lost_card"]]))
    assert PatronNotice.objects.get(request=req).state == NoticeState.LETTER_NEEDED


def test_a_gag_order_holds_the_notice_and_hides_the_opening(
    client_as, people, patrons, media, smtp_server
) -> None:
    reader = patrons["reader"]
    until = timezone.localdate() + datetime.timedelta(days=30)
    req = released(
        people,
        _court_order(
            people,
            [reader],
            gag_order=True,
            gag_reference="Order of Judge Hale, 26-CR-114",
            gag_until=until,
        ),
    )
    assert deliver_due().sent == 0
    assert smtp_server.inbox.messages == []
    assert PatronNotice.objects.get(request=req).state == NoticeState.HELD
    assert openings_shown_to_patron(reader) == []
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_SEALED, patron_id=reader.pk).exists()
    page = client_as("director").get(f"/disclosures/{req.pk}/").content.decode()
    assert "A non-disclosure order is in force" in page
    # Telling the patron is refused while the order lasts.
    assert client_as("director").post(f"/disclosures/{req.pk}/notify/").status_code == 302
    assert PatronNotice.objects.get(request=req).state == NoticeState.HELD

    with time_machine.travel(timezone.now() + datetime.timedelta(days=32)):
        todos = [t.todo for t in tasks_for(people["director"]) if t.urgent]
        assert any("Tell the patrons whose records were released" in t for t in todos)
        assert len(openings_shown_to_patron(reader)) == 1
        assert actions.notify_held_patrons(actor=people["director"], request=req) == 1
        assert deliver_due().sent == 1
    assert PatronNotice.objects.get(request=req).state == NoticeState.MAILED


def test_the_notice_says_e_mailed_only_once_the_outbox_sent_it(
    client_as, people, patrons, media, smtp_server
) -> None:
    req = released(people, _court_order(people, [patrons["reader"]]))
    client = client_as("director")
    page = client.get(f"/disclosures/{req.pk}/").content.decode()
    assert "E-mail waiting in the outbox, not sent yet" in page
    assert "E-mailed" not in page
    assert smtp_server.inbox.messages == []

    mail_job()  # the job loop's mail job sends the outbox
    assert len(smtp_server.inbox.messages) == 1
    page = client.get(f"/disclosures/{req.pk}/").content.decode()
    assert "E-mailed on " in page and "waiting in the outbox" not in page


def test_a_notice_the_outbox_gave_up_on_asks_for_a_letter(
    client_as, people, patrons, media, smtp_server
) -> None:
    smtp_server.stop()
    req = released(people, _court_order(people, [patrons["reader"]]))
    when = timezone.now()
    for _ in range(MAX_ATTEMPTS):
        when += datetime.timedelta(hours=2)
        with time_machine.travel(when):
            mail_job()
    assert OutboxMessage.objects.get().status == MailStatus.FAILED
    page = client_as("director").get(f"/disclosures/{req.pk}/").content.decode()
    assert "E-mail could not be sent" in page and "E-mailed" not in page
    (task,) = [t for t in tasks_for(people["director"]) if t.key == f"disclosures:{req.pk}"]
    assert task.todo.startswith("Post a letter to the patron (no e-mail address")
