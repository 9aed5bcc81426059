"""The portal login: card number and PIN, the PIN hashed, lockout after failures, lost
cards refused (CR-5b), idle sessions ended, every attempt on record."""

from __future__ import annotations

import datetime
import json

import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.patrons import actions as patron_actions
from bookwarden.patrons.demo import DEMO_PIN
from bookwarden.patrons.models import Card, CardStatus

from .conftest import card_of, login_url, url


def _post(client: Client, patron, number: str, pin: str):
    return client.post(login_url(patron), {"card_number": number, "pin": pin})


def test_card_and_pin_open_the_portal_and_the_login_is_recorded(patrons, portal_as) -> None:
    rosa = patrons["parent"]
    client = portal_as("parent")
    page = client.get(url("home", rosa)).content.decode()
    assert "Hello, Rosa" in page
    event = AuditEvent.objects.filter(action=AuditAction.PORTAL_LOGIN).latest("seq")
    assert event.patron_id == rosa.pk and event.actor_id is None


def test_the_pin_is_stored_hashed_and_never_recorded(patrons) -> None:
    rosa = patrons["parent"]
    rosa.refresh_from_db()
    assert DEMO_PIN not in rosa.portal_pin
    assert rosa.portal_pin.startswith(("md5$", "argon2$"))
    for event in AuditEvent.objects.filter(patron_id=rosa.pk):
        assert DEMO_PIN not in json.dumps([event.before, event.after, event.purpose])


def test_a_wrong_pin_is_refused_and_recorded_without_what_was_typed(patrons) -> None:
    rosa = patrons["parent"]
    number = card_of(rosa)
    response = _post(Client(), rosa, number, "9182")
    assert response.status_code == 400
    assert "do not match" in response.content.decode()
    event = AuditEvent.objects.filter(action=AuditAction.PORTAL_LOGIN_FAILED).latest("seq")
    assert event.patron_id == rosa.pk
    assert event.after == {"reason": "wrong PIN"}
    assert "9182" not in json.dumps([event.before, event.after, event.purpose])
    # An unknown card: recorded without the number typed.
    _post(Client(), rosa, "29990000000000", DEMO_PIN)
    event = AuditEvent.objects.filter(action=AuditAction.PORTAL_LOGIN_FAILED).latest("seq")
    assert event.patron_id is None and event.after == {"reason": "unknown card"}
    assert "29990000000000" not in json.dumps([event.before, event.after, event.target_id])


def test_five_failures_lock_the_card_even_for_the_right_pin_until_the_window_passes(
    patrons,
) -> None:
    rosa = patrons["parent"]
    number = card_of(rosa)
    client = Client()
    for _ in range(settings.PORTAL_LOCKOUT_FAILURES - 1):
        assert _post(client, rosa, number, "9182").status_code == 400
    last = _post(client, rosa, number, "9182")
    assert last.status_code == 429
    assert "locked" in last.content.decode()
    assert AuditEvent.objects.filter(
        action=AuditAction.PORTAL_LOCKED_OUT, patron_id=rosa.pk
    ).exists()
    # The right PIN is refused while the lock lasts ...
    assert _post(Client(), rosa, number, DEMO_PIN).status_code == 429
    # ... and works once the window has passed.
    later = timezone.now() + datetime.timedelta(minutes=settings.PORTAL_LOCKOUT_MINUTES + 1)
    with time_machine.travel(later):
        assert _post(Client(), rosa, number, DEMO_PIN).status_code == 302


def test_one_address_trying_many_cards_is_locked(patrons, settings) -> None:
    settings.PORTAL_LOCKOUT_ADDRESS_FAILURES = 6
    rosa, leo = patrons["parent"], patrons["minor"]
    client = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(6):
        _post(client, rosa, f"2100000000{i:04d}", "9182")
    # Leo's card and PIN are right, but this address is locked.
    assert _post(client, leo, card_of(leo), DEMO_PIN).status_code == 429
    assert _post(Client(REMOTE_ADDR="198.51.100.4"), leo, card_of(leo), DEMO_PIN).status_code == 302


def test_a_card_reported_lost_opens_nothing_even_with_the_right_pin(patrons, people) -> None:
    """CR-5b: June's first card was reported lost; her new card works."""
    june = patrons["lost_card"]
    lost = Card.objects.get(patron=june, status=CardStatus.LOST)
    response = _post(Client(), june, lost.number, DEMO_PIN)
    assert response.status_code == 400
    event = AuditEvent.objects.filter(action=AuditAction.PORTAL_LOGIN_FAILED).latest("seq")
    assert event.after == {"reason": "card lost"}
    assert _post(Client(), june, card_of(june), DEMO_PIN).status_code == 302


def test_reporting_the_card_lost_ends_a_session_at_once(patrons, people, portal_as) -> None:
    rosa = patrons["parent"]
    client = portal_as("parent")
    assert client.get(url("records", rosa)).status_code == 200
    patron_actions.report_card(
        actor=people["staff"], card=rosa.cards.get(), status=CardStatus.STOLEN
    )
    response = client.get(url("records", rosa))
    assert response.status_code == 302 and response["Location"] == login_url(rosa)


def test_a_patron_without_a_pin_cannot_sign_in(patrons, people) -> None:
    rosa = patrons["parent"]
    rosa.portal_pin = ""
    rosa.save(update_fields=["portal_pin"])
    assert _post(Client(), rosa, card_of(rosa), DEMO_PIN).status_code == 400
    event = AuditEvent.objects.filter(action=AuditAction.PORTAL_LOGIN_FAILED).latest("seq")
    assert event.after == {"reason": "no PIN set"}


def test_an_idle_session_ends_after_the_library_idle_timeout(patrons, portal_as) -> None:
    rosa = patrons["parent"]
    client = portal_as("parent")
    minutes = rosa.library.idle_timeout_minutes
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes - 1)):
        assert client.get(url("home", rosa)).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2 * minutes + 1)):
        response = client.get(url("home", rosa))
    assert response.status_code == 302 and response["Location"] == login_url(rosa)


def test_logout_ends_the_session_and_is_recorded(patrons, portal_as) -> None:
    rosa = patrons["parent"]
    client = portal_as("parent")
    assert client.post(url("logout", rosa)).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.PORTAL_LOGOUT, patron_id=rosa.pk).exists()
    assert client.get(url("home", rosa))["Location"] == login_url(rosa)


def test_portal_pages_are_never_cached(patrons, portal_as) -> None:
    rosa = patrons["parent"]
    response = portal_as("parent").get(url("records", rosa))
    assert "no-store" in response["Cache-Control"]


def test_a_staff_login_opens_nothing_in_the_portal(patrons, client_as) -> None:
    """The portal never uses the staff login: the director is sent to the portal login."""
    rosa = patrons["parent"]
    client = client_as("director")
    for name in ("home", "records", "who_opened", "reading_history", "pin"):
        response = client.get(url(name, rosa))
        assert response.status_code == 302 and response["Location"] == login_url(rosa), name
    before = rosa.keeps_reading_history
    client.post(url("reading_history", rosa), {"keep": "yes" if not before else "no"})
    rosa.refresh_from_db()
    assert rosa.keeps_reading_history == before
