"""Account events and the writes of sign-in: lockout lifted by a director, two-factor
enrolment and reset (LV-3, CC-7)."""

from __future__ import annotations

from typing import Any

from axes.utils import reset
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction

from ..lockout import Lock, account_lock
from ..models import Library, Membership, User
from ..permissions import require
from ..roles import Perm


def log_auth_event(
    action: AuditAction, *, user: Any = None, actor: Any = None, **extra: Any
) -> None:
    """Account events (login, failure, lockout, MFA) have no library of their own."""
    with transaction.atomic():
        record(
            action,
            actor=actor,
            target=user if user is not None and user.pk else None,
            subject_user=user if user is not None and user.pk else None,
            **extra,
        )


def end_sessions(user: User) -> int:
    """Sign ``user`` out everywhere: delete their sessions (database sessions).  An inactive
    account's session would no longer authenticate anyway; this makes it certain.  Used when
    an account is held (enforcement) or ended (people: a person leaves, CC-1)."""
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


@transaction.atomic
def unlock_sign_in(*, actor: User | None, user: User, library: Library) -> Lock:
    """A director lifts the lockout of a person of their library after repeated failed
    sign-ins (LV-3), before it lifts by itself, for example once the person has called and
    said who they are.  Returns the lock that was lifted."""
    require(actor, Perm.MANAGE_ROLES, library)
    user = User.objects.select_for_update().get(pk=user.pk)  # one unlock at a time
    if not Membership.objects.active().filter(user=user, library=library).exists():
        raise ValidationError("That person holds no role at this library.")
    if actor is not None and actor.pk == user.pk:
        raise ValidationError("Another director can unlock your sign-in, or wait until it lifts.")
    lock = account_lock(user)
    if lock is None:
        raise ValidationError(f"Sign-in of {user} is not locked.")
    reset(username=user.username)
    record(
        AuditAction.SIGN_IN_UNLOCKED,
        actor=actor,
        target=user,
        library=library,
        subject_user=user,
        before={"locked_until": lock.until.isoformat()},
    )
    return lock


@transaction.atomic
def enroll_totp(*, actor: User | None, user: User, secret: str) -> None:
    """Give ``user`` a TOTP authenticator with a known secret and recovery codes.

    Only the demo and the command line use this; people enrol themselves from the
    two-factor pages, which django-allauth serves and the audit receivers record.
    """
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    totp = TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user)
    for authenticator in (totp.instance, codes.instance):
        record(
            AuditAction.MFA_ADDED,
            actor=actor,
            target=user,
            subject_user=user,
            after={"type": authenticator.type, "authenticator": authenticator.pk},
        )


@transaction.atomic
def reset_second_factor(*, actor: User | None, user: User, library: Library, reason: str) -> int:
    """A director removes a person's authenticator app and recovery codes, for example after
    a lost phone.  The person must enrol again at their next sign-in if their role needs it.
    Returns how many authenticators were removed."""
    from allauth.mfa.models import Authenticator

    require(actor, Perm.MANAGE_ROLES, library)
    if not Membership.objects.filter(user=user, library=library).exists():
        raise ValidationError("That person holds no role at this library.")
    if actor is not None and actor.pk == user.pk:
        raise ValidationError("Change your own two-factor login from your account page.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why, for example: phone lost."})
    authenticators = list(Authenticator.objects.select_for_update().filter(user=user))
    if not authenticators:
        raise ValidationError("This person has no two-factor login to reset.")
    for authenticator in authenticators:
        record(
            AuditAction.MFA_REMOVED,
            actor=actor,
            target=user,
            library=library,
            subject_user=user,
            purpose=reason,
            before={"type": authenticator.type, "authenticator": authenticator.pk},
        )
    Authenticator.objects.filter(pk__in=[a.pk for a in authenticators]).delete()
    return len(authenticators)
