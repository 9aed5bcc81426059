"""Who an outside identity is in Bookwarden (CC-7, LV-3; docs/sso.md, "Matching").

An identity from an OpenID Connect provider or the library's directory only proves who
someone is.  It is matched, at every sign-in, to one existing account, which must be active
and hold a role in force; it never creates an account and grants nothing.  Any other case is
a :class:`Refused` sign-in, with a reason for the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings

from bookwarden.core.models import User

from .config import MATCH_EMAIL
from .models import SecondFactorTrust

#: Why a sign-in was refused: the reason kept in the audit event, and what the person reads.
REASONS = {
    "no_account": "No Bookwarden account matches this account.",
    "several_accounts": "More than one Bookwarden account matches this account.",
    "unverified_email": "The provider did not say that this e-mail address is verified.",
    "no_email": "The provider did not give an e-mail address.",
    "no_username": "The provider did not give a user name.",
    "other_domain": "This account is not one of the library's own.",
    "inactive": "The Bookwarden account has ended.",
    "no_role": "The Bookwarden account holds no role in force at any library.",
    "not_offered": "Linking outside accounts is not offered: sign in with them instead.",
}


class Refused(Exception):
    """A sign-in with an outside identity that gives no access."""

    def __init__(self, reason: str, user: User | None = None) -> None:
        assert reason in REASONS, reason
        super().__init__(REASONS[reason])
        self.reason = reason
        self.user = user

    @property
    def message(self) -> str:
        return REASONS[self.reason]


def check_may_sign_in(user: User) -> User:
    """``user`` if the account is active and holds a role in force (at a library, or the
    installation's); else :class:`Refused`."""
    if not user.is_active:
        raise Refused("inactive", user)
    if not user.active_memberships() and not user.installation_role:
        raise Refused("no_role", user)
    return user


def _one(accounts: Iterable[User]) -> User:
    found = list(accounts)
    if not found:
        raise Refused("no_account")
    if len(found) > 1:
        raise Refused("several_accounts")
    return check_may_sign_in(found[0])


def account_for_username(name: str) -> User:
    """The account whose username is ``name`` (letter case aside)."""
    return _one(User.objects.filter(username__iexact=name)[:2])


def _in_domain(address: str, domain: str) -> tuple[str, bool]:
    """``address`` without ``@domain``, and whether it was in ``domain`` (always, when the
    provider sets no domain)."""
    if not domain:
        return address, True
    local, at, where = address.rpartition("@")
    return local, bool(at) and where.lower() == domain


def _is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def openid_connect_claims(extra_data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the provider said: the ID token's claims, and those merged with the userinfo
    answer (which allauth asks for too)."""
    id_token = dict(extra_data.get("id_token") or {})
    return id_token, id_token | dict(extra_data.get("userinfo") or {})


def account_for_openid_connect(provider_id: str, claims: dict[str, Any]) -> User:
    """The one account the provider's identity matches, by the provider's rule
    (``BOOKWARDEN_OIDC_<NAME>_MATCH``): its verified e-mail address equals the account's,
    or its user name claim (without the library's domain) equals the account's username."""
    rules = settings.SSO_OPENID_CONNECT[provider_id]
    domain = rules["domain"]
    if rules["match"] == MATCH_EMAIL:
        email = str(claims.get("email") or "").strip()
        if not email:
            raise Refused("no_email")
        if not _is_true(claims.get("email_verified")):
            raise Refused("unverified_email")
        if not _in_domain(email, domain)[1]:
            raise Refused("other_domain")
        return _one(User.objects.filter(email__iexact=email)[:2])
    name = str(claims.get(rules["username_claim"]) or "").strip()
    if not name:
        raise Refused("no_username")
    name, inside = _in_domain(name, domain)
    if not inside:
        raise Refused("other_domain")
    return account_for_username(name)


def provider_checked_second_factor(provider_id: str, id_token: dict[str, Any]) -> bool:
    """The ID token says the provider checked more than a password: an ``amr`` value or the
    ``acr`` the library names for the provider (``..._SECOND_FACTOR_AMR``/``_ACR``)."""
    rules = settings.SSO_OPENID_CONNECT[provider_id]
    amr = id_token.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    said = {str(value).lower() for value in amr}
    if said & set(rules["second_factor_amr"]):
        return True
    acr = id_token.get("acr")
    return bool(acr) and str(acr) in rules["second_factor_acr"]


def libraries_trust_provider_second_factor(user: User) -> bool:
    """Every library where the person holds a role has chosen to trust the identity
    provider's second factor (one library's choice cannot lower another's rule).  The
    installation role belongs to no library: it is never trusted."""
    library_ids = {m.library_id for m in user.active_memberships()}
    if not library_ids or user.installation_role:
        return False
    trusting = SecondFactorTrust.objects.filter(
        library_id__in=library_ids, trust_provider_second_factor=True
    ).values_list("library_id", flat=True)
    return set(trusting) == library_ids
