"""Intake of a request for records, its documents and its closure (CR-5a, CC-5).

Any staff member records a request (and does not answer the requester: CC-5); the custodian
of library records adds documents, opens them (recorded) and closes the request.  Also the
rule decision of a request (``facts_for``, ``rule_decision``), which the other actions and
the request page read.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.files import take_in
from bookwarden.core.models import Library
from bookwarden.core.permissions import require
from bookwarden.core.roles import Perm
from bookwarden.patrons.models import Patron

from ..models import (
    FINDING_CHOICES,
    ISSUER_CHOICES,
    PURPOSE_CHOICES,
    REQUESTER_CHOICES,
    DisclosureRequest,
    Document,
    Status,
    publicly_funded,
)
from ..rules import Decision, Facts, PackError, evaluate, policy_for_library
from ..rules.schema import INSTRUMENTS, RECORDS

REQUESTERS = tuple(k for k, _ in REQUESTER_CHOICES)
FINDINGS = tuple(k for k, _ in FINDING_CHOICES)
ISSUERS = tuple(k for k, _ in ISSUER_CHOICES)
PURPOSES = tuple(k for k, _ in PURPOSE_CHOICES)

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
CUSTODIAN = Perm.OPEN_RECORDS_AS_CUSTODIAN


def _age(patron: Patron, today: datetime.date) -> int | None:
    born = patron.birth_date
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def facts_for(request: DisclosureRequest) -> Facts:
    """What the rules need to know about the request (NM-1, NM-2, CR-5c).  With several
    patrons the oldest one's age counts (a rule for minors then applies only if every patron
    is one).  Whether the library is publicly funded is the library's own setting
    (:class:`~bookwarden.disclosures.models.DisclosureSettings`); the other facts are the
    request's, None while nobody has said."""
    today = timezone.localdate()
    ages = [_age(p, today) for p in request.patrons.all()]
    age = None if not ages or None in ages else max(a for a in ages if a is not None)
    return Facts(
        jurisdiction=request.library.jurisdiction,
        requester=request.requester_type,
        instrument=request.instrument,
        records=tuple(request.record_types),
        finding=request.finding or "none",
        age=age,
        bill_sent=request.bill_sent,
        amount_owed=request.amount_owed,
        issued_by=request.issued_by or None,
        purpose=request.stated_purpose or "unstated",
        sworn_officer=request.sworn_officer,
        crime_at_library=request.crime_at_library,
        particular_suspect=request.particular_suspect,
        publicly_funded=publicly_funded(request.library_id),
        custodial=request.custodial,
    )


def rule_decision(request: DisclosureRequest) -> tuple[Decision, str]:
    """The rule decision for the request, with the library's policy laid over the pack, and
    a problem with the policy (an invalid policy is ignored, and said so)."""
    problem = ""
    try:
        policy = policy_for_library(request.library)
    except PackError as exc:
        policy, problem = None, f"The library's policy is invalid and was not applied: {exc}"
    return evaluate(facts_for(request), policy), problem


def _clean_intake(
    library: Library,
    *,
    requester_type: str,
    instrument: str,
    finding: str,
    issued_by: str,
    stated_purpose: str,
    record_types: list[str],
    patrons: list[Patron],
    patrons_as_named: str,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    gag_order: bool,
    gag_reference: str,
    gag_until: datetime.date | None,
    amount_owed: Decimal | None,
) -> None:
    errors: dict[str, str] = {}
    if requester_type not in REQUESTERS:
        errors["requester_type"] = "Choose who asks."
    if instrument not in INSTRUMENTS:
        errors["instrument"] = "Choose what the request rests on."
    if finding not in FINDINGS:
        errors["finding"] = "Choose the court's finding, or none."
    if issued_by and issued_by not in ISSUERS:
        errors["issued_by"] = "Choose who issued the subpoena, order or warrant."
    if stated_purpose not in PURPOSES:
        errors["stated_purpose"] = "Choose what the records are for, or not stated."
    if not record_types or set(record_types) - set(RECORDS):
        errors["record_types"] = "Choose the kinds of records asked for."
    if not patrons and not patrons_as_named.strip():
        errors["patrons_as_named"] = (
            "Say which patrons the request names: as it names them, by card number, or "
            "picked from the library's patrons."
        )
    elif any(p.library_id != library.pk for p in patrons):
        errors["patrons"] = "Every patron must be a patron of this library."
    if date_from and date_to and date_from > date_to:
        errors["date_to"] = "The end of the date range is before its start."
    if gag_order and not gag_reference.strip():
        errors["gag_reference"] = "Name the non-disclosure order (court, case, date)."
    if gag_until and not gag_order:
        errors["gag_until"] = "An end date needs a non-disclosure order."
    if amount_owed is not None and amount_owed < 0:
        errors["amount_owed"] = "The amount cannot be negative."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_request(
    *,
    actor: Any,
    library: Library,
    requester_name: str,
    requester_type: str,
    instrument: str,
    patrons: Iterable[Patron],
    record_types: list[str],
    requester_agency: str = "",
    requester_contact: str = "",
    instrument_reference: str = "",
    finding: str = "none",
    issued_by: str = "",
    stated_purpose: str = "unstated",
    sworn_officer: bool | None = None,
    crime_at_library: bool | None = None,
    particular_suspect: bool | None = None,
    custodial: bool | None = None,
    patrons_as_named: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    deadline: datetime.date | None = None,
    bill_sent: bool = False,
    amount_owed: Decimal | None = None,
    gag_order: bool = False,
    gag_reference: str = "",
    gag_until: datetime.date | None = None,
    notes: str = "",
    document: UploadedFile | None = None,
) -> DisclosureRequest:
    """Intake: any staff member of the library records a request (CC-5: and does not answer
    the requester; the custodian decides).  The patrons may be named only as the request
    names them (``patrons_as_named``), for the custodian to identify
    (:func:`identify_patrons`)."""
    require(actor, Perm.RECORD_REQUESTS, library)
    patron_list = list(patrons)
    types = [t for t in RECORDS if t in record_types]
    if not requester_name.strip():
        raise ValidationError({"requester_name": "Name the person who asks."})
    _clean_intake(
        library,
        requester_type=requester_type,
        instrument=instrument,
        finding=finding,
        issued_by=issued_by,
        stated_purpose=stated_purpose,
        record_types=list(record_types),
        patrons=patron_list,
        patrons_as_named=patrons_as_named,
        date_from=date_from,
        date_to=date_to,
        gag_order=gag_order,
        gag_reference=gag_reference,
        gag_until=gag_until,
        amount_owed=amount_owed,
    )
    request = DisclosureRequest.objects.create(
        library=library,
        requester_name=requester_name.strip(),
        requester_agency=requester_agency.strip(),
        requester_type=requester_type,
        requester_contact=requester_contact.strip(),
        instrument=instrument,
        instrument_reference=instrument_reference.strip(),
        finding=finding,
        issued_by=issued_by,
        stated_purpose=stated_purpose,
        sworn_officer=sworn_officer,
        crime_at_library=crime_at_library,
        particular_suspect=particular_suspect,
        custodial=custodial,
        patrons_as_named=patrons_as_named.strip(),
        record_types=types,
        date_from=date_from,
        date_to=date_to,
        deadline=deadline,
        bill_sent=bill_sent,
        amount_owed=amount_owed,
        gag_order=gag_order,
        gag_reference=gag_reference.strip(),
        gag_until=gag_until,
        notes=notes.strip(),
        received_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    request.patrons.set(patron_list)
    decision, _ = rule_decision(request)
    request.rule_decision = decision.as_dict()
    request.save(update_fields=["rule_decision"])
    record(
        AuditAction.DISCLOSURE_REQUEST_RECORDED,
        actor=actor,
        target=request,
        library=library,
        after={
            "requester_type": requester_type,
            "instrument": instrument,
            "purpose": stated_purpose,
            "record_types": types,
            "patrons": [p.pk for p in patron_list],
            "date_from": str(date_from or ""),
            "date_to": str(date_to or ""),
            "deadline": str(deadline or ""),
            "gag_order": gag_order,
            "rule_outcome": decision.outcome,
        },
    )
    if document is not None:
        _store_document(actor, request, document)
    return request


def _store_document(actor: Any, request: DisclosureRequest, upload: UploadedFile) -> Document:
    incoming = take_in(
        upload, max_bytes=MAX_DOCUMENT_BYTES, field="document", default_name="document"
    )
    name, size = incoming.name, incoming.size
    document = Document(
        request=request,
        filename=name,
        content_type=(upload.content_type or "application/octet-stream")[:100],
        size=size,
        sha256=incoming.sha256,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    document.file.save(name, File(upload), save=False)
    document.save()
    record(
        AuditAction.DISCLOSURE_DOCUMENT_ADDED,
        actor=actor,
        target=request,
        library=request.library_id,
        after={"document": document.pk, "filename": name, "sha256": document.sha256, "size": size},
    )
    return document


def lock_request(request: DisclosureRequest) -> DisclosureRequest:
    return (
        DisclosureRequest.objects.select_for_update().select_related("library").get(pk=request.pk)
    )


def refuse_if_closed(request: DisclosureRequest) -> None:
    if request.status == Status.CLOSED:
        raise ValidationError("This request is closed.")


@transaction.atomic
def add_document(*, actor: Any, request: DisclosureRequest, upload: UploadedFile) -> Document:
    """Another paper of the request (the custodian's)."""
    require(actor, CUSTODIAN, request.library_id)
    request = lock_request(request)
    refuse_if_closed(request)
    return _store_document(actor, request, upload)


def log_document_viewed(*, actor: Any, document: Document) -> None:
    require(actor, CUSTODIAN, document.request.library_id)
    with transaction.atomic():
        record(
            AuditAction.DISCLOSURE_DOCUMENT_VIEWED,
            actor=actor,
            target=document.request,
            library=document.request.library_id,
            after={"document": document.pk, "sha256": document.sha256},
        )


@transaction.atomic
def identify_patrons(
    *, actor: Any, request: DisclosureRequest, patrons: Iterable[Patron]
) -> DisclosureRequest:
    """The custodian names the library's patrons a request means, when the request named
    them only in its own words (by name, address...): before the decision, and only
    patrons of the request's library.  The rule decision is worked out again (a patron's
    age may matter)."""
    require(actor, CUSTODIAN, request.library_id)
    request = lock_request(request)
    refuse_if_closed(request)
    if request.status != Status.RECORDED:
        raise ValidationError("The patrons can only be changed before the decision.")
    patron_list = list(patrons)
    if not patron_list:
        raise ValidationError(
            {"cards": "Give a card number, or look the patrons up and tick them."}
        )
    if any(p.library_id != request.library_id for p in patron_list):
        raise ValidationError({"cards": "Every patron must be a patron of this library."})
    request.patrons.set(patron_list)
    decision, _ = rule_decision(request)
    request.rule_decision = decision.as_dict()
    request.save(update_fields=["rule_decision"])
    record(
        AuditAction.DISCLOSURE_PATRONS_IDENTIFIED,
        actor=actor,
        target=request,
        library=request.library_id,
        after={"patrons": [p.pk for p in patron_list], "rule_outcome": decision.outcome},
    )
    return request


@transaction.atomic
def close_request(*, actor: Any, request: DisclosureRequest, note: str = "") -> DisclosureRequest:
    require(actor, CUSTODIAN, request.library_id)
    request = lock_request(request)
    refuse_if_closed(request)
    if request.status == Status.RECORDED and not note.strip():
        raise ValidationError({"note": "Say why an undecided request is closed."})
    request.status = Status.CLOSED
    request.closed_at = timezone.now()
    request.closing_note = note.strip()
    request.save(update_fields=["status", "closed_at", "closing_note"])
    record(
        AuditAction.DISCLOSURE_CLOSED,
        actor=actor,
        target=request,
        library=request.library_id,
        after={"note": request.closing_note},
    )
    return request
