"""CR-6e: every affected patron is notified.  E-mail goes through the outbox to a real SMTP
server and names what kinds of records may have been seen, never their contents; the notice
status follows the outbox; patrons without e-mail get a printed letter, tracked until it is
mailed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.breach import actions
from bookwarden.breach.models import AffectedPatron, BreachStatus, Channel, NoticeStatus
from bookwarden.mail.delivery import deliver_due
from bookwarden.mail.models import MailStatus, OutboxMessage
from bookwarden.patrons.record_access import Purpose, open_records

from .conftest import RECORD_CONTENTS
from .factories import declare


@pytest.fixture
def breach(people, patrons, new_madrid):
    """The staff account opened the parent's loans and holds, the reader's searches and the
    minor's records (the minor has no e-mail); all listed from the audit log."""
    staff = people["staff"]
    for key, types in (("parent", ["loans", "holds"]), ("reader", ["searches"]), ("minor", None)):
        open_records(
            actor=staff,
            patron=patrons[key],
            purpose=Purpose.PATRON_REQUEST,
            note="asked by phone",
            record_types=types,
        )
    breach = declare(new_madrid, [staff], actor=people["tech_coordinator"])
    actions.list_affected(actor=people["tech_coordinator"], breach=breach)
    assert AffectedPatron.objects.filter(breach=breach).count() == 3
    return breach


def _states(breach) -> dict[str, str]:
    return {
        a.patron.first_name: a.notice_state
        for a in AffectedPatron.objects.filter(breach=breach)
        .with_notice_state()
        .select_related("patron")
    }


def test_email_notices_go_through_the_outbox_and_name_no_titles(
    people, patrons, breach, smtp_server
) -> None:
    coordinator = people["tech_coordinator"]
    done = actions.notify(actor=coordinator, breach=breach)
    assert (done.emailed, done.letters) == (2, 1)
    assert _states(breach) == {
        "Rosa": NoticeStatus.QUEUED,
        "Walter": NoticeStatus.QUEUED,
        "Leo": NoticeStatus.LETTER_PENDING,
    }
    messages = OutboxMessage.objects.filter(reason=actions.MAIL_REASON)
    assert messages.count() == 2
    assert smtp_server.inbox.messages == []  # nothing is sent inside the action

    assert deliver_due().sent == 2
    received = {m["to"][0]: m for m in smtp_server.inbox.messages}
    assert set(received) == {"rosa.delgado@example.org", "w.okafor@example.org"}
    rosa = received["rosa.delgado@example.org"]
    assert rosa["subject"] == "New Madrid County Library: a notice about your library records"
    body = rosa["body"]
    assert body.startswith("Dear Rosa Delgado,")
    assert "loans and holds" in body
    assert "Someone used a staff password" in body  # what happened
    assert "We locked the account" in body  # what the library is doing
    assert "573-555-0100" in body  # whom to contact
    assert "When: between" in body
    walter = received["w.okafor@example.org"]["body"]
    assert "catalog searches" in walter
    assert "loans" not in walter
    for message in received.values():
        for content in RECORD_CONTENTS:
            assert content not in message["body"], content
            assert content not in message["subject"], content

    # The status follows the outbox: sent when the outbox says sent.
    assert _states(breach) == {
        "Rosa": NoticeStatus.SENT,
        "Walter": NoticeStatus.SENT,
        "Leo": NoticeStatus.LETTER_PENDING,
    }
    row = AffectedPatron.objects.select_related("outbox_message").get(patron=patrons["reader"])
    assert row.state == NoticeStatus.SENT
    assert row.channel == Channel.EMAIL

    events = AuditEvent.objects.filter(action=AuditAction.BREACH_NOTICE_QUEUED)
    assert {e.patron_id for e in events} == {patrons["parent"].pk, patrons["reader"].pk}
    assert all(e.after["channel"] == "email" for e in events)
    breach.refresh_from_db()
    assert breach.status == BreachStatus.NOTIFYING

    # Pressing "Notify" again sends nothing twice.
    with pytest.raises(ValidationError, match="already has a notice"):
        actions.notify(actor=coordinator, breach=breach)
    assert OutboxMessage.objects.filter(reason=actions.MAIL_REASON).count() == 2


def test_notice_waits_while_the_mail_server_is_down(people, breach, smtp_server) -> None:
    actions.notify(actor=people["tech_coordinator"], breach=breach)
    smtp_server.stop()
    assert deliver_due().retried == 2
    assert _states(breach)["Rosa"] == NoticeStatus.QUEUED


def test_an_email_the_outbox_gave_up_on_becomes_a_letter(people, patrons, breach) -> None:
    actions.notify(actor=people["tech_coordinator"], breach=breach)
    row = AffectedPatron.objects.get(patron=patrons["parent"])
    # The mail job gives up after repeated errors (bookwarden.mail.delivery).
    OutboxMessage.objects.filter(pk=row.outbox_message_id).update(status=MailStatus.FAILED)
    assert _states(breach)["Rosa"] == NoticeStatus.FAILED
    done = actions.notify(actor=people["tech_coordinator"], breach=breach)
    assert done.switched == 1
    row.refresh_from_db()
    assert (row.channel, row.notice_status) == (Channel.LETTER, NoticeStatus.LETTER_PENDING)


def test_letters_for_patrons_without_email(people, patrons, breach, client_as) -> None:
    coordinator = people["tech_coordinator"]
    actions.notify(actor=coordinator, breach=breach)
    letters = actions.print_letters(actor=coordinator, breach=breach)
    assert [letter.affected.patron for letter in letters] == [patrons["minor"]]
    leo = letters[0]
    # A child's notice goes to the parent or guardian.
    assert leo.notice.greeting == "To the parent or guardian of Leo Delgado,"
    for content in RECORD_CONTENTS:
        assert content not in leo.notice.body
    row = AffectedPatron.objects.get(patron=patrons["minor"])
    assert row.notice_status == NoticeStatus.PRINTED
    assert row.letter_printed_by == coordinator
    printed = AuditEvent.objects.get(action=AuditAction.BREACH_LETTER_PRINTED)
    assert printed.patron_id == patrons["minor"].pk
    assert printed.after == {"breach": breach.pk, "reprint": False}

    with pytest.raises(ValidationError, match="no letters"):
        actions.print_letters(actor=coordinator, breach=breach)
    again = actions.print_letters(actor=coordinator, breach=breach, reprint=True)
    assert len(again) == 1
    assert AuditEvent.objects.filter(action=AuditAction.BREACH_LETTER_PRINTED).count() == 2

    actions.mark_letter_sent(actor=coordinator, affected=row)
    row.refresh_from_db()
    assert row.notice_status == NoticeStatus.LETTER_SENT
    assert row.marked_sent_by == coordinator
    marked = AuditEvent.objects.get(action=AuditAction.BREACH_NOTICE_MARKED_SENT)
    assert marked.patron_id == patrons["minor"].pk

    # Marking a letter that was never printed is refused.
    other = actions.add_patron_by_hand(
        actor=coordinator, breach=breach, patron=patrons["lost_card"], reason="screenshot"
    )
    with pytest.raises(ValidationError, match="Print the letter"):
        actions.mark_letter_sent(actor=coordinator, affected=other)


def test_review_is_recorded(people, breach) -> None:
    director = people["director"]
    with pytest.raises(ValidationError) as exc:
        actions.record_review(
            actor=director, breach=breach, practice_evaluated=" ", procedures_changed=""
        )
    assert set(exc.value.message_dict) == {"practice_evaluated", "procedures_changed"}
    actions.record_review(
        actor=director,
        breach=breach,
        practice_evaluated="Desk logins used passwords only.",
        procedures_changed="Two-factor login for every staff role.",
    )
    breach.refresh_from_db()
    assert breach.status == BreachStatus.REVIEWED
    assert breach.reviewed_by == director
    assert breach.practice_evaluated == "Desk logins used passwords only."
    event = AuditEvent.objects.get(action=AuditAction.BREACH_REVIEW_RECORDED)
    assert event.after == {"amended": False, "status": "reviewed"}
    actions.record_review(
        actor=director, breach=breach, practice_evaluated="More.", procedures_changed="More."
    )
    assert AuditEvent.objects.filter(action=AuditAction.BREACH_REVIEW_RECORDED).count() == 2
