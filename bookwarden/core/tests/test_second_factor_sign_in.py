"""The second factor as a person meets it: a code typed twice is refused with the reason,
and a sign-in with the password and a code counts as the confirmation that a sensitive step
asks for (LV-3, CC-7)."""

from __future__ import annotations

import datetime

import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from bookwarden.audit.models import AuditAction
from bookwarden.core.second_factor import REUSED_CODE_MESSAGE

from .helpers import audit_head, events_since, location_path, login_through_page, totp_code

# The start of a 30-second period: both sign-ins below fall in the same one.
START = datetime.datetime(2026, 3, 2, 9, 0, 0, tzinfo=datetime.UTC)


def _sign_in_with_code(client: Client, code: str):
    response = login_through_page(client, "mreyes")
    assert location_path(response) == reverse("mfa_authenticate")
    return client.post(reverse("mfa_authenticate"), {"code": code})


def test_a_code_used_twice_is_refused_with_the_reason(people) -> None:
    with time_machine.travel(START, tick=False):
        code = totp_code()
        first = Client()
        assert location_path(_sign_in_with_code(first, code)) == "/"
        head = audit_head()

        response = _sign_in_with_code(Client(), code)
        assert response.status_code == 200
        page = response.content.decode()
        assert REUSED_CODE_MESSAGE in page
        assert "Incorrect code" not in page
        (refused,) = events_since(head, AuditAction.MFA_FAILED)
        assert refused.after == {"type": "totp", "reused": True}
        assert not events_since(head, AuditAction.LOGIN)

    # The next code signs in.
    with time_machine.travel(START + datetime.timedelta(seconds=30), tick=False):
        later = Client()
        assert location_path(_sign_in_with_code(later, totp_code())) == "/"


def test_a_wrong_code_says_what_to_type(people) -> None:
    with time_machine.travel(START, tick=False):
        wrong = f"{(int(totp_code()) + 1) % 1_000_000:06d}"
        page = _sign_in_with_code(Client(), wrong).content.decode()
    assert "That code is not right" in page
    assert REUSED_CODE_MESSAGE not in page


def test_exporting_right_after_signing_in_with_a_code_does_not_ask_again(people) -> None:
    """A sign-in that checked the password and a code is a recent confirmation; once the
    configured time has passed, the export asks again."""
    export = reverse("audit:export")
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        assert location_path(_sign_in_with_code(client, totp_code())) == "/"
        head = audit_head()

        traveller.shift(60)
        response = client.get(export)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert events_since(head, AuditAction.AUDIT_EXPORTED)
        assert not events_since(head, AuditAction.REAUTHENTICATED)

        traveller.shift(settings.ACCOUNT_REAUTHENTICATION_TIMEOUT)
        response = client.get(export)
        assert location_path(response) == reverse("account_reauthenticate")
