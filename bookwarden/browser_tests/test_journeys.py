"""The pages that matter, in a real Chromium: signing in with and without a second factor,
the audit log and its htmx filters, enrolling an authenticator, the idle lock and signing
out, on a phone and on a desktop.  Every page is checked for console messages, script errors,
CSP violations, failed requests and sideways scrolling (support.Browsing.check), and its
screenshot is saved under test-artifacts/browser/ (with BOOKWARDEN_SCREENSHOTS=1, or when a
check fails)."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core import actions
from bookwarden.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from bookwarden.core.idle_lock import IDLE_LAST_SEEN
from bookwarden.core.models import Library

from .support import MISSING_CHROMIUM, PHONE, chromium_available, totp_code

pytestmark = pytest.mark.browser


def test_chromium_is_installed() -> None:
    assert chromium_available(), MISSING_CHROMIUM


def test_director_signs_in_with_code_and_filters_audit_log(browse, people) -> None:
    tab = browse()
    page = tab.page
    tab.sign_in("mreyes", DEMO_PASSWORD)

    # The password alone is not enough: allauth asks for the authenticator code.
    assert tab.path.startswith("/accounts/2fa/authenticate/"), tab.path
    tab.check("code")
    page.locator("input[name=code]").fill(totp_code(DEMO_TOTP_SECRET))
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(tab.url("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My tasks")
    tab.check("home")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    expect(page).to_have_url(tab.url("/audit/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    assert page.evaluate("typeof window.htmx") == "object", "htmx did not load"
    rows = page.locator("#results tbody tr")
    actions_before = set(rows.locator("td:nth-child(4)").all_inner_texts())
    assert len(actions_before) > 1, actions_before
    summary_before = page.locator("#results .summary").inner_text()
    tab.check("audit-log")

    # Choosing an action swaps #results in place (no page load) and pushes the URL.
    page.evaluate("window.__same_document = true")
    with page.expect_response(lambda r: "/audit/?" in r.url) as swap:
        page.get_by_label("Action").select_option("auth.login")
    assert swap.value.request.headers.get("hx-request") == "true"
    expect(page).to_have_url(re.compile(r"/audit/\?.*action=auth\.login"))
    expect(page.locator("#results .summary")).not_to_have_text(summary_before)
    expect(rows.first.locator("td:nth-child(4)")).to_have_text("Logged in")
    assert set(rows.locator("td:nth-child(4)").all_inner_texts()) == {"Logged in"}
    assert page.evaluate("window.__same_document") is True, "the filter reloaded the page"
    assert page.locator("h1").count() == 1, "the partial brought a second page layout"
    tab.check("audit-log-filtered")

    # Back to an entry htmx has not cached: it asks the server again, and the server must
    # answer with the whole page, not the #results fragment.
    page.evaluate("htmx.config.historyCacheSize = 0; sessionStorage.clear()")
    page.get_by_label("Action").select_option("auth.logout")
    expect(page).to_have_url(re.compile(r"/audit/\?.*action=auth\.logout"))
    expect(page.locator("#results")).to_contain_text("No events match.")
    with page.expect_response(lambda r: "/audit/?" in r.url) as restore:
        page.go_back()
    assert restore.value.request.headers.get("hx-history-restore-request") == "true"
    expect(page).to_have_url(re.compile(r"/audit/\?.*action=auth\.login"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(rows.first.locator("td:nth-child(4)")).to_have_text("Logged in")
    tab.check("audit-log-history-restored")

    first = rows.first.get_by_role("link")
    seq = first.inner_text()
    first.click()
    expect(page).to_have_url(re.compile(r"/audit/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Event {seq}: Logged in")
    expect(page.locator(".facts")).to_contain_text("mreyes")
    tab.check("audit-event")

    # The same pages on a phone: the table scrolls inside its box, the hashes wrap.
    page.set_viewport_size(PHONE)
    tab.check("audit-event-phone")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/audit/\?.*action=auth\.login"))
    expect(rows.first.locator("td:nth-child(4)")).to_have_text("Logged in")
    tab.check("audit-log-filtered-phone")


def test_staff_member_on_a_phone_sees_their_role_and_signs_out(browse, people) -> None:
    tab = browse(PHONE)
    page = tab.page
    tab.sign_in("bjohnson", DEMO_PASSWORD)
    expect(page).to_have_url(tab.url("/"))
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link")).to_have_text(
        [
            "My tasks",
            "New Madrid County Library",
            "Patrons",
            "Policies",
            "IT",
            "Training",
            "Account",
        ]
    )
    expect(nav.get_by_role("link", name="Audit log")).to_have_count(0)
    # The desk starts with finding a patron; the roles are beside the tasks.
    expect(
        page.get_by_role("search").get_by_label("Find a patron by card number or name")
    ).to_be_visible()
    roles = page.get_by_role("region", name="My roles")
    expect(roles).to_contain_text("Staff")
    expect(roles).to_contain_text("Portageville")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    tab.check("home")

    nav.get_by_role("link", name="New Madrid County Library").click()
    expect(page).to_have_url(tab.url("/libraries/new-madrid/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("New Madrid County Library")
    tab.check("library")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    tab.check("signed-out")

    done = AuditEvent.objects.filter(actor=people["staff"]).values_list("action", flat=True)
    assert AuditAction.LOGIN in done
    assert AuditAction.LOGOUT in done


def test_tech_coordinator_must_enrol_an_authenticator(browse, people) -> None:
    library = Library.objects.get(slug="new-madrid")
    person = actions.create_staff(
        actor=None,
        library=library,
        username="nlopez",
        email="nlopez@example.org",
        password=DEMO_PASSWORD,
        role="tech_coordinator",
        first_name="Nina",
        last_name="Lopez",
        check_password=False,
    ).user
    tab = browse()
    page = tab.page
    tab.sign_in("nlopez", DEMO_PASSWORD)
    expect(page).to_have_url(tab.url("/accounts/two-factor-required/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor login first")
    tab.check("mfa-required")

    # Nothing else opens until the second factor is set up.
    tab.goto("/")
    expect(page).to_have_url(tab.url("/accounts/two-factor-required/"))

    # allauth asks for the password again before any change to the second factor.
    page.get_by_role("link", name="Set up the authenticator app").click()
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/\?next=.*activate"))
    tab.check("reauthenticate")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(tab.url("/accounts/2fa/totp/activate/"))
    qr = page.locator("img[src^='data:image/svg+xml']")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), "QR code did not render"
    secret = page.get_by_label("Authenticator secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret
    tab.check("totp-activate")

    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    # Accepted: allauth shows the new recovery codes once.
    expect(page).to_have_url(tab.url("/accounts/2fa/recovery-codes/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes")
    expect(page.locator("main")).to_contain_text("Authenticator app activated.")
    tab.check("totp-activated")

    tab.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My tasks")
    tab.check("home")
    assert AuditEvent.objects.filter(action=AuditAction.MFA_ADDED, actor=person).exists()


def _idle_for_two_minutes(page) -> None:
    """Move the session's last-seen time two minutes back, as if the person had walked away."""
    page.wait_for_load_state("networkidle")  # nothing still on its way to touch the session
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "sessionid"]
    session = SessionStore(session_key=cookie["value"])
    session[IDLE_LAST_SEEN] = time.time() - 120
    session.save()


def test_idle_session_locks_and_unlocks_where_it_was(browse, people) -> None:
    # The library locks sessions idle for more than a minute (CC-4).
    actions.update_library_settings(
        actor=None, library=Library.objects.get(slug="new-madrid"), idle_timeout_minutes=1
    )
    tab = browse()
    page = tab.page
    tab.sign_in("hbrooks", DEMO_PASSWORD)  # the auditor: reads the audit log, no 2FA needed
    expect(page.get_by_role("heading", level=1)).to_have_text("My tasks")

    # A link followed after the idle time leads to the lock screen, then back to the link.
    _idle_for_two_minutes(page)
    page.get_by_role("link", name="New Madrid County Library").first.click()
    expect(page).to_have_url(re.compile(r"/session/locked/\?next=%2Flibraries%2Fnew-madrid%2F$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your session is locked")
    expect(page.locator("main")).to_contain_text("Nothing happened here for more than 1 minute,")
    tab.check("locked")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Unlock").click()
    expect(page).to_have_url(tab.url("/libraries/new-madrid/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("New Madrid County Library")
    tab.check("unlocked")

    # An htmx request after the idle time is redirected (HX-Redirect) the same way, and the
    # unlock leads back to the whole page that the request asked for.
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    _idle_for_two_minutes(page)
    page.get_by_label("Action").select_option("auth.session_locked")
    expect(page).to_have_url(
        re.compile(r"/session/locked/\?next=%2Faudit%2F%3F.*auth.session_locked")
    )
    tab.check("locked-htmx")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Unlock").click()
    expect(page).to_have_url(re.compile(r"/audit/\?.*action=auth\.session_locked"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    expect(page.locator("#results")).to_contain_text("Idle session locked")
    tab.check("unlocked-htmx")

    done = list(AuditEvent.objects.filter(actor=people["auditor"]).values_list("action", flat=True))
    assert done.count(AuditAction.SESSION_LOCKED) == 2
    assert done.count(AuditAction.SESSION_UNLOCKED) == 2
