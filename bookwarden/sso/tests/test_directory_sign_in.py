"""Sign-in with the library's LDAP or Active Directory accounts, against a real OpenLDAP
server on loopback (CC-7, LV-3; docs/sso.md)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from bookwarden.audit.models import AuditAction
from bookwarden.core.models import User
from bookwarden.core.tests.helpers import audit_head, events_since, location_path, totp_code

from .conftest import apply_directory, directory_env
from .servers import DIRECTORY_PASSWORD


def _sign_in(client: Any, username: str, password: str = DIRECTORY_PASSWORD) -> Any:
    return client.post(reverse("account_login"), {"login": username, "password": password})


def _actions(seq: int) -> list[str]:
    return [event.action for event in events_since(seq)]


def test_staff_member_signs_in_with_the_directory_password(client, people, with_directory):
    """CC-7: the directory's password signs the person in to their own account; the sign-in
    is recorded as one with the library's accounts."""
    seq = audit_head()
    response = _sign_in(client, "bjohnson")
    assert location_path(response) == "/"
    assert client.session["_auth_user_id"] == str(people["staff"].pk)
    signed_in = events_since(seq, AuditAction.SSO_SIGNED_IN)
    assert [(e.subject_user_id, e.after["method"]) for e in signed_in] == [
        (people["staff"].pk, "ldap")
    ]
    assert AuditAction.LOGIN in _actions(seq)


def test_wrong_directory_password_is_a_failed_sign_in(client, people, with_directory):
    """LV-3: a wrong directory password is refused and counted like a wrong password, and the
    Bookwarden password does not work instead (the directory decides)."""
    seq = audit_head()
    response = _sign_in(client, "bjohnson", "not-the-password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    response = _sign_in(client, "bjohnson", "shelf-lantern-orchard-42")  # the demo password
    assert "_auth_user_id" not in client.session
    assert _actions(seq).count(AuditAction.LOGIN_FAILED) == 2


def test_disabled_directory_account_cannot_sign_in(client, people, with_directory):
    """CC-7: a person whose directory account is disabled (userAccountControl bit 2, left out
    by the Active Directory filter) can no longer sign in, even with the right password and
    an active Bookwarden account."""
    assert people["volunteer"].username == "ekim" and people["volunteer"].is_active
    seq = audit_head()
    response = _sign_in(client, "ekim")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert AuditAction.LOGIN_FAILED in _actions(seq)


def test_directory_person_without_an_account_gets_no_access(client, people, with_directory):
    """An outside identity grants nothing: a directory person with no Bookwarden account is
    refused, no account is made, and the attempt is recorded."""
    seq = audit_head()
    _sign_in(client, "nobody")
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(username__iexact="nobody").exists()
    [refused] = events_since(seq, AuditAction.SSO_REFUSED)
    assert refused.after == {"method": "ldap", "provider": "", "reason": "no_account"}


def test_account_without_a_role_gets_no_access(client, people, with_directory):
    """An account with no role in force is refused even with the right directory password."""
    User.objects.create_user("norole", "norole@new-madrid.example.org")
    seq = audit_head()
    _sign_in(client, "norole")
    assert "_auth_user_id" not in client.session
    [refused] = events_since(seq, AuditAction.SSO_REFUSED)
    assert refused.after["reason"] == "no_role"
    assert refused.subject_user.username == "norole"


def test_directory_password_is_not_a_second_factor(client, people, with_directory):
    """CC-7: the director, who must use two-factor sign-in, is asked for the code after the
    directory password, and is signed in only with it."""
    seq = audit_head()
    response = _sign_in(client, "mreyes")
    assert location_path(response) == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert location_path(response) == "/"
    assert client.session["_auth_user_id"] == str(people["director"].pk)
    [signed_in] = events_since(seq, AuditAction.SSO_SIGNED_IN)
    assert signed_in.subject_user_id == people["director"].pk
    assert not events_since(seq, AuditAction.SSO_SECOND_FACTOR_TRUSTED)


def test_named_accounts_keep_their_bookwarden_password(client, people, settings, directory):
    """A break-glass account named in BOOKWARDEN_LDAP_LOCAL_PASSWORD_ACCOUNTS signs in with its
    Bookwarden password (when the directory is down, someone can still get in)."""
    apply_directory(
        settings, directory_env(directory, BOOKWARDEN_LDAP_LOCAL_PASSWORD_ACCOUNTS="BJohnson")
    )
    response = _sign_in(client, "bjohnson", "shelf-lantern-orchard-42")
    assert location_path(response) == "/"
    assert client.session["_auth_user_id"] == str(people["staff"].pk)


def test_unreachable_directory_lets_nobody_in(client, people, settings, directory):
    """A directory that cannot be reached refuses everyone (no fallback to a password)."""
    from .servers import free_port

    apply_directory(
        settings,
        directory_env(directory) | {"BOOKWARDEN_LDAP_URL": f"ldap://127.0.0.1:{free_port()}"},
    )
    _sign_in(client, "bjohnson")
    assert "_auth_user_id" not in client.session
