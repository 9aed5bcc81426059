"""Staff side of the portal: setting a patron's PIN at the desk, and the custodian's page of
openings where one is hidden from the patron on a court's non-disclosure order."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.patrons import actions
from bookwarden.patrons.models import SealedOpening
from bookwarden.patrons.pins import pin_matches, validate_pin
from bookwarden.patrons.record_access import Purpose, open_records, openings_shown_to_patron


@pytest.mark.parametrize("pin", ["", "12a4", "123", "1234567890123", "0000", "1234", "9876"])
def test_guessable_or_malformed_pins_are_refused(pin) -> None:
    with pytest.raises(ValidationError):
        validate_pin(pin)


def test_a_pin_made_of_the_cards_last_digits_is_refused() -> None:
    with pytest.raises(ValidationError):
        validate_pin("0011", ["21000000000011"])
    assert validate_pin("5093", ["21000000000011"]) == "5093"


def test_staff_set_the_pin_from_the_patron_page(patrons, client_as) -> None:
    rosa = patrons["parent"]
    client = client_as("staff")
    target = reverse("patron_set_pin", args=[rosa.pk])
    # Refused: the patron page again, the PIN section open with its error beside the field
    # and the cursor in it (the PIN itself is never sent back).
    response = client.post(target, {"pin-pin": "1111", "pin-pin_again": "1111"})
    assert response.status_code == 400
    page = response.content.decode()
    assert '<details id="portal-pin" open>' in page
    assert "No PIN set" in page and "That PIN is too easy to guess" in page
    assert 'value="1111"' not in page
    assert page.count("autofocus") == 1
    assert re.search(r'<input[^>]* autofocus [^>]*id="id_pin-pin"', page)
    client.post(target, {"pin-pin": "480621", "pin-pin_again": "480621"})
    rosa.refresh_from_db()
    assert pin_matches(rosa.portal_pin, "480621")
    event = AuditEvent.objects.filter(action=AuditAction.PIN_SET).latest("seq")
    assert event.actor_id is not None and event.after == {"by": "staff", "first": False}
    assert "480621" not in json.dumps([event.before, event.after])
    detail = client.get(reverse("patron_detail", args=[rosa.pk])).content.decode()
    assert "480621" not in detail and "A PIN is set" in detail


def test_a_volunteer_may_not_set_a_pin(patrons, people) -> None:
    with pytest.raises(PermissionDenied):
        actions.set_portal_pin(actor=people["volunteer"], patron=patrons["parent"], pin="480621")


def _opening(people, patron, who="staff"):
    return open_records(
        actor=people[who], patron=patron, purpose=Purpose.PATRON_REQUEST, note="asked"
    ).event


def test_the_custodian_hides_an_opening_from_the_page(patrons, people, client_as) -> None:
    rosa = patrons["parent"]
    event = _opening(people, rosa)
    client = client_as("designee")
    target = reverse("patron_openings", args=[rosa.pk])
    page = client.get(target).content.decode()
    assert f"<td>{event.seq}</td>" in page and "Hide on a court order" in page

    missing = client.post(target, {"event": event.pk, "order_reference": " "})
    assert missing.status_code == 400 and "Name the court order" in missing.content.decode()
    assert not SealedOpening.objects.exists()

    until = timezone.localdate() + datetime.timedelta(days=60)
    response = client.post(
        target,
        {"event": event.pk, "order_reference": "Circuit Court 26-CV-9", "sealed_until": until},
    )
    assert response.status_code == 302
    seal = SealedOpening.objects.get()
    assert seal.event_id == event.pk and seal.sealed_until == until
    assert seal.sealed_by == people["designee"]
    assert openings_shown_to_patron(rosa) == []
    # The event itself is still in the log, unchanged.
    assert AuditEvent.objects.filter(pk=event.pk, action=AuditAction.RECORDS_OPENED).exists()


def test_only_openings_of_that_patron_can_be_sealed(patrons, people, client_as) -> None:
    rosa, leo = patrons["parent"], patrons["minor"]
    leos = _opening(people, leo)
    response = client_as("director").post(
        reverse("patron_openings", args=[rosa.pk]),
        {"event": leos.pk, "order_reference": "Circuit Court 26-CV-9"},
    )
    assert response.status_code == 400
    assert not SealedOpening.objects.exists()
    login = AuditEvent.objects.filter(action=AuditAction.PATRON_CREATED).first()
    with pytest.raises(ValidationError):
        actions.seal_opening(actor=people["director"], event=login, order_reference="x")


def test_staff_who_are_not_custodians_may_not_seal(patrons, people) -> None:
    event = _opening(people, patrons["parent"])
    with pytest.raises(PermissionDenied):
        actions.seal_opening(actor=people["staff"], event=event, order_reference="x")
    with pytest.raises(PermissionDenied):
        actions.seal_opening(actor=people["outsider"], event=event, order_reference="x")
