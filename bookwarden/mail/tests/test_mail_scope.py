"""Issue 9: whose mail each person sees and sends again.  A library's people (``view_jobs``
there) see their library's mail only; the installation's own mail (no library) is for the
installation role alone, which sees of the libraries' mail only how many messages wait,
failed or went, never to whom."""

from __future__ import annotations

import pytest

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.models import Library
from bookwarden.mail.actions import queue_mail, resend_failed
from bookwarden.mail.models import MailStatus, OutboxMessage

OUTBOX = "/mail/"
RESEND = "/mail/resend/"


def _failed(to: str, library: Library | None) -> OutboxMessage:
    message = queue_mail(to=[to], subject="Subject", body="Body", reason="test", library=library)
    assert message is not None
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=MailStatus.FAILED, attempts=12, last_error=f"SMTPRecipientsRefused: {to}"
    )
    return message


@pytest.fixture
def failed(people) -> dict[str, OutboxMessage]:
    return {
        "new-madrid": _failed("nm-person@example.org", Library.objects.get(slug="new-madrid")),
        "cresco": _failed("cresco-person@example.org", Library.objects.get(slug="cresco")),
        "installation": _failed("server-person@example.org", None),
    }


ADDRESSES = {
    "new-madrid": "nm-person@example.org",
    "cresco": "cresco-person@example.org",
    "installation": "server-person@example.org",
}
SEES = {
    "tech_coordinator": {"new-madrid"},
    "it_staff": {"new-madrid"},
    "director": {"new-madrid"},
    "outsider": {"cresco"},
    "server_admin": {"installation"},
}


@pytest.mark.parametrize("who", list(SEES))
def test_each_person_sees_their_own_mail_only(people, client_as, failed, who) -> None:
    client = client_as(who)
    for url in (OUTBOX, OUTBOX + "?status=failed"):
        html = client.get(url).content.decode()
        for source, address in ADDRESSES.items():
            assert (address in html) is (source in SEES[who]), (who, url, source)
    home = client.get("/").content.decode()
    assert "1 message could not be sent" in home


def test_the_installation_role_sees_how_the_libraries_mail_is_doing(
    people, client_as, failed
) -> None:
    html = client_as("server_admin").get(OUTBOX).content.decode()
    assert "The libraries&#x27; mail" in html or "The libraries' mail" in html
    assert "New Madrid" not in html and "Cresco" not in html
    assert "<td>2</td>" in html  # the two libraries' failed messages, counted together


def test_staff_without_view_jobs_get_403(people, client_as, failed) -> None:
    assert client_as("staff").get(OUTBOX).status_code == 403
    assert client_as("outsider_staff").get(OUTBOX).status_code == 403


@pytest.mark.parametrize(
    ("who", "resent"),
    [
        ("tech_coordinator", {"new-madrid"}),
        ("director", {"new-madrid"}),
        ("outsider", {"cresco"}),
        ("server_admin", {"installation"}),
    ],
)
def test_each_sends_again_only_their_own_failed_mail(people, client_as, failed, who, resent):
    response = client_as(who).post(RESEND)
    assert response.status_code == 302
    for source, message in failed.items():
        message.refresh_from_db()
        want = MailStatus.QUEUED if source in resent else MailStatus.FAILED
        assert message.status == want, (who, source)
    [event] = AuditEvent.objects.filter(action=AuditAction.MAIL_RESENT)
    assert event.actor == people[who]
    assert event.after == {"messages": 1}
    library = None if resent == {"installation"} else Library.objects.get(slug=next(iter(resent)))
    assert event.library == library


def test_it_staff_see_failed_mail_but_do_not_send_it_again(people, client_as, failed) -> None:
    client = client_as("it_staff")
    assert (
        "Send the failed messages again"
        not in client.get(OUTBOX + "?status=failed").content.decode()
    )
    assert client.post(RESEND).status_code == 403
    assert client_as("outsider_staff").post(RESEND).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.MAIL_RESENT).exists()
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {MailStatus.FAILED}


def test_the_command_line_sends_all_failed_mail_again(people, failed) -> None:
    assert resend_failed(actor=None) == 3
    events = AuditEvent.objects.filter(action=AuditAction.MAIL_RESENT)
    assert sorted((e.library_id or 0) for e in events) == sorted(
        [0, *Library.objects.values_list("pk", flat=True)]
    )
