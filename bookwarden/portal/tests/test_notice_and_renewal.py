"""The privacy notice on every portal page in one line, and in full on its own page (NM-7,
CR-6b), built from the library's own law and retention rules, with no requirement ids; and the
reminder of privacy rights when a card is renewed (CR-6c)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.patrons import actions as patron_actions
from bookwarden.patrons.actions import CARD_TERM
from bookwarden.patrons.models import Card, CardStatus
from bookwarden.patrons.record_access import Purpose, open_records
from bookwarden.patrons.retention_rules import set_retention_rule

from .conftest import url

#: The notice in one line, on every page; in full on its own page.
ONE_LINE = 'id="privacy-line"'
FULL_NOTICE = "Your privacy at New Madrid County Library"
#: A requirement id such as CR-5b: staff shorthand, never in what patrons read.
REQUIREMENT_ID = re.compile(r"\b(CC|CR|NM|IT|LV)-\d")


@pytest.mark.parametrize(
    "name", ["login", "privacy", "home", "records", "reading_history", "who_opened", "pin"]
)
def test_every_portal_page_carries_the_notice_in_one_line(name, patrons, portal_as) -> None:
    rosa = patrons["parent"]
    client = Client() if name in ("login", "privacy") else portal_as("parent")
    page = client.get(url(name, rosa)).content.decode()
    line = page[page.index(ONE_LINE) :].split("</p>")[0]
    assert reverse("portal:privacy", kwargs={"slug": "new-madrid"}) in line
    # The full notice is on its own page only: it no longer fills a phone's first screen.
    assert (FULL_NOTICE in page) == (name == "privacy")


def test_the_full_notice_names_the_law(patrons) -> None:
    page = Client().get(url("privacy", patrons["parent"])).content.decode()
    assert FULL_NOTICE in page
    assert "RSMo 182.817.1" in page  # Missouri's law, from its rule pack


@pytest.mark.parametrize("name", ["privacy", "who_opened"])
def test_patrons_read_no_requirement_ids(name, patrons, people, portal_as) -> None:
    rosa = patrons["parent"]
    card = rosa.cards.get().number
    open_records(actor=people["staff"], patron=rosa, purpose=Purpose.DESK, card_number=card)
    page = portal_as("parent").get(url(name, rosa)).content.decode()
    assert "Serving the patron at the desk, who presents their card" in page
    assert not REQUIREMENT_ID.search(page), REQUIREMENT_ID.search(page)


def test_the_notice_follows_the_librarys_retention_rules(patrons, people) -> None:
    rosa = patrons["parent"]
    page = Client().get(url("privacy", rosa)).content.decode()
    assert "Deleted 7 days after the search" in page
    assert "Deleted 24 hours after the session ends" in page
    set_retention_rule(
        actor=people["director"],
        library=rosa.library,
        record_type="searches",
        action="delete",
        days=3,
    )
    page = Client().get(url("privacy", rosa)).content.decode()
    assert "Deleted 3 days after the search" in page
    assert "Deleted 7 days after the search" not in page


def test_the_notice_follows_the_librarys_state(patrons) -> None:
    anna = patrons["cresco_patron"]
    page = Client().get(url("privacy", anna)).content.decode()
    assert "Your privacy at Cresco Public Library" in page
    assert "Iowa Code" in page and "RSMo" not in page


def test_renewal_needs_the_reminder_and_the_portal_repeats_it(patrons, people, portal_as) -> None:
    rosa = patrons["parent"]
    card = rosa.cards.get()
    with pytest.raises(ValidationError):
        patron_actions.renew_card(actor=people["staff"], card=card, reminded=False)
    card.refresh_from_db()
    assert card.expires_on is None

    renewed = patron_actions.renew_card(actor=people["staff"], card=card, reminded=True)
    assert renewed.expires_on == timezone.localdate() + CARD_TERM
    event = AuditEvent.objects.filter(action=AuditAction.CARD_RENEWED).latest("seq")
    assert event.patron_id == rosa.pk and event.after["privacy_notice_given"] is True

    client = portal_as("parent")
    page = client.get(url("home", rosa)).content.decode()
    assert "a reminder of your privacy rights" in page
    client.post(url("privacy_read", rosa))
    assert AuditEvent.objects.filter(
        action=AuditAction.PRIVACY_REMINDER_READ, patron_id=rosa.pk
    ).exists()
    assert "a reminder of your privacy rights" not in client.get(url("home", rosa)).content.decode()


def test_renewing_from_the_patron_page(patrons, client_as) -> None:
    rosa = patrons["parent"]
    card = rosa.cards.get()
    Card.objects.filter(pk=card.pk).update(
        status=CardStatus.EXPIRED, expires_on=timezone.localdate() - datetime.timedelta(days=3)
    )
    client = client_as("staff")
    detail = client.get(reverse("patron_detail", args=[rosa.pk])).content.decode()
    assert "remind the patron of their privacy rights" in detail
    target = reverse("patron_renew_card", args=[rosa.pk])
    refused = client.post(target, {"renew-card": card.pk}, follow=True).content.decode()
    assert "Give the patron the privacy notice" in refused
    card.refresh_from_db()
    assert card.status == CardStatus.EXPIRED
    client.post(target, {"renew-card": card.pk, "renew-reminded": "on"})
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE
    assert card.expires_on == timezone.localdate() + CARD_TERM


def test_a_lost_card_cannot_be_renewed(patrons, people) -> None:
    june = patrons["lost_card"]
    lost = Card.objects.get(patron=june, status=CardStatus.LOST)
    with pytest.raises(ValidationError):
        patron_actions.renew_card(actor=people["staff"], card=lost, reminded=True)
