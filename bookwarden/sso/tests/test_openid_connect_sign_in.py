"""Sign-in with an OpenID Connect provider (Google Workspace, Microsoft Entra ID, ...),
against a real provider on loopback: django-oauth-toolkit in its own process, the whole
authorization-code flow (CC-7, LV-3; docs/sso.md)."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Library, User
from bookwarden.core.tests.helpers import audit_head, events_since, location_path, totp_code
from bookwarden.sso import actions, config
from bookwarden.sso.matching import provider_checked_second_factor

from .conftest import Env, apply_provider, provider_env
from .oidc_flow import sign_in_with_provider
from .servers import PROVIDER_ID


def _trust(people, library_slug: str = "new-madrid") -> None:
    actions.set_second_factor_trust(
        actor=people["director"],
        library=Library.objects.get(slug=library_slug),
        trust_provider_second_factor=True,
    )


def test_login_page_offers_the_provider_only_when_configured(client, people, settings, provider):
    """Nothing changes when no provider is configured; once one is, its button is there."""
    assert "Sign in with" not in client.get(reverse("account_login")).content.decode()
    apply_provider(settings, provider_env(provider))
    page = client.get(reverse("account_login")).content.decode()
    assert "Sign in with the library&#x27;s test sign-in" in page


def test_staff_member_signs_in_with_a_verified_email(client, people, with_provider):
    """CC-7: the provider's verified e-mail address finds the person's own account; the
    sign-in is recorded, and no account or link is made."""
    users, links = User.objects.count(), SocialAccount.objects.count()
    seq = audit_head()
    response = sign_in_with_provider(client, with_provider, "bjohnson")
    assert location_path(response) == "/"
    assert client.session["_auth_user_id"] == str(people["staff"].pk)
    [signed_in] = events_since(seq, AuditAction.SSO_SIGNED_IN)
    assert signed_in.subject_user_id == people["staff"].pk
    assert signed_in.after == {
        "method": "openid_connect",
        "provider": PROVIDER_ID,
        "provider_second_factor_trusted": False,
    }
    assert events_since(seq, AuditAction.LOGIN)
    assert (User.objects.count(), SocialAccount.objects.count()) == (users, links)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("provider_user", "reason"),
    [
        ("stranger", "no_account"),
        ("unverified-bjohnson", "unverified_email"),
        ("bjohnson-elsewhere", "other_domain"),
    ],
)
def test_identity_that_matches_no_account_gets_no_access(
    client, people, with_provider, provider_user, reason
):
    """An outside identity grants nothing: no account matches (or the address is not
    verified, or not the library's own), so nobody is signed in, no account is made, the
    person reads why, and the attempt is recorded."""
    users = User.objects.count()
    seq = audit_head()
    response = sign_in_with_provider(client, with_provider, provider_user)
    assert response.status_code == 403
    assert "You cannot sign in with this account" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == users
    [refused] = events_since(seq, AuditAction.SSO_REFUSED)
    assert refused.after == {"method": "openid_connect", "provider": PROVIDER_ID, "reason": reason}
    assert not events_since(seq, AuditAction.LOGIN)


def test_account_with_no_role_or_ended_gets_no_access(client, people, with_provider):
    """An account without a role in force, or ended, is refused: the outside identity does
    not bring one."""
    no_role = User.objects.create_user("norole", "norole@new-madrid.example.org")
    seq = audit_head()
    assert sign_in_with_provider(client, with_provider, "norole").status_code == 403
    people["staff"].is_active = False
    people["staff"].save()
    assert sign_in_with_provider(client, with_provider, "bjohnson").status_code == 403
    refused = events_since(seq, AuditAction.SSO_REFUSED)
    assert [(e.subject_user_id, e.after["reason"]) for e in refused] == [
        (no_role.pk, "no_role"),
        (people["staff"].pk, "inactive"),
    ]


def test_matching_by_user_name(client, people, settings, provider):
    """BOOKWARDEN_OIDC_<NAME>_MATCH=username: the provider's user name claim finds the
    account of the same username."""
    apply_provider(settings, provider_env(provider, MATCH="username"))
    response = sign_in_with_provider(client, provider, "bjohnson")
    assert location_path(response) == "/"
    assert client.session["_auth_user_id"] == str(people["staff"].pk)


def test_second_factor_is_still_asked_when_not_trusted(client, people, with_provider):
    """CC-7: the provider says it checked a second factor (amr "mfa"), but the library has not
    chosen to trust it: the director is asked for Bookwarden's code."""
    seq = audit_head()
    response = sign_in_with_provider(client, with_provider, "mreyes-mfa")
    assert location_path(response) == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert location_path(response) == "/"
    [signed_in] = events_since(seq, AuditAction.SSO_SIGNED_IN)
    assert signed_in.after["provider_second_factor_trusted"] is False
    assert not events_since(seq, AuditAction.SSO_SECOND_FACTOR_TRUSTED)


def test_trust_needs_the_providers_word(client, people, with_provider):
    """Trusted by the library, but this sign-in's token says only "pwd": the code is asked."""
    _trust(people)
    response = sign_in_with_provider(client, with_provider, "mreyes")
    assert location_path(response) == reverse("mfa_authenticate")


def test_trusted_provider_second_factor_replaces_the_code(client, people, with_provider):
    """CC-7: the provider checked a second factor and the library trusts that: the director
    is signed in without Bookwarden's code, and the audit log says the provider's second
    factor was trusted."""
    _trust(people)
    seq = audit_head()
    response = sign_in_with_provider(client, with_provider, "mreyes-mfa")
    assert location_path(response) == "/"
    assert client.session["_auth_user_id"] == str(people["director"].pk)
    [trusted] = events_since(seq, AuditAction.SSO_SECOND_FACTOR_TRUSTED)
    assert trusted.subject_user_id == people["director"].pk
    assert trusted.after == {"provider": PROVIDER_ID}


def test_trusted_second_factor_stands_in_for_an_authenticator_app(client, people, with_provider):
    """A director without an authenticator app is sent to set one up after a sign-in whose
    second factor is not trusted, and is not after one whose second factor is."""
    Authenticator.objects.filter(user=people["director"]).delete()
    sign_in_with_provider(client, with_provider, "mreyes-mfa")
    assert location_path(client.get("/")) == reverse("mfa_required")
    client.logout()
    _trust(people)
    sign_in_with_provider(client, with_provider, "mreyes-mfa")
    assert client.get("/").status_code == 200


def test_every_library_of_the_person_must_trust(client, people, with_provider):
    """One library's trust does not lower another's rule: a person with roles at two
    libraries is asked for the code until both trust the provider."""
    from bookwarden.core.actions import assign_role
    from bookwarden.core.roles import Role

    assign_role(
        actor=None,
        user=people["director"],
        library=Library.objects.get(slug="cresco"),
        role=Role.STAFF,
    )
    _trust(people)
    response = sign_in_with_provider(client, with_provider, "mreyes-mfa")
    assert location_path(response) == reverse("mfa_authenticate")


def test_provider_configuration_is_checked_at_start():
    """A provider named without its client id (or address, or secret) stops the start with
    the variable to set; no provider named: nothing is added."""
    assert config.openid_connect_settings(Env({}).str, Env({}).list) == {}
    env = Env({"BOOKWARDEN_OIDC_PROVIDERS": "google", "BOOKWARDEN_OIDC_GOOGLE_SERVER_URL": "x"})
    with pytest.raises(ImproperlyConfigured, match="BOOKWARDEN_OIDC_GOOGLE_CLIENT_ID"):
        config.openid_connect_settings(env.str, env.list)


@pytest.mark.parametrize(
    ("id_token", "checked"),
    [
        ({"amr": ["pwd", "mfa"]}, True),
        ({"amr": ["pwd", "OTP"]}, True),
        ({"amr": "hwk"}, True),
        ({"amr": ["pwd"]}, False),
        ({"acr": "urn:example:mfa"}, True),
        ({"acr": "urn:example:password"}, False),
        ({}, False),
    ],
)
def test_what_counts_as_the_providers_second_factor(settings, id_token, checked):
    """The ID token's amr (RFC 8176 values: mfa, otp, hwk by default) or an acr the library
    names say the provider checked a second factor; a password alone does not."""
    reader = Env(
        {
            "BOOKWARDEN_OIDC_PROVIDERS": "idp",
            "BOOKWARDEN_OIDC_IDP_SERVER_URL": "https://idp.example.org",
            "BOOKWARDEN_OIDC_IDP_CLIENT_ID": "c",
            "BOOKWARDEN_OIDC_IDP_SECRET": "s",
            "BOOKWARDEN_OIDC_IDP_SECOND_FACTOR_ACR": "urn:example:mfa",
        }
    )
    settings.SSO_OPENID_CONNECT = config.openid_connect_settings(reader.str, reader.list)[
        "SSO_OPENID_CONNECT"
    ]
    assert provider_checked_second_factor("idp", id_token) is checked
