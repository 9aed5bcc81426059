"""Sign-in with the library's accounts in a real Chromium (CC-7; docs/sso.md): the sign-in
page's "Sign in with ..." button, the director's page and the choice to trust the provider's
second factor, at a desktop's and a phone's size, axe-clean, with no console errors, CSP
violations or sideways scrolling."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.sso.models import SecondFactorTrust

# The session's OpenID Connect provider (a fixture of the sign-in tests).
from bookwarden.sso.tests.conftest import apply_provider, provider, provider_env  # noqa: F401
from bookwarden.sso.tests.servers import PROVIDER_PASSWORD

from .support import PHONE
from .test_accessibility import Scanner, sign_in_with_code

pytestmark = pytest.mark.browser


def test_sign_in_button_and_the_directors_choice(browse, people, settings) -> None:
    scanner = Scanner()
    director = browse(PHONE)
    sign_in_with_code(director, scanner, people["director"].username)
    apply_provider(
        settings,
        {
            "BOOKWARDEN_OIDC_PROVIDERS": "google",
            "BOOKWARDEN_OIDC_GOOGLE_TITLE": "Google Workspace",
            "BOOKWARDEN_OIDC_GOOGLE_SERVER_URL": "https://accounts.google.com",
            "BOOKWARDEN_OIDC_GOOGLE_CLIENT_ID": "id",
            "BOOKWARDEN_OIDC_GOOGLE_SECRET": "secret",
        },
    )
    visitor = browse(PHONE)
    visitor.goto("/accounts/login/")
    expect(visitor.page.get_by_role("button", name="Sign in with Google Workspace")).to_be_visible()
    visitor.check("sign-in with a provider")
    scanner.scan(visitor, "sign-in with a provider")

    director.goto("/it/")
    with director.page.expect_navigation():
        director.page.get_by_role("link", name="Sign-in with the library's accounts").click()
    director.check("sign-in with the library's accounts")
    scanner.scan(director, "sign-in with the library's accounts")
    with director.page.expect_navigation():
        director.page.get_by_role("link", name="Change for New Madrid County Library").click()
    director.check("trust the provider's second factor")
    scanner.scan(director, "trust the provider's second factor")
    director.page.get_by_label(
        "Trust the second factor the library's sign-in service checks"
    ).check()
    with director.page.expect_navigation():
        director.page.get_by_role("button", name="Save").click()
    expect(director.page.get_by_text("Trusted: no Bookwarden code after it")).to_be_visible()
    director.check("choice saved")
    scanner.assert_clean()
    assert SecondFactorTrust.objects.get(library__slug="new-madrid").trust_provider_second_factor


def test_sign_in_with_the_providers_account(browse, people, settings, provider) -> None:  # noqa: F811
    """The whole OpenID Connect sign-in in a browser: the button on Bookwarden's sign-in page,
    the provider's own sign-in page, and back to Bookwarden signed in; the page's security
    policy lets the sign-in form lead to the provider (form-action), nothing else."""
    apply_provider(settings, provider_env(provider, DOMAIN="new-madrid.example.org"))
    tab = browse(PHONE)
    tab.base_url = tab.base_url.replace("localhost", "127.0.0.1")  # a loopback redirect
    tab.goto("/accounts/login/")
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name="Sign in with the library's test sign-in").click()
    assert tab.page.url.startswith(provider.base + "/login/"), tab.page.url
    tab.page.get_by_label("Username").fill("bjohnson")
    tab.page.get_by_label("Password").fill(PROVIDER_PASSWORD)
    with tab.page.expect_navigation(url=re.compile(r"^http://127\.0\.0\.1:\d+/$")):
        tab.page.get_by_role("button", name="Sign in").click()
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("My tasks")
    tab.check("signed in with the provider")
    signed_in = AuditEvent.objects.filter(action=AuditAction.SSO_SIGNED_IN)
    assert list(signed_in.values_list("subject_user_id", flat=True)) == [people["staff"].pk]
