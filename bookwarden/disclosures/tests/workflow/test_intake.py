"""Intake (CC-5): any staff member records a request in a minute, with the document and its
SHA-256, and is told not to answer the requester."""

from __future__ import annotations

import hashlib

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.disclosures.models import DisclosureRequest

from .helpers import SUBPOENA, upload


def test_staff_records_a_request_with_its_document(client_as, people, patrons, media) -> None:
    client = client_as("staff")
    assert client.get("/disclosures/new/").status_code == 200
    response = client.post(
        "/disclosures/new/",
        {
            "library": "new-madrid",
            "requester_name": "Det. Sam Ruiz",
            "requester_agency": "New Madrid County Sheriff",
            "requester_type": "law_enforcement",
            "instrument": "subpoena",
            "instrument_reference": "Case 26-CR-114",
            "document": upload(),
            "cards": "21000000000037",
            "record_types": ["loans", "holds"],
            "date_from": "2026-01-01",
            "date_to": "2026-12-31",
            "deadline": "2026-12-15",
            "finding": "none",
        },
        follow=True,
    )
    assert response.status_code == 200
    req = DisclosureRequest.objects.get()
    assert list(req.patrons.all()) == [patrons["reader"]]
    assert req.received_by == people["staff"]
    assert req.record_types == ["loans", "holds"]
    [document] = req.documents.all()
    assert document.sha256 == hashlib.sha256(SUBPOENA).hexdigest()
    assert document.file.read() == SUBPOENA
    page = response.content.decode()
    assert "Do not answer the requester yourself" in page
    assert "RSMo" not in page  # the review is the custodian's, not shown to the intake
    actions = set(AuditEvent.objects.filter(target_id=str(req.pk)).values_list("action", flat=True))
    assert {
        AuditAction.DISCLOSURE_REQUEST_RECORDED,
        AuditAction.DISCLOSURE_DOCUMENT_ADDED,
    } <= actions
    # The staff member sees their own intake in the list; the custodian sees every request.
    assert f"#{req.pk}" in client.get("/disclosures/").content.decode()
    assert f"#{req.pk}" in client_as("director").get("/disclosures/").content.decode()


def test_intake_names_only_patrons_of_the_library(client_as, patrons, media) -> None:
    response = client_as("staff").post(
        "/disclosures/new/",
        {
            "library": "new-madrid",
            "requester_name": "Someone",
            "requester_type": "attorney",
            "instrument": "subpoena",
            "cards": patrons["cresco_patron"].cards.first().number,
            "record_types": ["loans"],
            "finding": "none",
        },
    )
    assert response.status_code == 200
    assert "No card of this library" in response.content.decode()
    assert not DisclosureRequest.objects.exists()


def test_documents_are_never_served_to_others(client_as, people, patrons, media) -> None:
    from .helpers import nm_request

    req = nm_request(people, [patrons["reader"]], document=upload())
    doc = req.documents.get()
    url = f"/disclosures/{req.pk}/documents/{doc.pk}/"
    assert client_as("staff").get(url).status_code == 403
    assert client_as("outsider").get(url).status_code == 404
    response = client_as("designee").get(url)
    assert response.status_code == 200 and response.content == SUBPOENA
    assert AuditEvent.objects.filter(action=AuditAction.DISCLOSURE_DOCUMENT_VIEWED).count() == 1
    assert client_as("volunteer").get(f"/disclosures/{req.pk}/").status_code == 403
    assert client_as("staff").get(f"/disclosures/{req.pk}/").status_code == 200
