"""A director on a phone lifts a colleague's sign-in lockout (LV-3, issue 9): the staff
page shows the lock and the button first, fits the phone's width (no sideways scrolling),
the password is confirmed in plain words, and the colleague signs in again.  Every page
is checked by Browsing.check."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import expect

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from bookwarden.core.lockout import account_lock
from bookwarden.core.tests.helpers import login_through_page

from .support import MISSING_CHROMIUM, PHONE, chromium_available, totp_code

pytestmark = pytest.mark.skipif(not chromium_available(), reason=MISSING_CHROMIUM)


def test_a_director_on_a_phone_unlocks_a_colleagues_sign_in(browse, people) -> None:
    colleague = people["outsider_staff"]  # Cresco's staff member
    for _ in range(5):
        login_through_page(Client(), colleague.username, "not-the-password")
    assert account_lock(colleague) is not None

    tab = browse(PHONE)
    page = tab.page
    tab.sign_in(people["outsider"].username, DEMO_PASSWORD)  # Cresco's director
    page.locator("input[name=code]").fill(totp_code(DEMO_TOTP_SECRET))
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My tasks")

    tab.goto(f"/libraries/cresco/staff/{colleague.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(str(colleague))
    expect(page.get_by_role("main")).to_contain_text("Locked after repeated failed attempts")
    tab.check("staff-page-locked")  # fits the phone: the roles table scrolls inside its box

    # Signed in a moment ago with the password and a code: that counts as the confirmation
    # this step asks for, so it is not asked again.
    page.get_by_role("button", name="Unlock sign-in").click()
    expect(page.get_by_role("status")).to_contain_text("unlocked")
    expect(page.get_by_role("main")).to_contain_text("Not locked")
    tab.check("staff-page-unlocked")

    assert account_lock(colleague) is None
    assert AuditEvent.objects.filter(
        action=AuditAction.SIGN_IN_UNLOCKED, subject_user=colleague
    ).exists()
    assert login_through_page(Client(), colleague.username).status_code == 302
