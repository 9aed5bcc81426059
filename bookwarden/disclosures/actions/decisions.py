"""The custodian's decision on a request for records and its fulfilment (CC-5, CR-5a,
NM-4): release all, release part or refuse, with reasons; then the packet, read through
:func:`bookwarden.patrons.record_access.open_records_for_disclosure`, or the refusal letter."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.permissions import has_perm, require

from ..models import DisclosureRequest, Status, Verdict
from ..packet import build_packet
from ..rules.evaluate import releases
from ..rules.schema import RELEASE, RELEASE_OVERDUE_ONLY
from ..scopes import scope_of
from ..steps import blocking, release_refused_message
from .notices import tell_patrons
from .requests import CUSTODIAN, lock_request, rule_decision


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
    A decision against the rule outcome needs a written justification and is flagged.  A
    release needs every step the rule decision names recorded first (CR-5a), or an
    emergency override of the missing ones (:func:`.review.override_steps`); a refusal is
    always possible."""
    if actor is None or not has_perm(actor, CUSTODIAN, request.library_id):
        raise PermissionDenied("Only the director or a designee decides.")
    request = lock_request(request)
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
    if verdict != Verdict.REFUSE:
        if not request.patrons.exists():
            raise ValidationError(
                "No patron of the library is identified yet: identify the patrons the request "
                "names before releasing anything (a refusal is possible now)."
            )
        _require_steps(request, decision.steps)
    request.rule_decision = decision.as_dict()
    request.verdict = verdict
    request.released_types = types
    request.overdue_only = verdict != Verdict.REFUSE and decision.outcome == RELEASE_OVERDUE_ONLY
    # A release on a finer outcome holds only what that outcome allows (NM-4: minimal).
    request.release_scope = scope_of(decision.outcome) if verdict != Verdict.REFUSE else ""
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
            "scope": request.release_scope,
            "against_rule": against,
            "citations": decision.citations,
            "conflicts": [c.policy_rule for c in decision.conflicts],
            "steps_overridden": list(request.overridden_steps) if types else [],
        },
    )
    return request


def _require_steps(request: DisclosureRequest, steps: list[str]) -> None:
    """Refuse a release while a step of ``steps`` is missing and not overridden."""
    missing = blocking(request, steps)
    if missing:
        raise ValidationError(release_refused_message(missing))


@transaction.atomic
def fulfil(*, actor: Any, request: DisclosureRequest) -> DisclosureRequest:
    """On release: the packet, then the patrons' notice (or the seal of a gag order), once
    more only with every required step recorded or overridden (a request decided before
    the steps were required is held to them here).  On refusal: the letter that cites the
    statute."""
    require(actor, CUSTODIAN, request.library_id)
    if actor is None:
        raise PermissionDenied("Only the custodian of library records fulfils a request.")
    request = lock_request(request)
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
    stored_steps = (request.rule_decision or {}).get("steps")
    _require_steps(request, stored_steps if stored_steps else rule_decision(request)[0].steps)
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
    tell_patrons(actor, request, patrons, events)
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
