"""CR-5, LV-3: the records page leaves the check to the access function.  A refused opening
writes exactly one event, the refusal, with the stated purpose; an allowed one writes
exactly one, the opening.  The page checks nothing of its own and records nothing of its
own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.tests.helpers import audit_head
from bookwarden.patrons.record_access import Purpose

OLD_TITLE = "The Old Man and the Sea"  # a loan of every demo patron
ASKED = {"purpose": Purpose.PATRON_REQUEST, "note": "asked at the desk", "record_types": "loans"}


def events_after(seq: int) -> list[AuditEvent]:
    """Every event since ``seq`` except those of signing in."""
    return list(
        AuditEvent.objects.filter(seq__gt=seq).exclude(action__startswith="auth.").order_by("seq")
    )


def post(client, patron, data):
    return client.post(reverse("patron_records", args=[patron.pk]), data, follow=True)


# The volunteer sees the patron page but may not open records; the technology coordinator
# may not even find patrons.  Both are refused by the access function, with the purpose.
@pytest.mark.parametrize("who", ["volunteer", "tech_coordinator"])
def test_a_role_that_may_not_open_records_writes_one_refusal(who, patrons, client_as) -> None:
    parent = patrons["parent"]
    head = audit_head()
    response = post(client_as(who), parent, ASKED)
    assert response.status_code == 403
    assert OLD_TITLE not in response.content.decode()
    (refusal,) = events_after(head)
    assert refusal.action == AuditAction.RECORDS_REFUSED
    assert refusal.patron_id == parent.pk
    assert refusal.purpose == "patron_request: asked at the desk"
    assert refusal.after == {"reason": "role lacks open_records"}


def test_the_volunteer_is_told_on_the_patron_page(patrons, client_as) -> None:
    body = post(client_as("volunteer"), patrons["parent"], ASKED).content.decode()
    assert "Not opened: Your role may not open these records" in body
    assert "This refusal is on record." in body


def test_a_custodian_purpose_by_desk_staff_writes_one_refusal(patrons, client_as) -> None:
    head = audit_head()
    data = {**ASKED, "purpose": Purpose.INVESTIGATION, "note": "damage to PC-03"}
    response = post(client_as("staff"), patrons["parent"], data)
    assert response.status_code == 403
    assert "This refusal is on record." in response.content.decode()
    (refusal,) = events_after(head)
    assert refusal.action == AuditAction.RECORDS_REFUSED
    assert refusal.purpose == "investigation: damage to PC-03"


def test_an_allowed_opening_writes_one_opening(patrons, client_as) -> None:
    parent = patrons["parent"]
    head = audit_head()
    response = post(client_as("staff"), parent, ASKED)
    assert response.status_code == 200
    assert OLD_TITLE in response.content.decode()
    (opening,) = events_after(head)
    assert opening.action == AuditAction.RECORDS_OPENED
    assert (opening.patron_id, opening.purpose) == (parent.pk, "patron_request: asked at the desk")
    assert opening.after == {"record_types": ["loans"]}
