"""Registering a patron, changing their details and issuing a new card from the staff pages
(CR-2c, CR-5b): through the actions, audited without personal values, refused to those who
may not manage patrons."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from bookwarden.audit.models import AuditAction
from bookwarden.core.tests.helpers import audit_head, events_since
from bookwarden.patrons.models import Card, CardStatus, Patron
from bookwarden.patrons.record_access import Purpose

NEW_CARD = "21000000000888"
TITLE = "The Old Man and the Sea"


def _form(patrons, **changes: str) -> dict[str, str]:
    data = {
        "library": "new-madrid",
        "card_number": NEW_CARD,
        "home_branch": str(patrons["parent"].home_branch_id),
        "first_name": "Marisol",
        "last_name": "Quintero",
        "address_line1": "12 Elm Street",
        "city": "New Madrid",
        "state": "MO",
        "postal_code": "63869",
        "phone": "573-555-0199",
        "email": "marisol@example.org",
        "birth_date": "2014-05-03",
        "guardian_card": "21000000000011",  # the parent's card
        "guardian_name": "",
        "notice_channel": "phone",
    }
    data.update(changes)
    return data


def _event_text(event) -> str:
    return f"{event.before} {event.after} {event.purpose}"


def test_links_only_for_those_who_manage_patrons(patrons, client_as) -> None:
    detail = reverse("patron_detail", args=[patrons["parent"].pk])
    page = client_as("staff").get(reverse("patron_search")).content.decode()
    assert reverse("patron_register") in page and "Register a patron" in page
    page = client_as("staff").get(detail).content.decode()
    assert reverse("patron_edit", args=[patrons["parent"].pk]) in page
    assert reverse("patron_issue_card", args=[patrons["parent"].pk]) in page
    assert "Edit details" in page and "Issue a new card" in page

    page = client_as("volunteer").get(reverse("patron_search")).content.decode()
    assert reverse("patron_register") not in page
    page = client_as("volunteer").get(detail).content.decode()
    assert reverse("patron_edit", args=[patrons["parent"].pk]) not in page
    assert reverse("patron_issue_card", args=[patrons["parent"].pk]) not in page


def test_the_form_has_labels_and_fieldsets(patrons, client_as) -> None:
    page = client_as("staff").get(reverse("patron_register")).content.decode()
    for legend in ("Library and card", "Personal information", "Guardian"):
        assert f"<legend>{legend}</legend>" in page
    assert '<legend>Send notices by <span class="req">(required)</span></legend>' in page
    assert '<label for="id_last_name">' in page
    assert '<label for="id_card_number">' in page
    assert '<input type="hidden" name="library" value="new-madrid"' in page
    assert "<script" not in page.split("<main", 1)[-1]
    assert "style=" not in page


def test_registering_creates_patron_and_card_and_is_audited(patrons, client_as) -> None:
    staff = client_as("staff")
    head = audit_head()
    response = staff.post(reverse("patron_register"), _form(patrons))
    patron = Patron.objects.get(last_name="Quintero")
    assert response.status_code == 302
    assert response["Location"] == reverse("patron_detail", args=[patron.pk])
    assert patron.library.slug == "new-madrid"
    assert patron.home_branch_id == patrons["parent"].home_branch_id
    assert patron.guardian_id == patrons["parent"].pk
    assert patron.notice_channel == "phone"
    assert str(patron.birth_date) == "2014-05-03"
    (card,) = patron.cards.all()
    assert card.number == NEW_CARD and card.status == CardStatus.ACTIVE

    (created,) = events_since(head, AuditAction.PATRON_CREATED)
    (issued,) = events_since(head, AuditAction.CARD_ISSUED)
    assert created.patron_id == patron.pk and issued.patron_id == patron.pk
    assert "last_name" in created.after["fields"] and "email" in created.after["fields"]
    assert issued.after == {"card": card.pk, "status": "active"}
    for event in (created, issued):
        text = _event_text(event)
        for value in ("Marisol", "Quintero", "Elm", "555-0199", "marisol@", "2014", NEW_CARD):
            assert value not in text

    page = staff.get(response["Location"]).content.decode()
    assert "is registered" in page


def test_a_guardian_by_name(patrons, client_as) -> None:
    data = _form(patrons, guardian_card="", guardian_name="Ana Quintero")
    response = client_as("staff").post(reverse("patron_register"), data)
    assert response.status_code == 302
    patron = Patron.objects.get(last_name="Quintero")
    assert patron.guardian_id is None and patron.guardian_name == "Ana Quintero"


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"last_name": ""}, "last_name", "This field is required."),
        ({"card_number": "21000000000011"}, "card_number", "already in use"),
        # Cresco's patron's card: not a patron of New Madrid.
        ({"guardian_card": "22000000000010"}, "guardian_card", "No patron of New Madrid"),
        ({"guardian_name": "Ana Quintero"}, "guardian_name", "not both"),
        ({"email": "not-an-address"}, "email", "valid email"),
    ],
)
def test_bad_input_is_shown_and_nothing_saved(changes, field, message, patrons, client_as) -> None:
    head = audit_head()
    patrons_before, cards_before = Patron.objects.count(), Card.objects.count()
    response = client_as("staff").post(reverse("patron_register"), _form(patrons, **changes))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was saved" in body
    assert f'id="id_{field}_error"' in body
    # The field names its error list, so a screen reader reads it when the field has focus.
    described = body.split(f'id="id_{field}"', 1)[0].rsplit("<input", 1)[1]
    assert f"id_{field}_error" in described.split("aria-describedby=", 1)[1].split('"')[1]
    errors = body.split(f'id="id_{field}_error"', 1)[1].split("</ul>", 1)[0]
    assert message in errors
    assert Patron.objects.count() == patrons_before
    assert Card.objects.count() == cards_before
    assert all(e.action.startswith("auth.") for e in events_since(head))
    assert not Patron.objects.filter(last_name="Quintero").exists()


def test_another_librarys_branch_is_refused(patrons, client_as) -> None:
    data = _form(patrons, home_branch=str(patrons["cresco_patron"].home_branch_id))
    response = client_as("staff").post(reverse("patron_register"), data)
    assert response.status_code == 400
    assert not Patron.objects.filter(last_name="Quintero").exists()


def test_registering_in_another_library_is_404(patrons, client_as) -> None:
    response = client_as("staff").post(reverse("patron_register"), _form(patrons, library="cresco"))
    assert response.status_code == 404
    assert not Patron.objects.filter(last_name="Quintero").exists()


def test_editing_changes_details_and_is_audited(patrons, client_as) -> None:
    minor = patrons["minor"]
    url = reverse("patron_edit", args=[minor.pk])
    staff = client_as("staff")
    page = staff.get(url).content.decode()
    assert 'value="21000000000011"' in page  # the guardian, by their card
    assert f'value="{minor.last_name}"' in page

    head = audit_head()
    data = _form(patrons, first_name=minor.first_name, last_name=minor.last_name)
    data.update(
        home_branch=str(minor.home_branch_id),
        address_line1="40 Main Street",
        phone="573-555-0142",
        email=minor.email,
        birth_date=str(minor.birth_date or ""),
        address_line2=minor.address_line2,
        city=minor.city,
        state=minor.state,
        postal_code=minor.postal_code,
        notice_channel=minor.notice_channel,
    )
    response = staff.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("patron_detail", args=[minor.pk])
    minor.refresh_from_db()
    assert minor.address_line1 == "40 Main Street" and minor.phone == "573-555-0142"
    assert minor.guardian_id == patrons["parent"].pk
    (event,) = events_since(head, AuditAction.PATRON_UPDATED)
    assert event.patron_id == minor.pk
    assert event.after == {"fields": ["address_line1", "phone"]}
    assert "Main" not in _event_text(event) and "0142" not in _event_text(event)


def test_editing_with_bad_input_saves_nothing(patrons, client_as) -> None:
    minor = patrons["minor"]
    head = audit_head()
    data = _form(patrons, last_name="", guardian_card=minor.cards.get().number)
    response = client_as("staff").post(reverse("patron_edit", args=[minor.pk]), data)
    assert response.status_code == 400
    assert 'id="id_last_name_error"' in response.content.decode()
    before = minor.first_name
    minor.refresh_from_db()
    assert minor.first_name == before and minor.last_name
    assert not events_since(head, AuditAction.PATRON_UPDATED)


def test_a_patron_cannot_be_their_own_guardian(patrons, client_as) -> None:
    parent = patrons["parent"]
    data = _form(patrons, last_name=parent.last_name, guardian_card="21000000000011")
    response = client_as("staff").post(reverse("patron_edit", args=[parent.pk]), data)
    assert response.status_code == 400
    assert "cannot be their own guardian" in response.content.decode()
    parent.refresh_from_db()
    assert parent.guardian_id is None


@pytest.mark.parametrize(
    "who, status",
    [
        ("volunteer", 403),
        ("auditor", 403),
        ("contractor", 403),
        ("outsider", 404),
        ("outsider_staff", 404),
    ],
)
def test_those_who_may_not_manage_patrons_are_refused(who, status, patrons, client_as) -> None:
    parent = patrons["parent"]
    client = client_as(who)
    head = audit_head()
    cards_before = list(Card.objects.order_by("pk").values())
    if who in ("volunteer", "auditor", "contractor"):
        assert client.get(reverse("patron_register")).status_code == 403
    assert client.post(reverse("patron_register"), _form(patrons)).status_code == status
    assert client.get(reverse("patron_edit", args=[parent.pk])).status_code == status
    edit = _form(patrons, last_name="Changed", guardian_card="")
    assert client.post(reverse("patron_edit", args=[parent.pk]), edit).status_code == status
    new_card = {"new-card_number": NEW_CARD}
    url = reverse("patron_issue_card", args=[parent.pk])
    assert client.post(url, new_card).status_code == status
    parent.refresh_from_db()
    assert parent.last_name != "Changed"
    assert not Patron.objects.filter(last_name="Quintero").exists()
    assert list(Card.objects.order_by("pk").values()) == cards_before
    assert all(e.action.startswith("auth.") for e in events_since(head))


def test_a_new_card_replaces_the_old_one_for_consent(patrons, client_as) -> None:
    reader = patrons["reader"]
    old = reader.cards.get()
    staff = client_as("staff")
    head = audit_head()
    response = staff.post(
        reverse("patron_issue_card", args=[reader.pk]), {"new-card_number": NEW_CARD}
    )
    assert response.status_code == 302
    old.refresh_from_db()
    new = reader.cards.get(number=NEW_CARD)
    assert old.status == CardStatus.REPLACED and not old.counts_as_consent
    assert new.status == CardStatus.ACTIVE and new.counts_as_consent
    (issued,) = events_since(head, AuditAction.CARD_ISSUED)
    assert issued.after == {"card": new.pk, "status": "active", "replaced": [old.pk]}
    page = staff.get(reverse("patron_detail", args=[reader.pk])).content.decode()
    assert f"Card {NEW_CARD} is issued" in page

    url = reverse("patron_records", args=[reader.pk])
    desk = {"purpose": Purpose.DESK, "record_types": ["loans"]}
    response = staff.post(url, dict(desk, card_number=NEW_CARD), follow=True)
    assert response.status_code == 200 and TITLE in response.content.decode()
    response = staff.post(url, dict(desk, card_number=old.number))
    assert response.status_code == 403 and TITLE not in response.content.decode()


def test_a_card_number_in_use_issues_nothing(patrons, client_as) -> None:
    reader = patrons["reader"]
    old = reader.cards.get()
    staff = client_as("staff")
    head = audit_head()
    response = staff.post(
        reverse("patron_issue_card", args=[reader.pk]), {"new-card_number": "21000000000011"}
    )
    assert response.status_code == 400
    old.refresh_from_db()
    assert old.status == CardStatus.ACTIVE and reader.cards.count() == 1
    assert not events_since(head, AuditAction.CARD_ISSUED)
    # The patron page again, the new card's section open: the error beside the number
    # typed, which is kept, with the cursor in it.
    page = response.content.decode()
    assert '<details id="issue-card" open>' in page
    assert "No card issued" in page and "That card number is already in use." in page
    assert 'value="21000000000011"' in page
    assert page.count("autofocus") == 1
    assert re.search(r'<input[^>]* autofocus [^>]*id="id_new-card_number"', page)
