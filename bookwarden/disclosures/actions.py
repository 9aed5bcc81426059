"""Every write of the disclosure workflow (DESIGN mechanism 1; CR-5a, CC-5, NM-1, NM-2).

Intake (any staff member), review (counsel), the custodian's decision, fulfilment (the
packet, read through :func:`bookwarden.patrons.record_access.open_records_for_disclosure`, or the
refusal letter), the patron's notice (held while a gag order lasts), closure, and the
library's own policy rules.  Each action runs in one transaction and records its event.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.files import take_in
from bookwarden.core.models import Library
from bookwarden.core.permissions import has_perm, require
from bookwarden.core.roles import Perm
from bookwarden.mail.actions import queue_mail
from bookwarden.patrons.models import Patron

from .models import (
    DisclosureRequest,
    Document,
    NoticeState,
    PatronNotice,
    PolicyRule,
    Status,
    Verdict,
)
from .rules import Decision, Facts, PackError, evaluate, policy_for_library
from .rules.evaluate import REQUESTER_TEXT, releases
from .rules.policy import parse_policy
from .rules.schema import (
    FINDINGS,
    INSTRUMENTS,
    ISSUERS,
    OUTCOMES,
    RECORDS,
    RELEASE,
    RELEASE_OVERDUE_ONLY,
    REQUESTERS,
)

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
CUSTODIAN = Perm.OPEN_RECORDS_AS_CUSTODIAN


def _age(patron: Patron, today: datetime.date) -> int | None:
    born = patron.birth_date
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def facts_for(request: DisclosureRequest) -> Facts:
    """What the rules need to know about the request.  With several patrons the oldest one's
    age counts (a rule for minors then applies only if every patron is one)."""
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
    record_types: list[str],
    patrons: list[Patron],
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
        errors["issued_by"] = "Choose who issued the subpoena."
    if not record_types or set(record_types) - set(RECORDS):
        errors["record_types"] = "Choose the kinds of records asked for."
    if not patrons:
        errors["patrons"] = "Name at least one patron of this library."
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
    the requester; the custodian decides)."""
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
        record_types=list(record_types),
        patrons=patron_list,
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


def _locked(request: DisclosureRequest) -> DisclosureRequest:
    return (
        DisclosureRequest.objects.select_for_update().select_related("library").get(pk=request.pk)
    )


def _not_closed(request: DisclosureRequest) -> None:
    if request.status == Status.CLOSED:
        raise ValidationError("This request is closed.")


@transaction.atomic
def add_document(*, actor: Any, request: DisclosureRequest, upload: UploadedFile) -> Document:
    """Another paper of the request (the custodian's)."""
    require(actor, CUSTODIAN, request.library_id)
    request = _locked(request)
    _not_closed(request)
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
def record_counsel(
    *,
    actor: Any,
    request: DisclosureRequest,
    counsel_name: str,
    consulted_at: datetime.datetime,
    advice: str,
) -> DisclosureRequest:
    """Review: who was consulted, when, and what they advised (CR-5a)."""
    require(actor, CUSTODIAN, request.library_id)
    request = _locked(request)
    _not_closed(request)
    errors = {}
    if not counsel_name.strip():
        errors["counsel_name"] = "Name the counsel consulted."
    if not advice.strip():
        errors["advice"] = "Write down the advice."
    if consulted_at > timezone.now() + datetime.timedelta(minutes=5):
        errors["consulted_at"] = "That time is in the future."
    if errors:
        raise ValidationError(errors)
    request.counsel_name = counsel_name.strip()
    request.counsel_at = consulted_at
    request.counsel_advice = advice.strip()
    request.save(update_fields=["counsel_name", "counsel_at", "counsel_advice"])
    record(
        AuditAction.DISCLOSURE_COUNSEL_RECORDED,
        actor=actor,
        target=request,
        library=request.library_id,
        after={"counsel": request.counsel_name, "at": consulted_at.isoformat()},
    )
    return request


def is_against_rule(verdict: str, outcome: str) -> bool:
    """A decision against the rule outcome: releasing what the rules do not release, more
    than a partial release, or refusing what the rules release."""
    if verdict == Verdict.REFUSE:
        return releases(outcome)
    if not releases(outcome):
        return True
    return verdict == Verdict.RELEASE_ALL and outcome != RELEASE


@transaction.atomic
def decide(
    *,
    actor: Any,
    request: DisclosureRequest,
    verdict: str,
    reasons: str,
    released_types: list[str] | None = None,
    justification: str = "",
) -> DisclosureRequest:
    """The custodian's decision (CC-5): release all, release part, or refuse, with reasons.
    A decision against the rule outcome needs a written justification and is flagged."""
    if actor is None or not has_perm(actor, CUSTODIAN, request.library_id):
        raise PermissionDenied("Only the director or a designee decides (CC-5).")
    request = _locked(request)
    if request.status != Status.RECORDED:
        raise ValidationError("This request was already decided.")
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": "Choose release all, release part or refuse."})
    if not reasons.strip():
        raise ValidationError({"reasons": "Give the reasons for the decision."})
    decision, _ = rule_decision(request)
    if verdict == Verdict.RELEASE_ALL:
        types = list(request.record_types)
    elif verdict == Verdict.RELEASE_PART:
        types = [t for t in request.record_types if t in (released_types or [])]
        if not types or set(released_types or []) - set(request.record_types):
            raise ValidationError(
                {"released_types": "Choose which of the requested kinds of records to release."}
            )
    else:
        types = []
    against = is_against_rule(verdict, decision.outcome)
    if against and not justification.strip():
        raise ValidationError(
            {
                "justification": (
                    f"The rules say the records {decision.outcome.replace('_', ' ')}: a "
                    "decision against that needs a written justification."
                )
            }
        )
    request.rule_decision = decision.as_dict()
    request.verdict = verdict
    request.released_types = types
    request.overdue_only = verdict != Verdict.REFUSE and decision.outcome == RELEASE_OVERDUE_ONLY
    request.reasons = reasons.strip()
    request.against_rule = against
    request.justification = justification.strip()
    request.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    request.decided_at = timezone.now()
    request.status = Status.DECIDED
    request.save()
    record(
        AuditAction.DISCLOSURE_DECIDED,
        actor=actor,
        target=request,
        library=request.library_id,
        after={
            "verdict": verdict,
            "released_types": types,
            "rule_outcome": decision.outcome,
            "against_rule": against,
            "citations": decision.citations,
            "conflicts": [c.policy_rule for c in decision.conflicts],
        },
    )
    return request


@transaction.atomic
def fulfil(*, actor: Any, request: DisclosureRequest) -> DisclosureRequest:
    """On release: the packet, then the patrons' notice (or the seal of a gag order).  On
    refusal: the letter that cites the statute."""
    from .packet import build_packet

    require(actor, CUSTODIAN, request.library_id)
    if actor is None:
        raise PermissionDenied("Only the custodian of library records fulfils a request.")
    request = _locked(request)
    if request.status != Status.DECIDED:
        raise ValidationError("Only a decided request can be fulfilled, and only once.")
    now = timezone.now()
    if request.verdict == Verdict.REFUSE:
        request.letter_at = now
        request.status = Status.FULFILLED
        request.save(update_fields=["letter_at", "status"])
        record(
            AuditAction.DISCLOSURE_LETTER_PRODUCED,
            actor=actor,
            target=request,
            library=request.library_id,
            after={"citations": (request.rule_decision or {}).get("citations", [])},
        )
        return request
    patrons = list(request.patrons.order_by("pk"))
    content, events, manifest = build_packet(actor=actor, request=request, patrons=patrons)
    digest = hashlib.sha256(content).hexdigest()
    request.packet.save(f"{request.library_id}/request-{request.pk}.zip", ContentFile(content))
    request.packet_sha256 = digest
    request.packet_at = now
    request.status = Status.FULFILLED
    request.save(update_fields=["packet", "packet_sha256", "packet_at", "status"])
    record(
        AuditAction.DISCLOSURE_PACKET_PRODUCED,
        actor=actor,
        target=request,
        library=request.library_id,
        after={
            "sha256": digest,
            "records": len(manifest["records"]),
            "record_types": request.released_types,
            "openings": [e.seq for e in events],
        },
    )
    _tell_patrons(actor, request, patrons, events)
    return request


def notice_text(request: DisclosureRequest, patron: Patron) -> tuple[str, str]:
    """The patron's notice: who asked (the kind of requester), which kinds of records, when;
    never the records' contents."""
    library = request.library
    when = timezone.localtime(request.packet_at or timezone.now())
    kinds = ", ".join(request.released_labels()).lower()
    subject = f"{library.name}: records about you were released"
    body = (
        f"Dear {patron.first_name or 'patron'} {patron.last_name},\n\n"
        f"On {when:%B %-d, %Y} {library.name} released some of your library records to "
        f"{REQUESTER_TEXT.get(request.requester_type, 'a requester')}, as the law allows. "
        f"The custodian of library records decided this after reviewing the request.\n\n"
        f"Kinds of records released: {kinds}.\n\n"
        "You can see who opened your records and why in the patron privacy portal. "
        f"If you have questions, please contact {library.name}.\n"
    )
    return subject, body


def _tell_patrons(
    actor: Any, request: DisclosureRequest, patrons: list[Patron], events: list[Any]
) -> None:
    from bookwarden.patrons.actions import seal_opening

    if request.gag_in_force():
        for event in events:
            seal_opening(
                actor=actor,
                event=event,
                order_reference=request.gag_reference or f"Non-disclosure order, {request}",
                sealed_until=request.gag_until,
            )
        for patron in patrons:
            PatronNotice.objects.create(request=request, patron=patron, state=NoticeState.HELD)
        record(
            AuditAction.DISCLOSURE_NOTICE_HELD,
            actor=actor,
            target=request,
            library=request.library_id,
            after={
                "patrons": [p.pk for p in patrons],
                "until": str(request.gag_until or ""),
                "sealed_openings": [e.seq for e in events],
            },
        )
        return
    for patron in patrons:
        _notify_one(actor, request, patron)


def _notify_one(actor: Any, request: DisclosureRequest, patron: Patron) -> None:
    if patron.email:
        subject, body = notice_text(request, patron)
        queue_mail(
            to=[patron.email],
            subject=subject,
            body=body,
            reason="disclosure_notice",
            library=request.library_id,
            about=request,
            dedupe_key=f"disclosure-notice:{request.pk}:{patron.pk}",
            actor=actor,
        )
        state = NoticeState.MAILED
    else:
        state = NoticeState.LETTER_NEEDED
    PatronNotice.objects.update_or_create(
        request=request,
        patron=patron,
        defaults={"state": state, "updated_at": timezone.now()},
    )
    record(
        AuditAction.DISCLOSURE_PATRON_NOTIFIED,
        actor=actor,
        target=request,
        library=request.library_id,
        patron=patron,
        after={"how": state},
    )


@transaction.atomic
def notify_held_patrons(*, actor: Any, request: DisclosureRequest) -> int:
    """Once a gag order has ended: tell the patrons whose notice it held."""
    require(actor, CUSTODIAN, request.library_id)
    request = _locked(request)
    if request.gag_in_force():
        raise ValidationError(
            "The non-disclosure order is still in force: the patron may not be told."
        )
    held = list(
        PatronNotice.objects.filter(request=request, state=NoticeState.HELD).select_related(
            "patron"
        )
    )
    if not held:
        raise ValidationError("No notice is waiting.")
    for notice in held:
        _notify_one(actor, request, notice.patron)
    return len(held)


@transaction.atomic
def close_request(*, actor: Any, request: DisclosureRequest, note: str = "") -> DisclosureRequest:
    require(actor, CUSTODIAN, request.library_id)
    request = _locked(request)
    _not_closed(request)
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


def log_packet_downloaded(*, actor: Any, request: DisclosureRequest) -> None:
    require(actor, CUSTODIAN, request.library_id)
    with transaction.atomic():
        record(
            AuditAction.DISCLOSURE_PACKET_DOWNLOADED,
            actor=actor,
            target=request,
            library=request.library_id,
            after={"sha256": request.packet_sha256},
        )


# --- the library's own policy (NM-2) ---------------------------------------------------------


@transaction.atomic
def add_policy_rule(
    *,
    actor: Any,
    library: Library,
    rule_id: str,
    requesters: list[str],
    instruments: list[str],
    records: list[str],
    outcome: str,
    citation: str,
    bill_sent: bool | None = None,
    max_age: int | None = None,
    note: str = "",
) -> PolicyRule:
    """Add one rule to the library's policy, validated by the rules package's validator
    together with the rules already there.  A rule looser than the statute is accepted but
    flagged as a conflict (never applied)."""
    require(actor, CUSTODIAN, library)
    if outcome not in OUTCOMES:
        raise ValidationError({"outcome": "Choose an outcome."})
    rule = PolicyRule(
        library=library,
        rule_id=rule_id.strip(),
        requesters=list(requesters),
        instruments=list(instruments),
        records=list(records),
        bill_sent=bill_sent,
        max_age=max_age,
        outcome=outcome,
        citation=citation.strip(),
        note=note.strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    existing = list(PolicyRule.objects.filter(library=library))
    try:
        parse_policy(
            {"library": library.slug, "rules": [r.as_data() for r in [*existing, rule]]},
            "policy",
        )
    except PackError as exc:
        raise ValidationError(f"{exc.where}: {exc.problem}") from None
    rule.save()
    record(
        AuditAction.DISCLOSURE_POLICY_CHANGED,
        actor=actor,
        target=rule,
        library=library,
        after={"added": rule.as_data()},
    )
    return rule


@transaction.atomic
def remove_policy_rule(*, actor: Any, rule: PolicyRule) -> None:
    require(actor, CUSTODIAN, rule.library_id)
    data = rule.as_data()
    library_id = rule.library_id
    rule.delete()
    record(
        AuditAction.DISCLOSURE_POLICY_CHANGED,
        actor=actor,
        library=library_id,
        before={"removed": data},
    )
