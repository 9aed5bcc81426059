"""Holding an account or a workstation (IT-9, LV-12): the lock of step 6 after repeated
failed contact, and temporary suspensions.  A held account is turned off (it cannot sign in)
and its sessions end; it is turned back on when the last lock or suspension holding it ends,
if it was active before."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core import when as formats
from bookwarden.core.actions import end_sessions
from bookwarden.core.models import Library, Membership, User
from bookwarden.core.permissions import has_perm, require
from bookwarden.core.roles import Perm, Role

from ..models import AccountLock, EnforcementCase, StepKind, Suspension, failed_contacts_before_lock
from .case_steps import (
    audit_case,
    failed_contacts,
    hr_decision_of,
    locked_case,
    record_step,
    require_hr_decision,
    require_open,
    required_text,
)


def _is_director(actor: Any, library: Library | int) -> bool:
    return actor is None or Role.DIRECTOR in actor.roles_in(library)


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
    if not Membership.objects.filter(user=user, revoked_at__isnull=True).exists():
        # The account ended while it was held (the person left, CC-1): it stays off.
        return False
    if hold.deactivated_account and not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        return True
    return False


# --- The lock (step 6 of IT-9) --------------------------------------------------------------


def lock_refusal(case: EnforcementCase, actor: Any) -> str | None:
    """Why ``actor`` may not lock the account of ``case`` now, or None if they may (IT-9:
    after the configured number of failed contacts; on a discipline decision, the director)."""
    if not case.is_open:
        return "This case is closed."
    if case.subject_user_id is None:
        return "This case names no staff account."
    if actor is not None and actor.pk == case.subject_user_id:
        return "You cannot lock your own account."
    decision = hr_decision_of(case)
    if decision is None:
        return "Human resources decides first whether discipline is needed."
    if AccountLock.objects.live().filter(case=case).exists():
        return "The account is already locked."
    if decision.discipline_needed:
        if not _is_director(actor, case.library_id):
            return "On a discipline decision only the director locks the account."
        return None
    needed = failed_contacts_before_lock(case.library_id)
    failed = failed_contacts(case)
    if failed < needed:
        return f"The lock is offered after {needed} failed contacts; {failed} so far are recorded."
    return None


@transaction.atomic
def lock_account(*, actor: Any, case: EnforcementCase, reason: str = "") -> AccountLock:
    """Step 6 (IT-9): after repeated failed contact, lock the account.  It cannot sign in
    and its sessions end; ``unlock_account`` turns it back on."""
    require(actor, Perm.LOCK_ACCOUNTS, case.library_id)
    case = locked_case(case)
    refusal = lock_refusal(case, actor)
    if refusal:
        raise ValidationError(refusal)
    assert case.subject_user is not None
    reason = reason.strip() or "Repeated attempts to reach the account user failed."
    lock = AccountLock.objects.create(
        library_id=case.library_id,
        case=case,
        user=case.subject_user,
        reason=reason,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    lock.deactivated_account = _hold_account(case.subject_user)
    lock.save(update_fields=["deactivated_account"])
    record_step(case, StepKind.LOCK, actor=actor, details=reason)
    audit_case(
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
    reason = required_text(reason, "reason", "Say why the account is unlocked.")
    lock.ended_at = timezone.now()
    lock.ended_by = actor if getattr(actor, "is_authenticated", False) else None
    lock.save(update_fields=["ended_at", "ended_by"])
    active = _release_account(lock)
    if lock.case_id is not None:
        case = locked_case(lock.case)  # type: ignore[arg-type]
        record_step(case, StepKind.UNLOCK, actor=actor, details=reason)
    record(
        AuditAction.ACCOUNT_UNLOCKED,
        actor=actor,
        target=lock,
        library=lock.library_id,
        subject_user=lock.user_id,
        after={"lock": lock.pk, "case": lock.case_id, "active_again": active},
    )
    return lock


def may_lock(user: Any, case: EnforcementCase) -> bool:
    """Whether the page offers ``user`` the lock (the action checks again)."""
    return has_perm(user, Perm.LOCK_ACCOUNTS, case.library_id) and lock_refusal(case, user) is None


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
    staff matter waits for the human-resources decision."""
    require(actor, Perm.LOCK_ACCOUNTS, library)
    workstation = workstation.strip()
    reason = required_text(reason, "reason", "Say why: to protect the library's systems from what?")
    errors: dict[str, str] = {}
    if (user is None) == (not workstation):
        errors["user"] = "Choose a staff account or name a workstation (one of the two)."
    if ends_on is None:
        errors["ends_on"] = "A suspension needs an end date: it is temporary."
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
        case = locked_case(case)
        if case.library_id != library.pk:
            raise ValidationError({"case": "That case belongs to another library."})
        require_open(case)
        if case.is_staff_matter:
            require_hr_decision(case, "A suspension on this case")
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
        record_step(
            case,
            StepKind.SUSPENSION,
            actor=actor,
            details=f"{suspension.what} suspended until {formats.day(ends_on)}.",
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
        required_text(reason, "reason", "Say why it ends before its end date.")
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
