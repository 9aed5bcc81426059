"""The compliance controls on a phone (CC-8), in a real Chromium: a board member signs in,
opens "Compliance" from the menu, reads the controls grouped by status, a failing control's
page with its evidence and history, and the ALA checklists.  Each page is checked at
375x812 by Browsing.check (console, script errors, CSP, failed requests, sideways
scrolling) and by axe-core at a phone's and a desktop's size (no serious or critical
finding)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookwarden.compliance.snapshots import write_snapshots
from bookwarden.core.demo import DEMO_PASSWORD
from bookwarden.core.models import Library
from bookwarden.credentials.models import Credential
from bookwarden.credentials.tests.factories import a_credential_of

from .test_accessibility import Scanner, sign_in_with_code

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 375, "height": 812}


def test_board_member_reads_the_controls_on_a_phone(browse, people) -> None:
    library = Library.objects.get(slug="new-madrid")
    login = a_credential_of(library)
    Credential.objects.filter(pk=login.pk).update(
        last_changed_on=timezone.localdate() - datetime.timedelta(days=200)
    )
    write_snapshots(libraries=[library])
    scanner = Scanner()
    tab = browse(SMALL_PHONE)
    page = tab.page
    tab.sign_in("hbrooks", DEMO_PASSWORD)
    page.get_by_role("link", name="Compliance", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Compliance at New Madrid County Library"
    )
    tab.check("controls")
    scanner.scan(tab, "controls")
    failing = page.get_by_role("heading", name="Failing", exact=False).first
    expect(failing).to_be_visible()
    page.get_by_role("link", name="Shared logins change at least every 180 days").click()
    expect(page.get_by_text("Main router (admin)", exact=False).first).to_be_visible()
    expect(page.get_by_role("heading", name="The last 12 months")).to_be_visible()
    tab.page.set_viewport_size(SMALL_PHONE)
    tab.check("control")
    scanner.scan(tab, "control")
    tab.goto("/compliance/new-madrid/checklists/")
    expect(page.get_by_role("heading", name="Overview", exact=False).first).to_be_visible()
    tab.page.set_viewport_size(SMALL_PHONE)
    tab.check("checklists")
    scanner.scan(tab, "checklists")
    scanner.assert_clean()


def test_director_answers_an_item_and_adds_a_control_on_a_phone(browse, people) -> None:
    """The director answers an ALA item and pastes a control of the library's own, with a
    mistake first: the error is shown and the text kept to correct."""
    scanner = Scanner()
    tab = browse(SMALL_PHONE)
    page = tab.page
    sign_in_with_code(tab, scanner, people["director"].username)
    tab.page.set_viewport_size(SMALL_PHONE)
    tab.goto("/compliance/new-madrid/controls/ala-public-signage/")
    tab.check("item")
    scanner.scan(tab, "item")
    tab.page.set_viewport_size(SMALL_PHONE)
    page.get_by_label("Partly").check()
    page.get_by_label("Note").fill("A sign at the main library only.")
    page.get_by_role("button", name="Record the answer").click()
    expect(page.get_by_text("Your answer is recorded.")).to_be_visible()
    expect(page.get_by_text("Answered partly by Maria Reyes.", exact=False)).to_be_visible()
    tab.check("answered")

    tab.goto("/compliance/new-madrid/own/")
    tab.check("own")
    scanner.scan(tab, "own")
    tab.page.set_viewport_size(SMALL_PHONE)
    text = (
        "controls:\n"
        "  - id: board-minutes\n"
        "    title: The board minutes record the privacy review\n"
        "    owner: chair\n"
    )
    page.get_by_label("Your controls, in the catalog's format").fill(text)
    page.get_by_role("button", name="Check and save").click()
    expect(page.get_by_text("the owner must be one of the roles", exact=False)).to_be_visible()
    box = page.get_by_label("Your controls, in the catalog's format")
    expect(box).to_have_value(text)
    tab.check("refused")
    box.fill(text.replace("owner: chair", "owner: director"))
    page.get_by_role("button", name="Check and save").click()
    expect(page.get_by_text("1 control of your own is saved.")).to_be_visible()
    expect(page.get_by_text("The board minutes record the privacy review")).to_be_visible()
    tab.check("saved")
    scanner.assert_clean()
