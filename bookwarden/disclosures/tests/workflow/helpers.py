"""Helpers of the workflow tests: a request of New Madrid through the actions, the audit
events of a request."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from bookwarden.audit.models import AuditEvent
from bookwarden.core.models import Library
from bookwarden.disclosures import actions
from bookwarden.disclosures.models import DisclosureRequest
from bookwarden.disclosures.tests.factories import steps_recorded

SUBPOENA = b"%PDF-1.4 Subpoena duces tecum, Circuit Court of New Madrid County\n"


def upload(content: bytes = SUBPOENA, name: str = "subpoena.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, "application/pdf")


def nm_request(people: dict[str, Any], patrons: list[Any], **overrides: Any) -> DisclosureRequest:
    """A request of New Madrid recorded by the staff persona (bjohnson)."""
    data: dict[str, Any] = {
        "library": Library.objects.get(slug="new-madrid"),
        "requester_name": "Det. Sam Ruiz",
        "requester_agency": "New Madrid County Sheriff",
        "requester_type": "law_enforcement",
        "instrument": "subpoena",
        "record_types": ["loans"],
        "patrons": patrons,
    }
    data.update(overrides)
    return actions.record_request(actor=people["staff"], **data)


def released(people: dict[str, Any], req: DisclosureRequest, **kw: Any) -> DisclosureRequest:
    """Record the steps the rules require, decide to release all (with a justification if
    the rules say otherwise) and fulfil."""
    req = steps_recorded(people, req)
    req = actions.decide(
        actor=people["director"],
        request=req,
        verdict="release_all",
        reasons="Counsel advised that the order is valid.",
        justification=kw.pop("justification", "Counsel's advice."),
    )
    return actions.fulfil(actor=people["director"], request=req)


def events_of(req: DisclosureRequest) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            target_type="disclosures.disclosurerequest", target_id=str(req.pk)
        )
        .order_by("seq")
        .values_list("action", flat=True)
    )


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)
