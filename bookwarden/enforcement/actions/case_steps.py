"""What the enforcement actions share (IT-9, LV-12): the case row held while a step is
recorded, the checks that come before a step, recording a step with the stage it leads to,
and the audit event of a case.  Internal to :mod:`bookwarden.enforcement.actions`."""

from __future__ import annotations

import datetime
import importlib
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction

from ..models import (
    FAILED_OUTCOMES,
    CaseStatus,
    CaseStep,
    ContactAttempt,
    ContactOutcome,
    EnforcementCase,
    HRDecision,
    Stage,
    StepKind,
    failed_contacts_before_lock,
)


def required_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def locked_case(case: EnforcementCase) -> EnforcementCase:
    """The case again, row-locked, so that two people's steps do not interleave."""
    return (
        EnforcementCase.objects.select_for_update(of=("self",))
        .select_related("library", "entry", "subject_user")
        .get(pk=case.pk)
    )


def require_open(case: EnforcementCase) -> None:
    if not case.is_open:
        raise ValidationError("This case is closed.")


def step_kinds(case: EnforcementCase) -> set[str]:
    return set(CaseStep.objects.filter(case=case).values_list("kind", flat=True))


def hr_decision_of(case: EnforcementCase) -> HRDecision | None:
    return HRDecision.objects.filter(case=case).first()


def require_done(case: EnforcementCase, *kinds: str, message: str) -> None:
    if not step_kinds(case) & set(kinds):
        raise ValidationError(message)


def require_hr_decision(case: EnforcementCase, what: str) -> HRDecision:
    """IT-9: no disciplinary step on a staff matter before human resources has decided."""
    decision = hr_decision_of(case)
    if decision is None:
        raise ValidationError(
            f"{what} must wait: human resources decides first whether discipline is needed."
        )
    return decision


def failed_contacts(case: EnforcementCase) -> int:
    return ContactAttempt.objects.filter(case=case, outcome__in=FAILED_OUTCOMES).count()


def compute_stage(case: EnforcementCase) -> str:
    """The next step of ``case`` (stored as ``case.stage`` by every action)."""
    if case.status == CaseStatus.CLOSED:
        return Stage.CLOSED
    kinds = step_kinds(case)
    if StepKind.DETAILS not in kinds:
        return Stage.DETAILS
    if StepKind.INFORM not in kinds:
        return Stage.INFORM
    if not kinds & {StepKind.ISOLATE, StepKind.ISOLATION_NOT_NEEDED}:
        return Stage.ISOLATE
    decision = hr_decision_of(case)
    if decision is None:
        return Stage.HR_DECISION
    if StepKind.REFER in kinds:
        return Stage.CLOSE
    if case.subject_user_id and not decision.discipline_needed and StepKind.LOCK not in kinds:
        outcomes = list(ContactAttempt.objects.filter(case=case).values_list("outcome", flat=True))
        if ContactOutcome.RESPONDED in outcomes:
            return Stage.REFER
        failed = sum(1 for o in outcomes if o in FAILED_OUTCOMES)
        if failed >= failed_contacts_before_lock(case.library_id):
            return Stage.LOCK
        return Stage.CONTACT
    return Stage.REFER


def record_step(
    case: EnforcementCase,
    kind: str,
    *,
    actor: Any,
    details: str = "",
    at: datetime.datetime | None = None,
) -> CaseStep:
    """Record one step on the case, refresh its stage, and tell the log entry's timeline."""
    step = CaseStep.objects.create(
        case=case,
        kind=kind,
        by=actor if getattr(actor, "is_authenticated", False) else None,
        at=at or timezone.now(),
        details=details,
    )
    _refresh_stage(case)
    _entry_timeline(actor, case, f"Enforcement case #{case.pk}: {step.get_kind_display()}.")
    return step


def _refresh_stage(case: EnforcementCase) -> None:
    stage = compute_stage(case)
    if stage != case.stage:
        case.stage = stage
        case.save(update_fields=["stage"])


def _entry_timeline(actor: Any, case: EnforcementCase, text: str) -> None:
    """The log entry's own timeline gets the step when the operations app offers
    ``add_step``; the case's steps are the full record either way.  The text names the step
    only (never a note), since more people read the log than the case."""
    try:
        module = importlib.import_module("bookwarden.operations.actions")
    except ImportError:
        return
    add_step = getattr(module, "add_step", None)
    if add_step is None:
        return
    # A closed entry takes notes only.
    kind = "note" if case.entry.is_closed else "step"
    try:
        with transaction.atomic():
            add_step(actor=actor, entry=case.entry, text=text, kind=kind)
    except PermissionDenied:
        # Human resources records its decision on the case but does not write the log:
        # the case's own step is the record.
        return


def audit_case(
    action: AuditAction,
    *,
    actor: Any,
    case: EnforcementCase,
    target: Any = None,
    subject_user: Any = None,
    **after: Any,
) -> None:
    record(
        action,
        actor=actor,
        target=target or case,
        library=case.library_id,
        subject_user=subject_user if subject_user is not None else case.subject_user_id,
        after={"case": case.pk, **after},
    )
