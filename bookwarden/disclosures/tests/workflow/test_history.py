"""Closure (CR-5a, NM-4): every step is an audit event, and the request page shows the whole
history."""

from __future__ import annotations

from bookwarden.audit.models import AuditEvent
from bookwarden.disclosures import actions

from .helpers import events_of, nm_request, upload


def test_every_step_is_an_audit_event_and_the_page_shows_them(
    client_as, people, patrons, media
) -> None:
    from django.utils import timezone

    req = nm_request(
        people,
        [patrons["reader"]],
        instrument="court_order",
        finding="public_safety",
        document=upload(),
    )
    director = people["director"]
    actions.record_counsel(
        actor=director,
        request=req,
        counsel_name="Ada Price",
        consulted_at=timezone.now(),
        advice="The order states the finding: release.",
    )
    actions.verify_identity(actor=director, request=req, how="Badge and photo ID.")
    actions.verify_instrument(
        actor=director,
        request=req,
        document=req.documents.get(),
        how="Called the clerk of the court.",
        finding_confirmed=True,
    )
    actions.decide(actor=director, request=req, verdict="release_all", reasons="Valid order.")
    actions.fulfil(actor=director, request=req)
    client = client_as("director")
    client.get(f"/disclosures/{req.pk}/packet/")
    actions.close_request(actor=director, request=req, note="Packet handed to the sheriff.")
    assert events_of(req) == [
        "disclosure.request_recorded",
        "disclosure.document_added",
        "disclosure.counsel_recorded",
        "disclosure.identity_verified",
        "disclosure.instrument_verified",
        "disclosure.decided",
        "disclosure.packet_produced",
        "disclosure.patron_notified",
        "disclosure.packet_downloaded",
        "disclosure.closed",
    ]
    page = client.get(f"/disclosures/{req.pk}/").content.decode()
    for label in (
        "Request for records recorded",
        "Request document added",
        "Counsel&#x27;s advice recorded",
        "Requester&#x27;s identity verified",
        "Request&#x27;s instrument verified",
        "Request for records decided",
        "Disclosure packet produced",
        "Patron told of a disclosure",
        "Disclosure packet downloaded",
        "Request for records closed",
        "Library records opened",
    ):
        assert label in page, label
    assert AuditEvent.objects.filter(purpose=f"disclosure:{req.pk}").count() == 1
