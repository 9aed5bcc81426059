"""allauth's socialaccount, for sign-in with an OpenID Connect provider (docs/sso.md).

Every sign-in is matched again to an existing account (:mod:`bookwarden.sso.matching`); no
account is ever made and no link is kept: the provider's word is checked each time.  A
sign-in that matches no account with a role in force is refused and recorded.  When the
provider says it checked a second factor and every library of the person trusts that, the
code step is skipped (``core.second_factor.SECOND_FACTOR_ELSEWHERE``) and that is recorded.
"""

from __future__ import annotations

from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from django.http import HttpRequest
from django.shortcuts import render

from bookwarden.core.second_factor import SECOND_FACTOR_ELSEWHERE

from . import actions
from .matching import (
    Refused,
    account_for_openid_connect,
    libraries_trust_provider_second_factor,
    openid_connect_claims,
    provider_checked_second_factor,
)

#: In the sign-in's state (kept by allauth until the sign-in ends, code step included).
TRUSTED_STATE = "bw_second_factor_trusted"


def refused_page(request: HttpRequest, refused: Refused, provider_name: str) -> Any:
    return render(
        request,
        "sso/refused.html",
        {"reason": refused.message, "provider_name": provider_name},
        status=403,
    )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """``SOCIALACCOUNT_ADAPTER``."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        provider_id = sociallogin.account.provider
        provider_name = sociallogin.provider.name
        try:
            if sociallogin.state.get("process") != AuthProcess.LOGIN:
                raise Refused("not_offered")
            id_token, claims = openid_connect_claims(sociallogin.account.extra_data)
            user = account_for_openid_connect(provider_id, claims)
        except Refused as refused:
            actions.record_refusal(refused, method=actions.OPENID_CONNECT, provider=provider_id)
            raise ImmediateHttpResponse(refused_page(request, refused, provider_name)) from None
        # The existing account, found afresh: allauth signs it in (no link is saved).
        sociallogin.user = user
        sociallogin.account.user = user
        trusted = provider_checked_second_factor(
            provider_id, id_token
        ) and libraries_trust_provider_second_factor(user)
        sociallogin.state[TRUSTED_STATE] = trusted
        if trusted:
            setattr(request, SECOND_FACTOR_ELSEWHERE, user.pk)
