"""Account events into the audit log: logins, logouts, failures, lockouts, MFA changes.

These come only from requests handled by django.contrib.auth, django-allauth and django-axes,
so a receiver is the one place to catch them.  Domain writes never rely on signals: they
record their events in their actions.
"""

from __future__ import annotations

from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from bookwarden.audit.models import AuditAction

from .actions import log_auth_event
from .lockout import ACCOUNT, ADDRESS, account_lock, address_lock, count_second_factor_failure


def _known_user(username: str | None) -> Any:
    """The account a failed login named, if it exists.  The typed name itself is never
    stored: people type passwords into the username box."""
    if not username:
        return None
    return get_user_model().objects.filter(username__iexact=username).first()


def _refused_while_locked(request: Any) -> bool:
    """The attempt was refused by a lock before its password or code was checked."""
    return bool(getattr(request, "bw_refused", False))


@receiver(user_logged_in, dispatch_uid="bw_audit_login")
def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    log_auth_event(AuditAction.LOGIN, user=user, actor=user)


@receiver(user_logged_out, dispatch_uid="bw_audit_logout")
def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        log_auth_event(AuditAction.LOGOUT, user=user, actor=user)


@receiver(user_login_failed, dispatch_uid="bw_audit_login_failed")
def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    user = _known_user(credentials.get("username"))
    after = {"account": "known" if user else "unknown"}
    if _refused_while_locked(request):
        after["refused"] = request.bw_lock.kind
    log_auth_event(AuditAction.LOGIN_FAILED, user=user, after=after)


@receiver(user_locked_out, dispatch_uid="bw_audit_locked_out")
def _on_locked_out(
    sender: Any, request: Any, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    """A lock begins (core.lockout): of an account (``username``), or of password-only
    sign-in from an address.  Attempts refused while it holds are login failures."""
    if _refused_while_locked(request):
        return
    user = _known_user(username)
    lock = account_lock(user) if user is not None else address_lock(ip_address)
    log_auth_event(
        AuditAction.LOCKED_OUT,
        user=user,
        after={
            "lock": ACCOUNT if user is not None else ADDRESS,
            "source": ip_address,
            "until": lock.until.isoformat() if lock else None,
        },
    )


@receiver(account_signals.password_changed, dispatch_uid="bw_audit_pw_changed")
def _on_password_changed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    log_auth_event(AuditAction.PASSWORD_CHANGED, user=user, actor=user)


@receiver(account_signals.password_reset, dispatch_uid="bw_audit_pw_reset")
def _on_password_reset(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    log_auth_event(AuditAction.PASSWORD_RESET, user=user, actor=user)


@receiver(account_signals.authentication_step_completed, dispatch_uid="bw_audit_reauth")
def _on_step(sender: Any, request: Any, user: Any, method: str, **kwargs: Any) -> None:
    if kwargs.get("reauthenticated"):
        log_auth_event(AuditAction.REAUTHENTICATED, user=user, actor=user, after={"method": method})


def _mfa_payload(authenticator: Any) -> dict[str, Any]:
    return {"type": authenticator.type, "authenticator": authenticator.pk}


@receiver(mfa_signals.authenticator_added, dispatch_uid="bw_audit_mfa_added")
def _on_mfa_added(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    log_auth_event(AuditAction.MFA_ADDED, user=user, actor=user, after=_mfa_payload(authenticator))


@receiver(mfa_signals.authenticator_removed, dispatch_uid="bw_audit_mfa_removed")
def _on_mfa_removed(
    sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    log_auth_event(
        AuditAction.MFA_REMOVED, user=user, actor=user, before=_mfa_payload(authenticator)
    )


@receiver(mfa_signals.authenticator_reset, dispatch_uid="bw_audit_mfa_reset")
def _on_mfa_reset(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    log_auth_event(AuditAction.MFA_RESET, user=user, actor=user, after=_mfa_payload(authenticator))


@receiver(mfa_signals.authentication_failed, dispatch_uid="bw_audit_mfa_failed")
def _on_mfa_failed(
    sender: Any, request: Any, user: Any, authenticator: Any = None, **kwargs: Any
) -> None:
    log_auth_event(
        AuditAction.MFA_FAILED, user=user, after={"type": getattr(authenticator, "type", None)}
    )
    count_second_factor_failure(request, user)
