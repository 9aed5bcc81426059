"""CR-5, CR-5b, CR-5d, CR-5i: who may open records for which purpose, and the audit events
of every opening and every refusal (through the pages and the access function)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.tests.helpers import audit_head, events_since
from bookwarden.patrons import record_access as access
from bookwarden.patrons.record_access import Purpose

OLD_TITLE = "The Old Man and the Sea"  # overdue loan of every demo patron
NEW_TITLE = "A Field Guide to Missouri Birds"  # loan not yet due
SEARCH_TERMS = "river flood history"

# Who may use each purpose at New Madrid (roles.py): the custodian purposes need the
# director or the designee.
ORDINARY = {
    Purpose.DESK: {"card_number": "21000000000011"},
    Purpose.PATRON_REQUEST: {"note": "Asked at the desk, ID checked"},
    Purpose.OVERDUE_RECOVERY: {},
}
CUSTODIAN = {
    Purpose.LAST_BORROWER: {"note": "A letter was left in a returned book"},
    Purpose.INVESTIGATION: {"note": "Damage to PC-03 reported"},
}
MAY_OPEN = ("director", "designee", "assistant_director", "staff")
MAY_NOT_OPEN = (
    "tech_coordinator",
    "it_staff",
    "human_resources",
    "volunteer",
    "contractor",
    "auditor",
)
CUSTODIANS = ("director", "designee")


def _post(client, patron, purpose, types=("loans",), **extra):
    data = {"purpose": purpose, "record_types": list(types), **extra}
    # An opening goes on to its own page (followed here); a refusal answers at once.
    return client.post(reverse("patron_records", args=[patron.pk]), data, follow=True)


@pytest.mark.parametrize("who", MAY_OPEN)
@pytest.mark.parametrize("purpose", list(ORDINARY))
def test_ordinary_purposes_for_desk_roles(who, purpose, patrons, client_as) -> None:
    parent = patrons["parent"]
    head = audit_head()
    response = _post(client_as(who), parent, purpose, **ORDINARY[purpose])
    assert response.status_code == 200, response.content.decode()[:3000]
    assert OLD_TITLE in response.content.decode()
    opened = events_since(head, AuditAction.RECORDS_OPENED)
    assert len(opened) == 1
    assert opened[0].patron_id == parent.pk
    assert opened[0].purpose.startswith(purpose)
    assert opened[0].after == {"record_types": ["loans"]}


@pytest.mark.parametrize("who", MAY_OPEN)
@pytest.mark.parametrize("purpose", list(CUSTODIAN))
def test_custodian_purposes_only_for_the_custodian(who, purpose, patrons, client_as) -> None:
    parent = patrons["parent"]
    head = audit_head()
    response = _post(client_as(who), parent, purpose, **CUSTODIAN[purpose])
    body = response.content.decode()
    if who in CUSTODIANS:
        assert response.status_code == 200
        assert OLD_TITLE in body
        assert len(events_since(head, AuditAction.RECORDS_OPENED)) == 1
    else:
        assert response.status_code == 403
        assert OLD_TITLE not in body
        assert "refusal is on record" in body
        assert not events_since(head, AuditAction.RECORDS_OPENED)
        refused = events_since(head, AuditAction.RECORDS_REFUSED)
        assert len(refused) == 1 and refused[0].patron_id == parent.pk


@pytest.mark.parametrize("who", MAY_NOT_OPEN)
def test_roles_without_the_permission_are_refused_and_recorded(who, patrons, client_as) -> None:
    parent = patrons["parent"]
    head = audit_head()
    response = _post(client_as(who), parent, Purpose.PATRON_REQUEST, note="asked")
    assert response.status_code == 403
    assert OLD_TITLE not in response.content.decode()
    assert not events_since(head, AuditAction.RECORDS_OPENED)
    refused = events_since(head, AuditAction.RECORDS_REFUSED)
    assert [e.patron_id for e in refused] == [parent.pk]


def test_the_purposes_offered_follow_the_role(patrons, client_as) -> None:
    url = reverse("patron_detail", args=[patrons["parent"].pk])
    staff_page = client_as("staff").get(url).content.decode()
    director_page = client_as("director").get(url).content.decode()
    for purpose in ORDINARY:
        assert f'value="{purpose}"' in staff_page
        assert f'value="{purpose}"' in director_page
    for purpose in CUSTODIAN:
        assert f'value="{purpose}"' not in staff_page
        assert f'value="{purpose}"' in director_page


def test_desk_with_the_patrons_card_opens(patrons, client_as) -> None:
    response = _post(
        client_as("staff"), patrons["parent"], Purpose.DESK, card_number="21000000000011"
    )
    assert response.status_code == 200
    assert NEW_TITLE in response.content.decode()


def test_desk_with_another_patrons_card_is_refused(patrons, client_as) -> None:
    parent = patrons["parent"]
    head = audit_head()
    # The minor's card, presented for the parent: not consent (CR-5b).
    response = _post(client_as("staff"), parent, Purpose.DESK, card_number="21000000000029")
    assert response.status_code == 403
    body = response.content.decode()
    assert OLD_TITLE not in body and NEW_TITLE not in body
    assert "not this patron" in body
    refused = events_since(head, AuditAction.RECORDS_REFUSED)
    assert len(refused) == 1 and refused[0].patron_id == parent.pk
    assert not events_since(head, AuditAction.RECORDS_OPENED)


def test_desk_without_a_card_number_is_a_form_error_and_opens_nothing(patrons, client_as) -> None:
    head = audit_head()
    response = _post(client_as("staff"), patrons["parent"], Purpose.DESK)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter the number of the card" in body
    assert OLD_TITLE not in body
    assert not events_since(head, AuditAction.RECORDS_OPENED)
    assert not events_since(head, AuditAction.RECORDS_REFUSED)


def test_incomplete_form_shows_errors_and_opens_nothing(patrons, client_as) -> None:
    head = audit_head()
    url = reverse("patron_records", args=[patrons["parent"].pk])
    response = client_as("staff").post(url, {"purpose": Purpose.PATRON_REQUEST})
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required." in body
    assert OLD_TITLE not in body
    # A patron request needs a note: the access function says so, nothing is opened.
    response = _post(client_as("staff"), patrons["parent"], Purpose.PATRON_REQUEST)
    assert response.status_code == 400
    assert "Say what was asked" in response.content.decode()
    assert not events_since(head, AuditAction.RECORDS_OPENED)


def test_overdue_recovery_shows_only_overdue_loans(patrons, client_as) -> None:
    response = _post(client_as("staff"), patrons["parent"], Purpose.OVERDUE_RECOVERY)
    body = response.content.decode()
    assert response.status_code == 200
    assert OLD_TITLE in body
    assert NEW_TITLE not in body
    assert SEARCH_TERMS not in body
    # Asking for more than loans is a form error, not a wider opening.
    response = _post(
        client_as("staff"), patrons["parent"], Purpose.OVERDUE_RECOVERY, types=("loans", "searches")
    )
    assert response.status_code == 400
    assert SEARCH_TERMS not in response.content.decode()


def test_opening_is_recorded_before_records_are_read(patrons, people, monkeypatch) -> None:
    """The RECORDS_OPENED event exists when the first record is read, and names the patron,
    purpose and record types, never titles or search terms."""
    parent = patrons["parent"]
    seen = []
    real_read = access._read

    def spy(key, patron, purpose):
        seen.append(
            AuditEvent.objects.filter(
                action=AuditAction.RECORDS_OPENED, patron_id=patron.pk
            ).count()
        )
        return real_read(key, patron, purpose)

    monkeypatch.setattr(access, "_read", spy)
    head = audit_head()
    opened = access.open_records(
        actor=people["staff"],
        patron=parent,
        purpose=Purpose.PATRON_REQUEST,
        record_types=["loans", "searches"],
        note="asked by phone, identity checked",
    )
    assert seen == [1, 1]
    assert [r.title for r in opened.records["loans"]]
    (event,) = events_since(head, AuditAction.RECORDS_OPENED)
    assert event.patron_id == parent.pk
    assert event.after == {"record_types": ["loans", "searches"]}
    assert event.purpose.startswith(Purpose.PATRON_REQUEST)
    text = f"{event.before} {event.after} {event.purpose}"
    assert OLD_TITLE not in text and NEW_TITLE not in text and SEARCH_TERMS not in text


def test_refusal_raises_and_is_recorded_by_the_access_function(patrons, people) -> None:
    head = audit_head()
    with pytest.raises(PermissionDenied):
        access.open_records(
            actor=people["staff"],
            patron=patrons["parent"],
            purpose=Purpose.INVESTIGATION,
            note="suspicion",
        )
    assert len(events_since(head, AuditAction.RECORDS_REFUSED)) == 1


def test_volunteer_sees_no_details_and_no_records_form(patrons, client_as) -> None:
    parent = patrons["parent"]
    response = client_as("volunteer").get(reverse("patron_detail", args=[parent.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Delgado" in body  # name and card status are what a volunteer may see
    assert parent.phone not in body
    assert parent.email not in body
    assert "12 Mill Street" not in body
    assert "21000000000011" not in body  # card numbers are details
    assert reverse("patron_records", args=[parent.pk]) not in body
    assert "Open library records" not in body
    assert reverse("patron_report_card", args=[parent.pk]) not in body


def test_desk_staff_see_details(patrons, client_as) -> None:
    minor = patrons["minor"]
    body = client_as("staff").get(reverse("patron_detail", args=[minor.pk])).content.decode()
    assert "Minor" in body
    assert "Rosa Delgado" in body  # the guardian
    assert "Mail" in body  # notice preference
    assert "Open library records" in body


@pytest.mark.parametrize("who", ["outsider", "outsider_staff"])
def test_another_librarys_patron_is_404(who, patrons, client_as) -> None:
    parent = patrons["parent"]
    client = client_as(who)
    head = audit_head()
    assert client.get(reverse("patron_detail", args=[parent.pk])).status_code == 404
    response = _post(client, parent, Purpose.PATRON_REQUEST, note="asked")
    assert response.status_code == 404
    data = {"card": parent.cards.get().pk, "status": "lost"}
    assert client.post(reverse("patron_report_card", args=[parent.pk]), data).status_code == 404
    assert parent.cards.get().status == "active"
    assert not events_since(head, AuditAction.RECORDS_OPENED)
    assert not events_since(head, AuditAction.CARD_REPORTED)


def test_last_borrower_for_the_custodian(patrons, client_as) -> None:
    url = reverse("last_borrower")
    data = {"library": "new-madrid", "item_barcode": "3re0001", "note": "A letter inside"}
    head = audit_head()
    response = client_as("designee").post(url, data)
    assert response.status_code == 200
    assert "Walter Okafor" in response.content.decode()
    (event,) = events_since(head, AuditAction.RECORDS_OPENED)
    assert event.patron_id == patrons["reader"].pk
    assert event.purpose.startswith(Purpose.LAST_BORROWER)
    assert "3re0001" not in str(event.after)
    # Staff may not; Cresco's director is told New Madrid does not exist.
    assert client_as("staff").post(url, data).status_code == 403
    assert client_as("outsider").post(url, data).status_code == 404
    assert len(events_since(head, AuditAction.RECORDS_OPENED)) == 1
