"""The security operations log in a real Chromium: a member of staff reports a concern from
a phone in under a minute (CC-2) and follows it; human resources, told by the incident
notice, acknowledges it (CC-9).  Every page is checked by Browsing.check."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from bookwarden.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from bookwarden.operations.models import Acknowledgement, EntryKind, LogEntry

from .support import PHONE, totp_code

pytestmark = pytest.mark.browser


def test_staff_report_a_concern_from_a_phone_and_hr_acknowledges(browse, people) -> None:
    tab = browse(PHONE)
    page = tab.page
    started = time.monotonic()
    tab.sign_in("bjohnson", DEMO_PASSWORD)
    page.get_by_role("link", name="Report a concern").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a concern")
    tab.check("report-form")
    page.get_by_label("What happened?").fill(
        "A patron says a pop-up on PC-03 asked for their library card number and PIN."
    )
    about = page.get_by_role("group", name="What is it about?")
    about.get_by_label("A suspicious e-mail, call or message").check()
    page.get_by_label("Which computer or device?").fill("PC-03")
    page.get_by_label("Patron information may be involved").check()
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("status")).to_contain_text("is recorded")
    assert time.monotonic() - started < 60
    tab.check("my-reports")
    entry = LogEntry.objects.get(reported_by=people["staff"])
    assert entry.kind == EntryKind.PHISHING and entry.patron_data_involved
    expect(page.get_by_role("main")).to_contain_text(entry.get_status_display())

    hr = browse()
    hr.sign_in("agarcia", DEMO_PASSWORD)
    hr.page.locator("input[name=code]").fill(totp_code(DEMO_TOTP_SECRET))
    hr.page.get_by_role("button", name="Sign In").click()
    expect(hr.page.get_by_role("heading", level=1)).to_have_text("My tasks")
    hr.goto(f"/operations/{entry.pk}/")
    hr.check("incident")
    hr.page.get_by_role("button", name="Acknowledge").click()
    expect(hr.page.get_by_role("status")).to_be_visible()
    hr.check("acknowledged")
    assert Acknowledgement.objects.filter(entry=entry, user=people["human_resources"]).exists()
