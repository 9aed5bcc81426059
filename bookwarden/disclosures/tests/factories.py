"""Requests of New Madrid in each state, for the authorization matrix
(bookwarden/core/tests/test_authorization_matrix.py and helpers.new_madrid_ids)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bookwarden.core.models import Library
from bookwarden.disclosures import actions
from bookwarden.disclosures.demo import CRESCO_POLICY
from bookwarden.disclosures.models import (
    DisclosureRequest,
    NoticeState,
    OpenRecordsRequest,
    PatronNotice,
    PolicyRule,
)
from bookwarden.disclosures.open_records import record_open_records_request
from bookwarden.patrons.models import Patron


def _patron(library: Library) -> Patron:
    from bookwarden.core.tests.helpers import _a_patron_of

    return Patron.objects.get(pk=_a_patron_of(library))


def recorded(people: dict[str, Any], library: Library, **kw: Any) -> DisclosureRequest:
    """A request recorded by the staff persona, with its document."""
    data: dict[str, Any] = {
        "requester_name": "Det. Sam Ruiz",
        "requester_agency": "County Sheriff",
        "requester_type": "law_enforcement",
        "instrument": "court_order",
        "finding": "public_safety",
        "record_types": ["loans"],
        "patrons": [_patron(library)],
        "document": SimpleUploadedFile("order.pdf", b"%PDF court order", "application/pdf"),
    }
    data.update(kw)
    return actions.record_request(actor=people["staff"], library=library, **data)


def steps_recorded(
    people: dict[str, Any], req: DisclosureRequest, actor: Any = None
) -> DisclosureRequest:
    """Record every step the rule decision names before a release (counsel, the requester's
    identity, the instrument with its finding), as the custodian does on the request page."""
    actor = actor or people["director"]
    steps = actions.rule_decision(req)[0].steps
    if "consult_counsel" in steps:
        actions.record_counsel(
            actor=actor,
            request=req,
            counsel_name="County counsel",
            consulted_at=timezone.now(),
            advice="The instrument is valid: follow the rules.",
        )
    if "verify_identity" in steps:
        actions.verify_identity(actor=actor, request=req, how="Badge and photo ID checked.")
    if "verify_instrument" in steps:
        document = req.documents.first() or actions.add_document(
            actor=actor,
            request=req,
            upload=SimpleUploadedFile("instrument.pdf", b"%PDF instrument", "application/pdf"),
        )
        actions.verify_instrument(
            actor=actor,
            request=req,
            document=document,
            how="Called the issuer on its published number.",
            finding_confirmed=req.finding != "none",
        )
    req.refresh_from_db()
    return req


def ready_to_release(people: dict[str, Any], library: Library) -> DisclosureRequest:
    """A recorded request whose steps before a release are all recorded."""
    return steps_recorded(people, recorded(people, library))


def instrument_data() -> dict[str, str]:
    """The instrument form for the newest stored document (matrix WRITES: the request of
    the row was just recorded with its document)."""
    from bookwarden.disclosures.models import Document

    return {
        "instrument-document": str(Document.objects.latest("pk").pk),
        "instrument-how": "Forged.",
        "instrument-finding_confirmed": "on",
    }


def decided(people: dict[str, Any], library: Library, verdict: str) -> DisclosureRequest:
    req = recorded(people, library)
    if verdict != "refuse":
        req = steps_recorded(people, req)
    return actions.decide(
        actor=people["director"],
        request=req,
        verdict=verdict,
        reasons="The order states the finding.",
        justification="Test." if verdict == "refuse" else "",
    )


def fulfilled(people: dict[str, Any], library: Library, verdict: str) -> DisclosureRequest:
    return actions.fulfil(actor=people["director"], request=decided(people, library, verdict))


def with_held_notice(people: dict[str, Any], library: Library) -> DisclosureRequest:
    """A released request whose gag order ended yesterday, the patron not yet told."""
    req = fulfilled(people, library, "release_all")
    PatronNotice.objects.filter(request=req).update(state=NoticeState.HELD)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    DisclosureRequest.objects.filter(pk=req.pk).update(
        gag_order=True, gag_reference="Order 1", gag_until=yesterday
    )
    return req


def policy_rule(people: dict[str, Any], library: Library) -> PolicyRule:
    return actions.add_policy_rule(
        actor=people["director"],
        library=library,
        rule_id=f"R-{PolicyRule.objects.count() + 1}",
        requesters=["patron"],
        instruments=["written_consent"],
        records=["loans"],
        outcome="refuse",
        citation="Test policy",
    )


def cresco_public_records_policy(people: dict[str, Any]) -> None:
    """Cresco's policy 5e and 5g as its policy layer, as in the demo: meeting-room contacts
    and camera recordings are public records (Iowa's library-records law does not cover
    them; chapter 22 does, and the custodian's policy says they are open).  Once only."""
    cresco = Library.objects.get(slug="cresco")
    if PolicyRule.objects.filter(library=cresco).exists():
        return
    for rule in CRESCO_POLICY:
        if rule["rule_id"] in ("CRESCO-5e-room-contacts", "CRESCO-5g-open-records"):
            actions.add_policy_rule(actor=people["outsider"], library=cresco, **rule)


def cresco_open_records(people: dict[str, Any]) -> OpenRecordsRequest:
    """An open-records request of Cresco (Iowa: camera recordings are public records under
    its policy), with a copy of what was given.  New Madrid (Missouri) has none."""
    cresco_public_records_policy(people)
    return record_open_records_request(
        actor=people["outsider_staff"],
        library=Library.objects.get(slug="cresco"),
        requester_name="Dana Reporter",
        requester_contact="dana@example.org",
        record_type="camera_recordings",
        date_from=datetime.date(2026, 3, 1),
        date_to=datetime.date(2026, 3, 1),
        given="A copy of the front entrance recording, 2 to 3 p.m.",
        upload=SimpleUploadedFile("entrance.mp4", b"fake video bytes", "video/mp4"),
    )


def open_records_data() -> dict[str, str]:
    """A real open-records request of Cresco, POSTed to the new page (matrix WRITES)."""
    return {
        "library": "cresco",
        "requester_name": "Forged requester",
        "requester_contact": "forged@example.org",
        "record_type": "camera_recordings",
        "date_from": "2026-03-01",
        "date_to": "2026-03-02",
        "given": "Forged.",
    }


def matrix_ids(people: dict[str, Any], library: Library) -> dict[str, Any]:
    """URL arguments of the disclosure pages, for new_madrid_ids()."""
    req = recorded(people, library)
    released = fulfilled(people, library, "release_all")
    refused = fulfilled(people, library, "refuse")
    open_request = cresco_open_records(people)
    return {
        "open_id": open_request.pk,
        "disclosures:transparency": {"slug": library.slug, "year": timezone.localdate().year},
        "disclosures:transparency_csv": {
            "slug": library.slug,
            "year": timezone.localdate().year,
        },
        "request_id": req.pk,
        "disclosures:document": {"request_id": req.pk, "document_id": req.documents.get().pk},
        "disclosures:packet": {"request_id": released.pk},
        "disclosures:letter": {"request_id": refused.pk},
        "disclosures:policy_rule_remove": {
            "slug": library.slug,
            "rule_id": policy_rule(people, library).pk,
        },
    }


def intake_data() -> dict[str, Any]:
    from bookwarden.patrons.models import Card

    card = Card.objects.filter(library__slug="new-madrid").order_by("pk").first()
    assert card is not None
    return {
        "library": "new-madrid",
        "requester_name": "Forged requester",
        "requester_type": "attorney",
        "instrument": "subpoena",
        "cards": card.number,
        "record_types": ["loans"],
        "finding": "none",
    }


def identify_data() -> dict[str, Any]:
    from bookwarden.patrons.models import Card

    card = Card.objects.filter(library__slug="new-madrid").order_by("-pk").first()
    assert card is not None
    return {"cards": card.number}


POLICY_DATA = {
    "rule_id": "FORGED-1",
    "requesters": ["attorney"],
    "instruments": ["subpoena"],
    "records": ["loans"],
    "outcome": "refuse",
    "citation": "Forged",
}
