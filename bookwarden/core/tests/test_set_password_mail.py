"""A new staff account without a password: the person is mailed a link to choose their own
(LV-3), through the outbox, so that the mail waits while the mail server is down and goes
out when the job loop's mail job finds it back.  The link is a secret: it is in the mail
only, never in an audit event or a log line."""

from __future__ import annotations

import datetime
import json
import logging
import re
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.models import AuditEvent
from bookwarden.core.models import User
from bookwarden.core.roles import Role
from bookwarden.mail.delivery import backoff
from bookwarden.mail.models import MailStatus, OutboxMessage

from .helpers import location_path, login_through_page

NEW_PASSWORD = "quiet-harbor-violin-maple-77"
LINK = re.compile(r"https?://[^/\s]+(/accounts/password/reset/key/(\S+)/)")


def _new_staff() -> dict[str, str]:
    return {
        "first_name": "Nora",
        "last_name": "Newhire",
        "username": "nnewhire",
        "email": "nora@new-madrid.example.org",
        "role": Role.STAFF,
        "branch": "",
        "ends_on": "",
        "password": "",
    }


def _run_jobs() -> None:
    call_command("jobs", "run", "--once", verbosity=0)


def _sent_to(address: str, smtp_server: Any) -> list[dict[str, Any]]:
    """What the server received for ``address`` (the loop sends the directors' weekly mail
    of the audit log's head too)."""
    return [m for m in smtp_server.inbox.messages if m["to"] == [address]]


@pytest.mark.django_db
def test_set_password_mail_waits_while_the_server_is_down_then_works(
    smtp_server, sudo_as, new_madrid, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    smtp_server.stop()
    response = sudo_as("director").post(
        reverse("staff_create", args=[new_madrid.slug]), _new_staff()
    )
    assert response.status_code == 302
    user = User.objects.get(username="nnewhire")
    assert not user.has_usable_password()
    (queued,) = OutboxMessage.objects.filter(reason="staff.set_password")
    assert queued.to == ["nora@new-madrid.example.org"]
    assert queued.library_id == new_madrid.pk and queued.about == f"core.user:{user.pk}"

    _run_jobs()  # the server is down: the mail waits, nothing is lost
    queued.refresh_from_db()
    assert queued.status == MailStatus.QUEUED and queued.attempts == 1
    assert not smtp_server.inbox.messages

    smtp_server.start()
    with time_machine.travel(timezone.now() + backoff(1) + datetime.timedelta(seconds=1)):
        _run_jobs()
    (mail,) = _sent_to("nora@new-madrid.example.org", smtp_server)
    assert "New Madrid" in mail["subject"]
    assert "Your username: nnewhire" in mail["body"]
    match = LINK.search(mail["body"])
    assert match, mail["body"]
    path, key = match.groups()

    # The link is in the mail only: no audit event and no log line holds it.
    for event in AuditEvent.objects.all():
        stored = json.dumps({f.attname: str(getattr(event, f.attname)) for f in event._meta.fields})
        assert key not in stored, event.action
    # (aiosmtpd's own debug log, "mail.log", is the test mail server's, not Bookwarden's.)
    logged = [r.getMessage() for r in caplog.records if not r.name.startswith("mail.log")]
    assert logged and not [line for line in logged if key in line]

    # Nora follows the link, chooses her password, and signs in with it.
    nora = Client()
    response = nora.get(path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    response = nora.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert location_path(login_through_page(Client(), "nnewhire", NEW_PASSWORD)) == "/"


@pytest.mark.django_db
def test_a_reset_asked_for_on_the_sign_in_page_goes_through_the_outbox_too(
    smtp_server, people
) -> None:
    """allauth's own mail (a forgotten password) is queued like every other mail."""
    smtp_server.stop()
    response = Client().post(reverse("account_reset_password"), {"email": people["staff"].email})
    assert response.status_code == 302
    (queued,) = OutboxMessage.objects.filter(reason="account.password_reset_key")
    assert queued.to == [people["staff"].email]
    smtp_server.start()
    _run_jobs()
    (mail,) = _sent_to(people["staff"].email, smtp_server)
    assert LINK.search(mail["body"]), mail["body"]
