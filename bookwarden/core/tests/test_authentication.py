"""Logging in through the real pages (allauth, django-axes): every login, failure, lockout
and logout is an audit event (LV-3); the roles that reach confidential records need a
second factor; passwords are hashed with Argon2 and must be hard to guess."""

from __future__ import annotations

import importlib
import json

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from bookwarden.audit.models import AuditAction
from bookwarden.core import actions
from bookwarden.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from bookwarden.core.models import User
from bookwarden.core.roles import Role

from .helpers import (
    all_routes,
    audit_head,
    events_since,
    location_path,
    login_through_page,
    totp_code,
    url_of,
)

LOGIN = "/accounts/login/"
TWO_FACTOR_REQUIRED = "/accounts/two-factor-required/"


def _client(ip: str = "127.0.0.1") -> Client:
    return Client(REMOTE_ADDR=ip)


def _actions(seq: int) -> list[str]:
    return [e.action for e in events_since(seq)]


# --- Password logins ----------------------------------------------------------------------


def test_login_with_the_right_password_is_recorded(people) -> None:
    """LV-3: the login event names the person."""
    head = audit_head()
    client = _client()
    response = login_through_page(client, "bjohnson")
    assert location_path(response) == "/"
    assert client.get("/").status_code == 200
    (event,) = events_since(head, AuditAction.LOGIN)
    assert event.actor == people["staff"] and event.subject_user == people["staff"]


def test_wrong_password_is_recorded_against_the_account(people) -> None:
    head = audit_head()
    response = login_through_page(_client(), "bjohnson", "not-the-password")
    assert response.status_code == 200
    assert "_auth_user_id" not in response.wsgi_request.session
    (event,) = events_since(head, AuditAction.LOGIN_FAILED)
    assert event.subject_user == people["staff"]
    assert event.actor is None
    assert event.after == {"account": "known"}
    assert _actions(head) == [AuditAction.LOGIN_FAILED]


def test_failed_login_of_an_unknown_name_does_not_store_what_was_typed(people) -> None:
    """People type passwords into the username box: the typed name is never stored."""
    typed = "shelf-lantern-typed-in-the-wrong-box"
    head = audit_head()
    response = login_through_page(_client(), typed, "whatever-password")
    assert response.status_code == 200
    (event,) = events_since(head, AuditAction.LOGIN_FAILED)
    assert event.after == {"account": "unknown"}
    assert event.actor is None and event.subject_user is None
    assert event.target_id == ""
    stored = json.dumps(
        {f.name: str(getattr(event, f.attname)) for f in event._meta.fields}, sort_keys=True
    )
    assert typed not in stored


def test_inactive_account_cannot_log_in(people) -> None:
    User.objects.filter(pk=people["staff"].pk).update(is_active=False)
    client = _client()
    response = login_through_page(client, "bjohnson")
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302)
    assert client.get("/").status_code == 302


def test_logout_is_recorded(people) -> None:
    client = _client()
    login_through_page(client, "bjohnson")
    head = audit_head()
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    (event,) = events_since(head, AuditAction.LOGOUT)
    assert event.actor == people["staff"]
    assert location_path(client.get("/")) == LOGIN


def test_signup_is_closed(db) -> None:
    """LV-3: accounts are made by a director, one per person; nobody signs up."""
    response = Client().post(
        reverse("account_signup"),
        {"username": "walkin", "email": "walk@example.org", "password1": DEMO_PASSWORD},
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="walkin").exists()


# --- Second factor ------------------------------------------------------------------------


def test_director_must_give_the_totp_code(people) -> None:
    """The password alone does not log a director in: allauth asks for the code; a wrong
    code is refused (mfa.failed), the right one logs in (auth.login)."""
    client = _client()
    head = audit_head()
    response = login_through_page(client, "mreyes")
    assert location_path(response) == reverse("mfa_authenticate")
    assert location_path(client.get("/")) == LOGIN  # not logged in yet
    assert not events_since(head, AuditAction.LOGIN)

    wrong = f"{(int(totp_code()) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200
    (failed,) = events_since(head, AuditAction.MFA_FAILED)
    assert failed.subject_user == people["director"]
    assert location_path(client.get("/")) == LOGIN

    # The login waits for the code: the right one completes it.
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(DEMO_TOTP_SECRET)})
    assert location_path(response) == "/"
    assert client.get("/").status_code == 200
    (login,) = events_since(head, AuditAction.LOGIN)
    assert login.actor == people["director"]


def _new_tech_coordinator(new_madrid) -> User:
    membership = actions.create_staff(
        actor=None,
        library=new_madrid,
        username="tnew",
        email="tnew@new-madrid.example.org",
        password=DEMO_PASSWORD,
        role=Role.TECH_COORDINATOR,
        first_name="Toni",
        last_name="New",
    )
    return membership.user


@pytest.mark.django_db(transaction=True)  # allauth records the new authenticator on commit
def test_mfa_role_without_totp_is_sent_to_set_it_up(people, new_madrid, ids) -> None:
    """A technology coordinator without an authenticator is sent from every page of the
    project to the two-factor-required page; only the account pages under /accounts/ (where
    allauth's two-factor setup lives) stay open.  Once TOTP is added, everything opens."""
    user = _new_tech_coordinator(new_madrid)
    client = _client()
    response = login_through_page(client, "tnew")
    assert response.status_code == 302
    checked = []
    for route in all_routes():
        url = url_of(route, ids)
        if url.startswith("/accounts/") or route.key == "session_locked":
            continue
        assert location_path(client.get(url)) == TWO_FACTOR_REQUIRED, url
        checked.append(route.key)
    assert {"home", "library_detail", "staff_list", "audit:list"} <= set(checked)
    page = client.get(TWO_FACTOR_REQUIRED)
    assert page.status_code == 200
    assert reverse("mfa_activate_totp") in page.content.decode()
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("account_security")).status_code == 200
    # Even after opening the e-mail page (which records the address as unverified).
    assert client.get(reverse("account_email")).status_code == 200

    # Setting up TOTP: confirm the password, scan the secret, type the code.
    response = client.get(reverse("mfa_activate_totp"))
    assert location_path(response) == reverse("account_reauthenticate")
    response = client.post(response["Location"], {"password": DEMO_PASSWORD})
    assert location_path(response) == reverse("mfa_activate_totp")
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    head = audit_head()
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert events_since(head, AuditAction.MFA_ADDED)
    assert client.get("/").status_code == 200
    assert client.get(reverse("library_detail", args=[new_madrid.slug])).status_code == 200


def test_staff_without_totp_is_not_forced(people, new_madrid) -> None:
    client = _client()
    login_through_page(client, "bjohnson")
    assert not Authenticator.objects.filter(user=people["staff"]).exists()
    assert client.get("/").status_code == 200
    assert client.get(reverse("library_detail", args=[new_madrid.slug])).status_code == 200
    assert location_path(client.get(TWO_FACTOR_REQUIRED)) == "/"


def test_gaining_an_mfa_role_requires_totp_from_the_next_request(
    people, client_as, new_madrid
) -> None:
    """Staff promoted to IT staff must set up a second factor before going on."""
    client = client_as("staff")
    assert client.get("/").status_code == 200
    actions.assign_role(actor=None, user=people["staff"], library=new_madrid, role=Role.IT_STAFF)
    assert location_path(client.get("/")) == TWO_FACTOR_REQUIRED


# --- Passwords ----------------------------------------------------------------------------


def test_argon2_is_the_configured_hasher() -> None:
    """The test settings swap in a fast hasher; the real settings module uses Argon2."""
    real = importlib.import_module("bookwarden.settings")
    assert real.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "MD5" not in " ".join(real.PASSWORD_HASHERS)


@pytest.mark.parametrize(
    "password",
    [
        "Xq7!vR2#pL9",  # eleven characters: too short, however random
        "password1234",
        "libraryname2026",
        "123456789012345",
        "NewMadrid2026!",  # the library's own name and a year
        "Portageville1999",  # a branch
        "bjohnson-bjohnson",  # the username
    ],
)
def test_weak_passwords_are_refused(password: str, people) -> None:
    """Twelve characters at least, not common, not all digits, and hard to guess for
    zxcvbn, which also knows the person's names and the install's library names."""
    with pytest.raises(ValidationError):
        validate_password(password, people["staff"])


@pytest.mark.parametrize(
    "password", ["copper-meadow-lantern-violet", DEMO_PASSWORD, "Tr4in-Station-Moss-Quill"]
)
def test_strong_passphrases_pass(password: str, people) -> None:
    validate_password(password, people["staff"])
