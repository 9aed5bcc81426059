"""The case and its checklist (IT-9, LV-12): open a case on a violation or incident of
the log, then steps 1 to 5 and 7 -- details, informing the IT manager, the device, the
human-resources decision, contacting the account user, the referral -- and closing it.
Step 6, the lock, is in :mod:`.holds`."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Library, Membership, User
from bookwarden.core.permissions import require
from bookwarden.core.roles import Perm, Role
from bookwarden.mail.actions import queue_mail
from bookwarden.operations.models import EntryKind, LogEntry

from ..models import (
    CaseStatus,
    CaseStep,
    ContactAttempt,
    ContactMethod,
    ContactOutcome,
    EnforcementCase,
    EnforcementSettings,
    HRDecision,
    StepKind,
)
from .case_steps import (
    audit_case,
    hr_decision_of,
    locked_case,
    record_step,
    require_done,
    require_hr_decision,
    require_open,
    required_text,
    step_kinds,
)

#: Whom step 2 informs (IT-9: the IT manager or the assistant director for operations).
INFORMED_ROLES = (Role.TECH_COORDINATOR, Role.ASSISTANT_DIRECTOR)


def _check_staff_member(user: User, library: Library | int, field: str) -> None:
    library_id = library if isinstance(library, int) else library.pk
    if not Membership.objects.filter(user=user, library_id=library_id).exists():
        raise ValidationError({field: "That person has no account at this library."})


@transaction.atomic
def open_case(
    *,
    actor: Any,
    entry: LogEntry,
    subject_user: User | None = None,
    device: str = "",
    details: str = "",
) -> EnforcementCase:
    """Open the enforcement steps on a violation or incident of the log (IT-9, LV-12).
    With ``details``, step 1 is recorded at once."""
    require(actor, Perm.MANAGE_ENFORCEMENT, entry.library_id)
    if entry.kind == EntryKind.PATRON_VIOLATION:
        raise ValidationError(
            {
                "entry": "A patron's violation leads to a restriction of their computer use "
                "instead: restrict it from the patron's page."
            }
        )
    if not (entry.is_violation or entry.is_incident):
        raise ValidationError({"entry": "Enforcement steps follow a violation or an incident."})
    if entry.is_closed:
        raise ValidationError({"entry": "That log entry is closed."})
    if EnforcementCase.objects.filter(entry=entry, status=CaseStatus.OPEN).exists():
        raise ValidationError({"entry": "That entry already has an open enforcement case."})
    if subject_user is not None:
        _check_staff_member(subject_user, entry.library_id, "subject_user")
    case = EnforcementCase.objects.create(
        library_id=entry.library_id,
        entry=entry,
        subject_user=subject_user,
        device=device.strip(),
        opened_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_case(AuditAction.CASE_OPENED, actor=actor, case=case, entry=entry.pk)
    if details.strip():
        record_details(actor=actor, case=case, details=details)
    return case


@transaction.atomic
def record_details(
    *,
    actor: Any,
    case: EnforcementCase,
    details: str,
    subject_user: User | None = None,
    device: str = "",
) -> CaseStep:
    """Step 1 (IT-9): record all relevant details, and any follow-up later on.  The staff
    account and the device may be named here when the investigation finds them."""
    require(actor, Perm.MANAGE_ENFORCEMENT, case.library_id)
    case = locked_case(case)
    require_open(case)
    details = required_text(details, "details", "Say what happened and what was found.")
    fields = []
    if subject_user is not None and case.subject_user_id != subject_user.pk:
        if case.subject_user_id is not None:
            raise ValidationError({"subject_user": "This case already names a staff account."})
        _check_staff_member(subject_user, case.library_id, "subject_user")
        case.subject_user = subject_user
        fields.append("subject_user")
    if device.strip() and not case.device:
        case.device = device.strip()
        fields.append("device")
    if fields:
        case.save(update_fields=fields)
    step = record_step(case, StepKind.DETAILS, actor=actor, details=details)
    audit_case(AuditAction.CASE_STEP, actor=actor, case=case, target=step, step="details")
    return step


def informed_people(library: Library | int) -> list[User]:
    """The library's IT manager and assistant directors for operations."""
    library_id = library if isinstance(library, int) else library.pk
    memberships = (
        Membership.objects.active()
        .filter(library_id=library_id, role__in=INFORMED_ROLES)
        .select_related("user")
        .order_by("role", "user__username")
    )
    seen: dict[int, User] = {}
    for m in memberships:
        seen.setdefault(m.user_id, m.user)
    return list(seen.values())


@transaction.atomic
def inform_it_manager(
    *, actor: Any, case: EnforcementCase, people: Iterable[User] | None = None, note: str = ""
) -> CaseStep:
    """Step 2 (IT-9): promptly inform the IT manager (technology coordinator) or the
    assistant director for operations: a mail to each through the outbox."""
    require(actor, Perm.MANAGE_ENFORCEMENT, case.library_id)
    case = locked_case(case)
    require_open(case)
    require_done(case, StepKind.DETAILS, message="Record the details first (step 1).")
    eligible = {u.pk: u for u in informed_people(case.library_id)}
    chosen = list(eligible.values()) if people is None else [u for u in people]
    if any(u.pk not in eligible for u in chosen):
        raise ValidationError(
            {"people": "Only the IT manager or an assistant director for operations."}
        )
    recipients = [u for u in chosen if u.email]
    if not recipients:
        raise ValidationError(
            {"people": "Nobody chosen has an e-mail address: tell them in person, then record it."}
        )
    link = reverse("enforcement:case", args=[case.pk])
    for user in recipients:
        queue_mail(
            to=[user.email],
            subject=f"Enforcement case #{case.pk} at {case.library}: your attention",
            body=(
                f"An enforcement case was opened at {case.library} on a "
                f"{case.entry.get_kind_display().lower()}.\n\n"
                f"Open it in Bookwarden: {link}\n"
            ),
            reason="enforcement_inform",
            library=case.library,
            about=case,
            actor=actor,
        )
    names = ", ".join(str(u) for u in recipients)
    details = f"Informed by e-mail: {names}." + (f"\n{note.strip()}" if note.strip() else "")
    step = record_step(case, StepKind.INFORM, actor=actor, details=details)
    audit_case(
        AuditAction.CASE_STEP,
        actor=actor,
        case=case,
        target=step,
        step="inform",
        informed=sorted(u.pk for u in recipients),
    )
    return step


@transaction.atomic
def isolate_device(
    *,
    actor: Any,
    case: EnforcementCase,
    isolated: bool = True,
    device: str = "",
    note: str = "",
    at: datetime.datetime | None = None,
) -> CaseStep:
    """Step 3 (IT-9): remove the affected device from the network, marked as isolated with
    the time; or record why isolation is not needed ("where appropriate")."""
    require(actor, Perm.MANAGE_ENFORCEMENT, case.library_id)
    case = locked_case(case)
    require_open(case)
    require_done(case, StepKind.INFORM, message="Inform the IT manager first (step 2).")
    if step_kinds(case) & {StepKind.ISOLATE, StepKind.ISOLATION_NOT_NEEDED}:
        raise ValidationError("Step 3 is already recorded.")
    now = timezone.now()
    if at is not None and at > now:
        raise ValidationError({"at": "That time is in the future."})
    if not isolated:
        note = required_text(note, "note", "Say why the device need not be isolated.")
        step = record_step(case, StepKind.ISOLATION_NOT_NEEDED, actor=actor, details=note)
        audit_case(
            AuditAction.CASE_STEP,
            actor=actor,
            case=case,
            target=step,
            step="isolate",
            isolated=False,
        )
        return step
    if device.strip() and not case.device:
        case.device = device.strip()
    if not case.device:
        raise ValidationError({"device": "Name the device that was isolated."})
    case.device_isolated_at = at or now
    case.save(update_fields=["device", "device_isolated_at"])
    step = record_step(
        case, StepKind.ISOLATE, actor=actor, details=note.strip(), at=case.device_isolated_at
    )
    audit_case(
        AuditAction.DEVICE_ISOLATED,
        actor=actor,
        case=case,
        target=step,
        isolated_at=case.device_isolated_at.isoformat(),
    )
    return step


@transaction.atomic
def record_hr_decision(
    *, actor: Any, case: EnforcementCase, discipline_needed: bool, note: str = ""
) -> HRDecision:
    """Step 4 (IT-9): human resources, and only human resources, decides whether discipline
    is needed.  Not even the director may record it."""
    require(actor, Perm.DECIDE_DISCIPLINE, case.library_id)
    case = locked_case(case)
    require_open(case)
    require_done(
        case,
        StepKind.ISOLATE,
        StepKind.ISOLATION_NOT_NEEDED,
        message="Steps 1 to 3 come first: details, informing the IT manager, the device.",
    )
    if hr_decision_of(case) is not None:
        raise ValidationError("Human resources has already decided on this case.")
    decision = HRDecision.objects.create(
        case=case,
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
        discipline_needed=discipline_needed,
        note=note.strip(),
    )
    record_step(
        case,
        StepKind.HR_DECISION,
        actor=actor,
        details="Discipline is needed." if discipline_needed else "No discipline is needed.",
    )
    audit_case(
        AuditAction.HR_DECISION,
        actor=actor,
        case=case,
        target=decision,
        discipline_needed=discipline_needed,
    )
    return decision


@transaction.atomic
def record_contact_attempt(
    *,
    actor: Any,
    case: EnforcementCase,
    method: str,
    outcome: str,
    note: str = "",
    at: datetime.datetime | None = None,
) -> ContactAttempt:
    """Step 5 (IT-9): without discipline, notify the account user and request an explanation
    in person, by e-mail or by phone; each attempt and its outcome is recorded."""
    require(actor, Perm.MANAGE_ENFORCEMENT, case.library_id)
    case = locked_case(case)
    require_open(case)
    if method not in ContactMethod.values:
        raise ValidationError({"method": "In person, e-mail or phone."})
    if outcome not in ContactOutcome.values:
        raise ValidationError({"outcome": "Unknown outcome."})
    if case.subject_user_id is None:
        raise ValidationError("This case names no staff account: there is nobody to contact.")
    decision = require_hr_decision(case, "Contacting the account user")
    if decision.discipline_needed:
        raise ValidationError(
            "Human resources decided that discipline is needed: human resources handles the "
            "person, not the contact steps."
        )
    now = timezone.now()
    if at is not None and at > now:
        raise ValidationError({"at": "That time is in the future."})
    attempt = ContactAttempt.objects.create(
        case=case,
        method=method,
        outcome=outcome,
        at=at or now,
        by=actor if getattr(actor, "is_authenticated", False) else None,
        note=note.strip(),
    )
    record_step(
        case,
        StepKind.CONTACT,
        actor=actor,
        at=attempt.at,
        details=f"{attempt.get_method_display()}: {attempt.get_outcome_display().lower()}.",
    )
    audit_case(
        AuditAction.CONTACT_ATTEMPT,
        actor=actor,
        case=case,
        target=attempt,
        method=method,
        outcome=outcome,
    )
    return attempt


@transaction.atomic
def refer_to_law_enforcement(
    *, actor: Any, case: EnforcementCase, agency: str, note: str = ""
) -> CaseStep:
    """Step 7 (LV-12): the director may refer suspected violations of law to law enforcement.
    A staff matter waits for the human-resources decision."""
    require(actor, Perm.REFER_TO_LAW_ENFORCEMENT, case.library_id)
    case = locked_case(case)
    require_open(case)
    require_done(case, StepKind.DETAILS, message="Record the details first (step 1).")
    if case.is_staff_matter:
        require_hr_decision(case, "A referral of a staff matter")
    if StepKind.REFER in step_kinds(case):
        raise ValidationError("This case was already referred.")
    agency = required_text(agency, "agency", "Name the agency, e.g. the county sheriff's office.")
    details = f"Referred to {agency}." + (f"\n{note.strip()}" if note.strip() else "")
    step = record_step(case, StepKind.REFER, actor=actor, details=details)
    audit_case(AuditAction.REFERRED, actor=actor, case=case, target=step)
    return step


@transaction.atomic
def close_case(*, actor: Any, case: EnforcementCase, note: str) -> EnforcementCase:
    """Close the case with what was concluded (IT-10: the date completed or closed).  Locks
    and suspensions stay until they are ended on their own."""
    require(actor, Perm.MANAGE_ENFORCEMENT, case.library_id)
    case = locked_case(case)
    require_open(case)
    note = required_text(note, "note", "Say how the matter ended.")
    case.status = CaseStatus.CLOSED
    case.closed_at = timezone.now()
    case.closed_by = actor if getattr(actor, "is_authenticated", False) else None
    case.save(update_fields=["status", "closed_at", "closed_by"])
    record_step(case, StepKind.CLOSED, actor=actor, details=note)
    audit_case(AuditAction.CASE_CLOSED, actor=actor, case=case)
    return case


@transaction.atomic
def set_failed_contacts_before_lock(
    *, actor: Any, library: Library, value: int
) -> EnforcementSettings:
    """The director sets how many failed contacts come before the lock is offered."""
    require(actor, Perm.MANAGE_SETTINGS, library)
    settings_row, _ = EnforcementSettings.objects.select_for_update().get_or_create(library=library)
    before = settings_row.failed_contacts_before_lock
    settings_row.failed_contacts_before_lock = value
    settings_row.full_clean()
    settings_row.save()
    if before != value:
        record(
            AuditAction.LIBRARY_SETTINGS_CHANGED,
            actor=actor,
            target=settings_row,
            library=library,
            before={"failed_contacts_before_lock": before},
            after={"failed_contacts_before_lock": value},
        )
    return settings_row
