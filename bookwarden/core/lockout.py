"""Sign-in lockout (LV-3): the account first, the address only far behind.

django-axes records every failed attempt (one row per account name, address and browser,
kept for ``AXES_COOLOFF_TIME``); this module decides what is locked:

* **An account** is locked after ``LOCKOUT_FAILURES`` failures for it (wrong passwords and
  wrong two-factor codes, from any address), until ``LOCKOUT_MINUTES`` after the last
  of them.  Trying again while locked does not make it longer.  A director of the person's
  library can lift it sooner (:func:`bookwarden.core.actions.unlock_sign_in`).
* **An address** is limited after ``LOCKOUT_ADDRESS_FAILURES`` failures from it (all
  accounts and unknown names together), much more than one person's typos.  It holds back
  guessing across many accounts, but never a person who proves more than a password: an
  account with two-factor login still signs in with its password and code, and a signed-in
  person unlocking their idle session or confirming their password is not held by it.
  Staff of a branch share one address behind its router: one person's typos, or an
  outsider's guesses, never lock their colleagues out.

People type passwords into the username box.  Axes keeps the name of every failed attempt
in its own table, so an unknown name is stored as one placeholder, never as typed.  Known
names are folded to the account's own spelling, so that "MReyes" and "mreyes" count as
failures against the same account (no lockout bypass by changing case).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .models import User
from .second_factor import REUSED_CODE_MESSAGE, code_was_just_used, has_totp

UNKNOWN_ACCOUNT = "(unknown account)"

#: What a lock holds: one account, or password-only sign-in from one address.
ACCOUNT = "account"
ADDRESS = "address"


@dataclass(frozen=True)
class Lock:
    kind: str  # ACCOUNT or ADDRESS
    until: datetime.datetime  # when it lifts by itself


# --- Whose attempt ------------------------------------------------------------------------


def _typed_name(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        data = getattr(request, "POST", {})
        typed = data.get("login") or data.get("username")
    return typed or None


def account_named(request: HttpRequest | None, credentials: dict[str, Any] | None) -> User | None:
    """The account an attempt was for (names folded), or None for a name that is no account.

    Looked up once per request and name: axes asks several times while it handles one."""
    typed = _typed_name(request, credentials)
    if not typed:
        return None
    cache: dict[str, User | None] = {}
    if request is not None:
        cache = request.__dict__.setdefault("bw_lockout_accounts", {})
    if typed.casefold() not in cache:
        cache[typed.casefold()] = User.objects.filter(username__iexact=typed).first()
    return cache[typed.casefold()]


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the account's own spelling, or the placeholder."""
    if not _typed_name(request, credentials):
        return None
    account = account_named(request, credentials)
    return account.username if account is not None else UNKNOWN_ACCOUNT


def _address(request: HttpRequest) -> str | None:
    ip: str | None = getattr(request, "axes_ip_address", None)
    if ip is None:
        from axes.helpers import get_client_ip_address

        ip = get_client_ip_address(request)
    return ip


# --- What is locked -----------------------------------------------------------------------


def _now(request: HttpRequest | None) -> datetime.datetime:
    now: datetime.datetime | None = getattr(request, "axes_attempt_time", None)
    return now or timezone.now()


def _recent(attempts: QuerySet[AccessAttempt], now: datetime.datetime) -> QuerySet[AccessAttempt]:
    cool_off = get_cool_off()
    assert cool_off is not None, "AXES_COOLOFF_TIME must be set"
    return attempts.filter(attempt_time__gte=now - cool_off)


def _failures(attempts: QuerySet[AccessAttempt], now: datetime.datetime) -> int:
    return sum(_recent(attempts, now).values_list("failures_since_start", flat=True))


def _locked_until(
    attempts: QuerySet[AccessAttempt], limit: int, now: datetime.datetime
) -> datetime.datetime | None:
    """When ``attempts`` stop reaching ``limit``, if they reach it now.

    Axes counts a row while its last failure is younger than the cool-off; taking the rows
    newest first, the lock lasts until the row that brings the count to ``limit`` ages out."""
    cool_off = get_cool_off()
    assert cool_off is not None
    total = 0
    rows = _recent(attempts, now).order_by("-attempt_time")
    for attempt_time, failures in rows.values_list("attempt_time", "failures_since_start"):
        total += failures
        if total >= limit:
            lifts: datetime.datetime = attempt_time + cool_off
            return lifts
    return None


def account_lock(account: User, now: datetime.datetime | None = None) -> Lock | None:
    """The lock of ``account`` after repeated failures for it, if there is one now."""
    until = _locked_until(
        AccessAttempt.objects.filter(username=account.username),
        settings.LOCKOUT_FAILURES,
        now or timezone.now(),
    )
    return Lock(ACCOUNT, until) if until else None


def address_lock(ip: str | None, now: datetime.datetime | None = None) -> Lock | None:
    """The limit of address ``ip`` after many failures from it, if it holds now."""
    if not ip:
        return None
    until = _locked_until(
        AccessAttempt.objects.filter(ip_address=ip),
        settings.LOCKOUT_ADDRESS_FAILURES,
        now or timezone.now(),
    )
    return Lock(ADDRESS, until) if until else None


def _address_limit_applies(request: HttpRequest, account: User | None) -> bool:
    """The address limit holds back names that are no account and accounts with a password
    only; never an account with two-factor login, nor a person signed in as that account
    (unlocking an idle session, confirming the password)."""
    if account is None:
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.pk == account.pk:
        return False
    return not has_totp(account)


def current_lock(request: HttpRequest, credentials: dict[str, Any] | None) -> Lock | None:
    """What stops this attempt now: the account's lock, else the address limit."""
    account = account_named(request, credentials)
    now = _now(request)
    if account is not None and (lock := account_lock(account, now)):
        return lock
    if _address_limit_applies(request, account):
        return address_lock(_address(request), now)
    return None


class SignInLockoutHandler(AxesDatabaseHandler):
    """``AXES_HANDLER``: axes records the attempts and resets an account's on success;
    :func:`current_lock` decides what is locked (``AXES_LOCK_OUT_AT_FAILURE`` is off, so
    axes' own single-threshold decision never runs)."""

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        lock = current_lock(request, credentials)
        if lock is not None:
            # Refused before the password was checked: not a new lock, and no new failure.
            request.bw_lock = lock  # type: ignore[attr-defined]
            request.bw_refused = True  # type: ignore[attr-defined]
        return lock is not None

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "bw_refused", False):
            return
        # The failure was counted: did it start a lock?
        now = _now(request)
        account = account_named(request, credentials)
        ip = _address(request)
        if account is not None and account_lock(account, now):
            self._locked(request, credentials, account.username, ip)
        address = AccessAttempt.objects.filter(ip_address=ip)
        if ip and _failures(address, now) == settings.LOCKOUT_ADDRESS_FAILURES:
            self._locked(request, credentials, None, ip)

    def _locked(
        self, request: Any, credentials: dict[str, Any], username: str | None, ip: str | None
    ) -> None:
        lock = current_lock(request, credentials)
        if lock is not None:
            # This very attempt gets the locked-out page (AxesMiddleware).
            request.bw_lock = lock
            request.axes_locked_out = True
            request.axes_credentials = credentials
        user_locked_out.send("axes", request=request, username=username, ip_address=ip)


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the page that says what is locked, until when, and who
    can unlock it sooner."""
    lock = getattr(request, "bw_lock", None) or current_lock(request, credentials)
    return render(
        request,
        "account/locked_out.html",
        {"lock": lock, "minutes": settings.LOCKOUT_MINUTES},
        status=429,
    )


# --- Wrong two-factor codes count against the account ------------------------------------


def count_second_factor_failure(request: HttpRequest | None, user: User) -> None:
    """A wrong code is a failure for the account, as a wrong password is: it counts towards
    the account's lock (a stolen password does not buy unlimited code guesses)."""
    if request is None:
        return
    AxesProxyHandler.user_login_failed(
        sender=count_second_factor_failure,
        credentials={"username": user.get_username()},
        request=request,
    )


class _RefuseWhileLocked:
    """Refuse a code while the account is locked, before checking it; a code typed again
    is refused with the reason.  The field is labelled in plain words."""

    user: User

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["code"]  # type: ignore[attr-defined]
        field.label = "6-digit code"
        field.help_text = "From your authenticator app, or one of your recovery codes."
        field.widget.attrs.update(
            {"autocomplete": "one-time-code", "autofocus": True, "placeholder": "", "size": 10}
        )

    def clean_code(self) -> str:
        from bookwarden.audit.models import AuditAction

        from .actions import log_auth_event  # core.actions imports this module

        request = context.request
        if not AxesProxyHandler.is_allowed(request, {"username": self.user.get_username()}):
            request.axes_locked_out = True  # AxesMiddleware answers with the locked-out page
            lock = getattr(request, "bw_lock", None)
            log_auth_event(
                AuditAction.MFA_FAILED,
                user=self.user,
                after={"type": None, "refused": lock.kind if lock else "refused"},
            )
            raise ValidationError("Sign-in to this account is locked for now.")
        typed = str(self.cleaned_data.get("code") or "")  # type: ignore[attr-defined]
        if code_was_just_used(self.user, typed):
            # The right code, typed a second time: say so, and do not count it as a guess.
            log_auth_event(
                AuditAction.MFA_FAILED, user=self.user, after={"type": "totp", "reused": True}
            )
            raise ValidationError(REUSED_CODE_MESSAGE)
        code: str = super().clean_code()  # type: ignore[misc]
        return code


class SecondFactorForm(_RefuseWhileLocked, AuthenticateForm):
    """``MFA_FORMS["authenticate"]``: the code step of sign-in."""


class SecondFactorReauthenticateForm(_RefuseWhileLocked, ReauthenticateForm):
    """``MFA_FORMS["reauthenticate"]``: confirming with a code instead of the password."""
