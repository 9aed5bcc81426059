"""CR-5b: a card reported lost or stolen from the patron page is blocked at once; presenting
it afterwards is refused, and the refusal is on record."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bookwarden.audit.models import AuditAction
from bookwarden.core.tests.helpers import audit_head, events_since
from bookwarden.patrons.models import CardStatus
from bookwarden.patrons.record_access import Purpose

TITLE = "The Old Man and the Sea"


@pytest.mark.parametrize("status", [CardStatus.LOST, CardStatus.STOLEN])
def test_reported_card_no_longer_counts_as_consent(status, patrons, client_as) -> None:
    reader = patrons["reader"]
    card = reader.cards.get()
    staff = client_as("staff")
    records_url = reverse("patron_records", args=[reader.pk])
    desk = {"purpose": Purpose.DESK, "card_number": card.number, "record_types": ["loans"]}

    # Before: the card is consent.
    response = staff.post(records_url, desk, follow=True)
    assert response.status_code == 200 and TITLE in response.content.decode()

    head = audit_head()
    page = staff.get(reverse("patron_detail", args=[reader.pk])).content.decode()
    assert "Report card lost or stolen" in page
    response = staff.post(
        reverse("patron_report_card", args=[reader.pk]), {"card": card.pk, "status": status}
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.status == status
    (reported,) = events_since(head, AuditAction.CARD_REPORTED)
    assert reported.patron_id == reader.pk
    assert reported.after == {"card": card.pk, "status": str(status)}

    # At once: the same card presented again is refused, and the refusal recorded.
    response = staff.post(records_url, desk)
    assert response.status_code == 403
    body = response.content.decode()
    assert TITLE not in body
    assert "no longer counts as consent" in body
    refused = events_since(head, AuditAction.RECORDS_REFUSED)
    assert len(refused) == 1 and refused[0].patron_id == reader.pk
    assert not events_since(head, AuditAction.RECORDS_OPENED)


def test_the_demos_lost_card_is_refused_and_the_new_one_works(patrons, client_as) -> None:
    patron = patrons["lost_card"]
    url = reverse("patron_records", args=[patron.pk])
    staff = client_as("staff")
    lost = {"purpose": Purpose.DESK, "card_number": "21000000000045", "record_types": ["loans"]}
    assert staff.post(url, lost).status_code == 403
    new = dict(lost, card_number="21000000000052")
    assert staff.post(url, new, follow=True).status_code == 200


@pytest.mark.parametrize("who", ["volunteer", "auditor", "tech_coordinator"])
def test_only_desk_roles_report_cards(who, patrons, client_as) -> None:
    reader = patrons["reader"]
    card = reader.cards.get()
    response = client_as(who).post(
        reverse("patron_report_card", args=[reader.pk]), {"card": card.pk, "status": "lost"}
    )
    assert response.status_code == 403
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE
