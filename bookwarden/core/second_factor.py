"""Who must sign in with a second factor, and who has one (CC-7)."""

from __future__ import annotations

from typing import Any

from .roles import needs_second_factor


def needs_mfa(user: Any) -> bool:
    """Directors, designees, the technology coordinator, IT staff and human resources, and
    the installation role (it runs the jobs of every library)."""
    return any(needs_second_factor(role) for role in {*user.all_roles(), user.installation_role})


#: A sign-in whose second factor the identity provider checked, and which every library of
#: the person has chosen to trust (bookwarden.sso, docs/sso.md): the id of the account, on the
#: request while signing in (the code step is skipped) and in the session afterwards (no
#: authenticator app is asked for).  Set by nothing else.
SECOND_FACTOR_ELSEWHERE = "bw_second_factor_elsewhere"


def second_factor_checked_elsewhere(request: Any, user: Any) -> bool:
    """This sign-in's second factor was checked by a trusted identity provider."""
    return user.pk is not None and (
        getattr(request, SECOND_FACTOR_ELSEWHERE, None) == user.pk
        or request.session.get(SECOND_FACTOR_ELSEWHERE) == user.pk
    )


def has_totp(user: Any) -> bool:
    """The person has an authenticator app set up."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


#: What a person reads when they type the right code a second time (allauth accepts each
#: authenticator code once, so a code copied twice, or typed again after a slow page, is
#: refused).
REUSED_CODE_MESSAGE = (
    "This code was just used. Wait for the next code (a new one appears every 30 seconds) "
    "and enter it."
)


def code_was_just_used(user: Any, code: str) -> bool:
    """``code`` is the right authenticator code for this moment, but it has already been
    used: allauth remembers each accepted code for one period and refuses it again, with
    the same answer as a wrong code."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import validate_totp_code
    from allauth.mfa.utils import decrypt
    from django.core.cache import cache

    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is None or not code:
        return False
    if not validate_totp_code(decrypt(totp.data["secret"]), code):
        return False
    # allauth's own key for a used code (allauth.mfa.totp.internal.auth.TOTP).
    return cache.get(totp.wrap()._get_used_cache_key(code)) is not None


def count_sign_in_as_confirmation(request: Any, user: Any) -> None:
    """A sign-in that has just checked the password and then a second factor proves as much
    as the confirmation asked before a sensitive step: count it as one, so that the person
    is not asked again within ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` of signing in.

    allauth keeps the steps of the sign-in in the session; its check of a recent
    confirmation looks at the last step marked ``reauthenticated``, and its time."""
    from allauth.account.internal.flows.login import (
        AUTHENTICATION_METHODS_SESSION_KEY,
        get_authentication_records,
    )

    records = [dict(record) for record in get_authentication_records(request, user)]
    second_factors = [i for i, record in enumerate(records) if record.get("method") == "mfa"]
    if not second_factors:
        return
    last = second_factors[-1]
    if not any(record.get("method") == "password" for record in records[:last]):
        return
    records[last]["reauthenticated"] = True
    request.session[AUTHENTICATION_METHODS_SESSION_KEY] = records
