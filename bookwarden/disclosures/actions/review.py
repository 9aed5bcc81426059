"""Review of a request for records by the custodian: the steps the rule decision names
before any release, each a recorded fact (CR-5a, CC-5).  Counsel's advice, the requester's
identity, the instrument (a stored document, verified, with the finding it states), and,
only in an emergency, an override of the steps still missing with a written justification,
flagged like a decision against the rule outcome.  :mod:`bookwarden.disclosures.steps` says
which are done; :mod:`.decisions` refuses a release while one is missing."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.permissions import has_perm, require

from ..models import FINDING_CHOICES, DisclosureRequest, Document, Status, Verdict
from ..steps import missing_before_release
from .requests import CUSTODIAN, lock_request, refuse_if_closed, rule_decision


def _before_release(actor: Any, request: DisclosureRequest) -> DisclosureRequest:
    """The request, locked, for a step before the release: the custodian's, not yet
    fulfilled or closed."""
    require(actor, CUSTODIAN, request.library_id)
    request = lock_request(request)
    refuse_if_closed(request)
    if request.status == Status.FULFILLED:
        raise ValidationError(
            "This request is already fulfilled: the steps before a release are recorded before it."
        )
    return request


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
    request = lock_request(request)
    refuse_if_closed(request)
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


@transaction.atomic
def verify_identity(*, actor: Any, request: DisclosureRequest, how: str) -> DisclosureRequest:
    """The requester's identity (and standing: a parent, an agency) was checked, and how."""
    request = _before_release(actor, request)
    if not how.strip():
        raise ValidationError(
            {"how": "Say how the identity was checked (for example: badge and photo ID)."}
        )
    request.identity_verified_by = actor if getattr(actor, "is_authenticated", False) else None
    request.identity_verified_at = timezone.now()
    request.identity_check = how.strip()
    request.save(update_fields=["identity_verified_by", "identity_verified_at", "identity_check"])
    record(
        AuditAction.DISCLOSURE_IDENTITY_VERIFIED,
        actor=actor,
        target=request,
        library=request.library_id,
        after={"how": request.identity_check},
    )
    return request


@transaction.atomic
def verify_instrument(
    *,
    actor: Any,
    request: DisclosureRequest,
    document: Document | None,
    how: str,
    finding_confirmed: bool = False,
) -> DisclosureRequest:
    """The instrument is one of the request's stored documents, and it was verified (how):
    genuine, in force, naming these records.  Where the request rests on a court's finding
    (Missouri, Texas, Iowa), the custodian confirms the order states it."""
    request = _before_release(actor, request)
    errors: dict[str, str] = {}
    if document is None or document.request_id != request.pk:
        errors["document"] = (
            "Choose the stored document of the instrument (add it first if it is not stored)."
        )
    if not how.strip():
        errors["how"] = "Say how the instrument was verified (for example: called the clerk)."
    if request.finding != "none" and not finding_confirmed:
        finding = dict(FINDING_CHOICES).get(request.finding, request.finding)
        errors["finding_confirmed"] = (
            f"Confirm that the order states the finding recorded at intake ({finding}). If "
            "it does not, the rules' answer does not hold: refuse, or record the request again."
        )
    if errors:
        raise ValidationError(errors)
    assert document is not None
    request.instrument_document = document
    request.instrument_verified_by = actor if getattr(actor, "is_authenticated", False) else None
    request.instrument_verified_at = timezone.now()
    request.instrument_check = how.strip()
    request.finding_confirmed = request.finding != "none"
    request.save(
        update_fields=[
            "instrument_document",
            "instrument_verified_by",
            "instrument_verified_at",
            "instrument_check",
            "finding_confirmed",
        ]
    )
    record(
        AuditAction.DISCLOSURE_INSTRUMENT_VERIFIED,
        actor=actor,
        target=request,
        library=request.library_id,
        after={
            "document": document.pk,
            "sha256": document.sha256,
            "how": request.instrument_check,
            "finding": request.finding,
            "finding_confirmed": request.finding_confirmed,
        },
    )
    return request


@transaction.atomic
def override_steps(
    *, actor: Any, request: DisclosureRequest, justification: str
) -> DisclosureRequest:
    """An emergency: the custodian releases without the steps still missing, and writes
    why.  Only a person who is the custodian (never the command line); flagged on the
    request page, in the list of flagged decisions and in the transparency report."""
    if actor is None or not has_perm(actor, CUSTODIAN, request.library_id):
        raise PermissionDenied("Only the director or a designee may override the steps.")
    request = _before_release(actor, request)
    if request.verdict == Verdict.REFUSE:
        raise ValidationError("The decision is a refusal: there is no release to let through.")
    if request.overridden:
        raise ValidationError("An emergency override is already recorded for this request.")
    decision, _ = rule_decision(request)
    missing = [s.key for s in missing_before_release(request, decision.steps)]
    if not missing:
        raise ValidationError("Every required step is recorded: no override is needed.")
    if not justification.strip():
        raise ValidationError(
            {
                "justification": (
                    "An emergency override needs a written justification: why the records "
                    "must go before the missing steps are done."
                )
            }
        )
    request.override_by = actor
    request.override_at = timezone.now()
    request.override_justification = justification.strip()
    request.overridden_steps = missing
    request.save(
        update_fields=["override_by", "override_at", "override_justification", "overridden_steps"]
    )
    record(
        AuditAction.DISCLOSURE_STEPS_OVERRIDDEN,
        actor=actor,
        target=request,
        library=request.library_id,
        after={"steps": missing, "justification": request.override_justification},
    )
    return request
