"""Every write of the enforcement steps, suspensions and patron restrictions (DESIGN
mechanism 1; IT-9, LV-12, CC-3, CC-11).

Each action runs in one transaction, takes the acting person as ``actor=`` (``None`` for the
command line and the ``suspensions`` job, acting as the installation), checks the permission
at the case's library and records its audit event in the same transaction.  Audit events
carry ids, codes and dates, never the free text of a note (it may name people).

IT-9: "Human Resources decides whether discipline is needed before any action": on a staff
matter (a case with a staff account), locking the account, a suspension tied to the case and
a referral to law enforcement are refused until human resources has decided.
"""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Library, Membership, User
from bookwarden.core.permissions import has_perm, require
from bookwarden.core.roles import Perm, Role
from bookwarden.mail.actions import queue_mail
from bookwarden.operations.models import EntryKind, LogEntry

from .models import (
    FAILED_OUTCOMES,
    AccountLock,
    CaseStatus,
    CaseStep,
    ContactAttempt,
    ContactMethod,
    ContactOutcome,
    EnforcementCase,
    EnforcementSettings,
    HRDecision,
    PatronRestriction,
    RestrictionKind,
    Stage,
    StepKind,
    Suspension,
    failed_contacts_before_lock,
)

#: Whom step 2 informs (IT-9: the IT manager or the assistant director for operations).
INFORMED_ROLES = (Role.TECH_COORDINATOR, Role.ASSISTANT_DIRECTOR)


# --- Helpers ------------------------------------------------------------------------------


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _locked_case(case: EnforcementCase) -> EnforcementCase:
    """The case again, row-locked, so that two people's steps do not interleave."""
    return (
        EnforcementCase.objects.select_for_update(of=("self",))
        .select_related("library", "entry", "subject_user")
        .get(pk=case.pk)
    )


def _require_open(case: EnforcementCase) -> None:
    if not case.is_open:
        raise ValidationError("This case is closed.")


def _kinds(case: EnforcementCase) -> set[str]:
    return set(CaseStep.objects.filter(case=case).values_list("kind", flat=True))


def _decision(case: EnforcementCase) -> HRDecision | None:
    return HRDecision.objects.filter(case=case).first()


def _require_done(case: EnforcementCase, *kinds: str, message: str) -> None:
    if not _kinds(case) & set(kinds):
        raise ValidationError(message)


def _require_hr_decision(case: EnforcementCase, what: str) -> HRDecision:
    """IT-9: no disciplinary step on a staff matter before human resources has decided."""
    decision = _decision(case)
    if decision is None:
        raise ValidationError(
            f"{what} must wait: human resources decides first whether discipline is needed (IT-9)."
        )
    return decision


def failed_contacts(case: EnforcementCase) -> int:
    return ContactAttempt.objects.filter(case=case, outcome__in=FAILED_OUTCOMES).count()


def compute_stage(case: EnforcementCase) -> str:
    """The next step of ``case`` (stored as ``case.stage`` by every action)."""
    if case.status == CaseStatus.CLOSED:
        return Stage.CLOSED
    kinds = _kinds(case)
    if StepKind.DETAILS not in kinds:
        return Stage.DETAILS
    if StepKind.INFORM not in kinds:
        return Stage.INFORM
    if not kinds & {StepKind.ISOLATE, StepKind.ISOLATION_NOT_NEEDED}:
        return Stage.ISOLATE
    decision = _decision(case)
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


def _step(
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


def _audit(
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


def _check_staff_member(user: User, library: Library | int, field: str) -> None:
    library_id = library if isinstance(library, int) else library.pk
    if not Membership.objects.filter(user=user, library_id=library_id).exists():
        raise ValidationError({field: "That person has no account at this library."})


def _is_director(actor: Any, library: Library | int) -> bool:
    return actor is None or Role.DIRECTOR in actor.roles_in(library)


# --- Holding an account (locks and suspensions) ---------------------------------------------


def end_sessions(user: User) -> int:
    """Sign ``user`` out everywhere: delete their sessions (database sessions).  An inactive
    account's session would no longer authenticate anyway; this makes it certain."""
    from django.contrib.sessions.models import Session

    user_id = str(user.pk)
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == user_id
    ]
    if ended:
        Session.objects.filter(pk__in=ended).delete()
    return len(ended)


def _hold_account(user: User) -> bool:
    """Turn the account off (it cannot sign in: allauth and Django refuse inactive users)
    and end its sessions.  True if this hold is the one that turned it off."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    was_active = locked.is_active
    if was_active:
        locked.is_active = False
        locked.save(update_fields=["is_active"])
    user.is_active = False
    user.forget_roles()
    end_sessions(user)
    return was_active


def _live_holds(user_id: int) -> list[AccountLock | Suspension]:
    return [
        *AccountLock.objects.live().filter(user_id=user_id),
        *Suspension.objects.live().filter(user_id=user_id),
    ]


def _release_account(hold: AccountLock | Suspension) -> bool:
    """After ``hold`` ended: turn the account back on if no other lock or suspension holds it
    and the account was active before the holds began.  True if it is active again."""
    assert hold.user_id is not None
    user = User.objects.select_for_update().get(pk=hold.user_id)
    others = [h for h in _live_holds(user.pk) if (type(h), h.pk) != (type(hold), hold.pk)]
    if others:
        if hold.deactivated_account:
            # The remaining hold now carries the duty to turn the account back on.
            other = others[0]
            type(other).objects.filter(pk=other.pk).update(deactivated_account=True)
        return False
    if hold.deactivated_account and not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        return True
    return False


# --- The case and its checklist (IT-9, LV-12) ---------------------------------------------


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
                "(CC-3): restrict it from the patron's page."
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
    _audit(AuditAction.CASE_OPENED, actor=actor, case=case, entry=entry.pk)
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
    case = _locked_case(case)
    _require_open(case)
    details = _text(details, "details", "Say what happened and what was found.")
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
    step = _step(case, StepKind.DETAILS, actor=actor, details=details)
    _audit(AuditAction.CASE_STEP, actor=actor, case=case, target=step, step="details")
    return step


def informed_people(library: Library | int) -> list[User]:
    """The library's IT manager and assistant directors for operations (IT-9)."""
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
    case = _locked_case(case)
    _require_open(case)
    _require_done(case, StepKind.DETAILS, message="Record the details first (step 1).")
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
                f"{case.entry.get_kind_display().lower()} (IT-9).\n\n"
                f"Open it in Bookwarden: {link}\n"
            ),
            reason="enforcement_inform",
            library=case.library,
            about=case,
            actor=actor,
        )
    names = ", ".join(str(u) for u in recipients)
    details = f"Informed by e-mail: {names}." + (f"\n{note.strip()}" if note.strip() else "")
    step = _step(case, StepKind.INFORM, actor=actor, details=details)
    _audit(
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
    case = _locked_case(case)
    _require_open(case)
    _require_done(case, StepKind.INFORM, message="Inform the IT manager first (step 2).")
    if _kinds(case) & {StepKind.ISOLATE, StepKind.ISOLATION_NOT_NEEDED}:
        raise ValidationError("Step 3 is already recorded.")
    now = timezone.now()
    if at is not None and at > now:
        raise ValidationError({"at": "That time is in the future."})
    if not isolated:
        note = _text(note, "note", "Say why the device need not be isolated.")
        step = _step(case, StepKind.ISOLATION_NOT_NEEDED, actor=actor, details=note)
        _audit(
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
    step = _step(
        case, StepKind.ISOLATE, actor=actor, details=note.strip(), at=case.device_isolated_at
    )
    _audit(
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
    case = _locked_case(case)
    _require_open(case)
    _require_done(
        case,
        StepKind.ISOLATE,
        StepKind.ISOLATION_NOT_NEEDED,
        message="Steps 1 to 3 come first: details, informing the IT manager, the device.",
    )
    if _decision(case) is not None:
        raise ValidationError("Human resources has already decided on this case.")
    decision = HRDecision.objects.create(
        case=case,
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
        discipline_needed=discipline_needed,
        note=note.strip(),
    )
    _step(
        case,
        StepKind.HR_DECISION,
        actor=actor,
        details="Discipline is needed." if discipline_needed else "No discipline is needed.",
    )
    _audit(
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
    case = _locked_case(case)
    _require_open(case)
    if method not in ContactMethod.values:
        raise ValidationError({"method": "In person, e-mail or phone."})
    if outcome not in ContactOutcome.values:
        raise ValidationError({"outcome": "Unknown outcome."})
    if case.subject_user_id is None:
        raise ValidationError("This case names no staff account: there is nobody to contact.")
    decision = _require_hr_decision(case, "Contacting the account user")
    if decision.discipline_needed:
        raise ValidationError(
            "Human resources decided that discipline is needed: human resources handles the "
            "person, not the contact steps (IT-9)."
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
    _step(
        case,
        StepKind.CONTACT,
        actor=actor,
        at=attempt.at,
        details=f"{attempt.get_method_display()}: {attempt.get_outcome_display().lower()}.",
    )
    _audit(
        AuditAction.CONTACT_ATTEMPT,
        actor=actor,
        case=case,
        target=attempt,
        method=method,
        outcome=outcome,
    )
    return attempt


def lock_refusal(case: EnforcementCase, actor: Any) -> str | None:
    """Why ``actor`` may not lock the account of ``case`` now, or None if they may (IT-9:
    after the configured number of failed contacts; on a discipline decision, the director)."""
    if not case.is_open:
        return "This case is closed."
    if case.subject_user_id is None:
        return "This case names no staff account."
    if actor is not None and actor.pk == case.subject_user_id:
        return "You cannot lock your own account."
    decision = _decision(case)
    if decision is None:
        return "Human resources decides first whether discipline is needed (IT-9)."
    if AccountLock.objects.live().filter(case=case).exists():
        return "The account is already locked."
    if decision.discipline_needed:
        if not _is_director(actor, case.library_id):
            return "On a discipline decision only the director locks the account."
        return None
    needed = failed_contacts_before_lock(case.library_id)
    failed = failed_contacts(case)
    if failed < needed:
        return (
            f"The lock is offered after {needed} failed contacts; {failed} so far "
            "are recorded (IT-9)."
        )
    return None


@transaction.atomic
def lock_account(*, actor: Any, case: EnforcementCase, reason: str = "") -> AccountLock:
    """Step 6 (IT-9): after repeated failed contact, lock the account.  It cannot sign in
    and its sessions end; ``unlock_account`` turns it back on."""
    require(actor, Perm.LOCK_ACCOUNTS, case.library_id)
    case = _locked_case(case)
    refusal = lock_refusal(case, actor)
    if refusal:
        raise ValidationError(refusal)
    assert case.subject_user is not None
    reason = reason.strip() or "Repeated attempts to reach the account user failed (IT-9)."
    lock = AccountLock.objects.create(
        library_id=case.library_id,
        case=case,
        user=case.subject_user,
        reason=reason,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    lock.deactivated_account = _hold_account(case.subject_user)
    lock.save(update_fields=["deactivated_account"])
    _step(case, StepKind.LOCK, actor=actor, details=reason)
    _audit(
        AuditAction.ACCOUNT_LOCKED,
        actor=actor,
        case=case,
        target=lock,
        subject_user=case.subject_user_id,
        lock=lock.pk,
    )
    return lock


@transaction.atomic
def unlock_account(*, actor: Any, lock: AccountLock, reason: str) -> AccountLock:
    """End a lock; the account works again unless another lock or suspension holds it."""
    require(actor, Perm.LOCK_ACCOUNTS, lock.library_id)
    lock = AccountLock.objects.select_for_update().get(pk=lock.pk)
    if lock.ended_at is not None:
        raise ValidationError("That lock has already ended.")
    reason = _text(reason, "reason", "Say why the account is unlocked.")
    lock.ended_at = timezone.now()
    lock.ended_by = actor if getattr(actor, "is_authenticated", False) else None
    lock.save(update_fields=["ended_at", "ended_by"])
    active = _release_account(lock)
    if lock.case_id is not None:
        case = _locked_case(lock.case)  # type: ignore[arg-type]
        _step(case, StepKind.UNLOCK, actor=actor, details=reason)
    record(
        AuditAction.ACCOUNT_UNLOCKED,
        actor=actor,
        target=lock,
        library=lock.library_id,
        subject_user=lock.user_id,
        after={"lock": lock.pk, "case": lock.case_id, "active_again": active},
    )
    return lock


@transaction.atomic
def refer_to_law_enforcement(
    *, actor: Any, case: EnforcementCase, agency: str, note: str = ""
) -> CaseStep:
    """Step 7 (LV-12): the director may refer suspected violations of law to law enforcement.
    A staff matter waits for the human-resources decision (IT-9)."""
    require(actor, Perm.REFER_TO_LAW_ENFORCEMENT, case.library_id)
    case = _locked_case(case)
    _require_open(case)
    _require_done(case, StepKind.DETAILS, message="Record the details first (step 1).")
    if case.is_staff_matter:
        _require_hr_decision(case, "A referral of a staff matter")
    if StepKind.REFER in _kinds(case):
        raise ValidationError("This case was already referred.")
    agency = _text(agency, "agency", "Name the agency, e.g. the county sheriff's office.")
    details = f"Referred to {agency}." + (f"\n{note.strip()}" if note.strip() else "")
    step = _step(case, StepKind.REFER, actor=actor, details=details)
    _audit(AuditAction.REFERRED, actor=actor, case=case, target=step)
    return step


@transaction.atomic
def close_case(*, actor: Any, case: EnforcementCase, note: str) -> EnforcementCase:
    """Close the case with what was concluded (IT-10: the date completed or closed).  Locks
    and suspensions stay until they are ended on their own."""
    require(actor, Perm.MANAGE_ENFORCEMENT, case.library_id)
    case = _locked_case(case)
    _require_open(case)
    note = _text(note, "note", "Say how the matter ended.")
    case.status = CaseStatus.CLOSED
    case.closed_at = timezone.now()
    case.closed_by = actor if getattr(actor, "is_authenticated", False) else None
    case.save(update_fields=["status", "closed_at", "closed_by"])
    _step(case, StepKind.CLOSED, actor=actor, details=note)
    _audit(AuditAction.CASE_CLOSED, actor=actor, case=case)
    return case


@transaction.atomic
def set_failed_contacts_before_lock(
    *, actor: Any, library: Library, value: int
) -> EnforcementSettings:
    """The director sets how many failed contacts come before the lock is offered (IT-9)."""
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


# --- Suspensions (LV-12) -----------------------------------------------------------------


@transaction.atomic
def suspend(
    *,
    actor: Any,
    library: Library,
    reason: str,
    ends_on: datetime.date | None,
    user: User | None = None,
    workstation: str = "",
    case: EnforcementCase | None = None,
) -> Suspension:
    """LV-12: temporarily suspend a staff account or a workstation to protect the library's
    systems, with a reason and an end date.  An account suspension turns the account off
    until the end date (the ``suspensions`` job turns it back on).  A suspension tied to a
    staff matter waits for the human-resources decision (IT-9)."""
    require(actor, Perm.LOCK_ACCOUNTS, library)
    workstation = workstation.strip()
    reason = _text(reason, "reason", "Say why (LV-12: to protect the library's systems).")
    errors: dict[str, str] = {}
    if (user is None) == (not workstation):
        errors["user"] = "Choose a staff account or name a workstation (one of the two)."
    if ends_on is None:
        errors["ends_on"] = "A suspension needs an end date (LV-12: temporary)."
    elif ends_on <= timezone.localdate():
        errors["ends_on"] = "The end date must be after today."
    if user is not None:
        if actor is not None and user.pk == actor.pk:
            errors["user"] = "You cannot suspend your own account."
        elif not Membership.objects.filter(user=user, library=library).exists():
            errors["user"] = "That person has no account at this library."
    if errors:
        raise ValidationError(errors)
    if case is not None:
        case = _locked_case(case)
        if case.library_id != library.pk:
            raise ValidationError({"case": "That case belongs to another library."})
        _require_open(case)
        if case.is_staff_matter:
            _require_hr_decision(case, "A suspension on this case")
    assert ends_on is not None
    suspension = Suspension.objects.create(
        library=library,
        user=user,
        workstation=workstation,
        reason=reason,
        ends_on=ends_on,
        case=case,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if user is not None:
        suspension.deactivated_account = _hold_account(user)
        suspension.save(update_fields=["deactivated_account"])
    if case is not None:
        _step(
            case,
            StepKind.SUSPENSION,
            actor=actor,
            details=f"{suspension.what} suspended until {ends_on:%Y-%m-%d}.",
        )
    record(
        AuditAction.SUSPENSION_STARTED,
        actor=actor,
        target=suspension,
        library=library,
        subject_user=user,
        after={
            "suspension": suspension.pk,
            "of": "account" if user is not None else "workstation",
            "ends_on": ends_on.isoformat(),
            "case": case.pk if case is not None else None,
        },
    )
    return suspension


@transaction.atomic
def end_suspension(*, actor: Any, suspension: Suspension, reason: str = "") -> Suspension:
    """End a suspension (early, by someone who may suspend; or on its end date, by the job).
    The account works again unless another lock or suspension holds it."""
    require(actor, Perm.LOCK_ACCOUNTS, suspension.library_id)
    suspension = Suspension.objects.select_for_update().get(pk=suspension.pk)
    if suspension.ended_at is not None:
        raise ValidationError("That suspension has already ended.")
    if actor is not None:
        _text(reason, "reason", "Say why it ends before its end date.")
    suspension.ended_at = timezone.now()
    suspension.ended_by = actor if getattr(actor, "is_authenticated", False) else None
    suspension.save(update_fields=["ended_at", "ended_by"])
    active = _release_account(suspension) if suspension.user_id is not None else None
    record(
        AuditAction.SUSPENSION_ENDED,
        actor=actor,
        target=suspension,
        library=suspension.library_id,
        subject_user=suspension.user_id,
        after={
            "suspension": suspension.pk,
            "on_end_date": actor is None,
            "active_again": active,
        },
    )
    return suspension


def end_expired_suspensions(today: datetime.date | None = None) -> int:
    """The ``suspensions`` job: end every suspension whose end date has come (LV-12), as the
    installation.  Each in a transaction of its own; safe to run twice."""
    today = today or timezone.localdate()
    ended = 0
    for suspension in Suspension.objects.live().filter(ends_on__lte=today).order_by("pk"):
        try:
            end_suspension(actor=None, suspension=suspension)
        except ValidationError:
            continue  # ended meanwhile by someone else
        ended += 1
    return ended


# --- Patron restrictions (CC-3, CC-11) ------------------------------------------------------


@transaction.atomic
def restrict_patron(
    *,
    actor: Any,
    patron: Any,
    reason: str,
    ends_on: datetime.date | None,
    starts_on: datetime.date | None = None,
    entry: LogEntry | None = None,
    kind: str = RestrictionKind.COMPUTER_USE,
) -> PatronRestriction:
    """CC-3, CC-11: restrict a patron's computer use for a period after a patron policy
    violation.  The audit event names the patron and the dates, never the reason."""
    require(actor, Perm.RESTRICT_PATRONS, patron.library_id)
    today = timezone.localdate()
    starts_on = starts_on or today
    reason = _text(reason, "reason", "Say which policy was broken and how.")
    errors: dict[str, str] = {}
    if kind not in RestrictionKind.values:
        errors["kind"] = "Unknown restriction."
    if starts_on < today:
        errors["starts_on"] = "The start cannot be in the past."
    if ends_on is None:
        errors["ends_on"] = "A restriction needs an end date (CC-3: for a period)."
    elif ends_on <= starts_on:
        errors["ends_on"] = "The end date must be after the start."
    if entry is not None and (entry.library_id != patron.library_id or not entry.is_violation):
        errors["entry"] = "Choose a violation recorded at the patron's library."
    if errors:
        raise ValidationError(errors)
    assert ends_on is not None
    restriction = PatronRestriction.objects.create(
        library_id=patron.library_id,
        patron=patron,
        kind=kind,
        reason=reason,
        starts_on=starts_on,
        ends_on=ends_on,
        entry=entry,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record(
        AuditAction.PATRON_RESTRICTED,
        actor=actor,
        target=restriction,
        library=patron.library_id,
        patron=patron.pk,
        after={
            "restriction": restriction.pk,
            "kind": kind,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "entry": entry.pk if entry is not None else None,
        },
    )
    return restriction


@transaction.atomic
def lift_restriction(
    *, actor: Any, restriction: PatronRestriction, reason: str
) -> PatronRestriction:
    """End a patron's restriction before its end date."""
    require(actor, Perm.RESTRICT_PATRONS, restriction.library_id)
    restriction = PatronRestriction.objects.select_for_update().get(pk=restriction.pk)
    if restriction.lifted_at is not None or restriction.ends_on <= timezone.localdate():
        raise ValidationError("That restriction has already ended.")
    _text(reason, "reason", "Say why the restriction is lifted early.")
    restriction.lifted_at = timezone.now()
    restriction.lifted_by = actor if getattr(actor, "is_authenticated", False) else None
    restriction.save(update_fields=["lifted_at", "lifted_by"])
    record(
        AuditAction.PATRON_RESTRICTION_ENDED,
        actor=actor,
        target=restriction,
        library=restriction.library_id,
        patron=restriction.patron_id,
        after={"restriction": restriction.pk},
    )
    return restriction


def may_lock(user: Any, case: EnforcementCase) -> bool:
    """Whether the page offers ``user`` the lock (the action checks again)."""
    return has_perm(user, Perm.LOCK_ACCOUNTS, case.library_id) and lock_refusal(case, user) is None
