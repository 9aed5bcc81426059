"""Sign-ins with the library's accounts into the audit log, when the sign-in ends (after
the code step, when one is asked): which provider or the directory vouched for the person,
and whether the provider's second factor was trusted (CC-7, LV-3)."""

from __future__ import annotations

from typing import Any

from allauth.account import signals as account_signals
from django.dispatch import receiver

from bookwarden.core.second_factor import SECOND_FACTOR_ELSEWHERE

from . import actions
from .adapters import TRUSTED_STATE


@receiver(account_signals.user_logged_in, dispatch_uid="bw_sso_signed_in")
def _on_signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    sociallogin = kwargs.get("sociallogin")
    directory_user = request.session.pop(actions.DIRECTORY_SIGN_IN, None)
    if sociallogin is not None:
        provider = sociallogin.account.provider
        trusted = bool(sociallogin.state.get(TRUSTED_STATE))
        actions.record_sign_in(
            user,
            method=actions.OPENID_CONNECT,
            provider=provider,
            provider_second_factor_trusted=trusted,
        )
        if trusted:
            request.session[SECOND_FACTOR_ELSEWHERE] = user.pk
            actions.record_second_factor_trusted(user, provider=provider)
    elif directory_user == user.pk:
        actions.record_sign_in(user, method=actions.DIRECTORY)
