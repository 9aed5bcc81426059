"""The desk in a real Chromium (CR-5, CR-5b): a staff member finds a patron, opens their
records for the desk with the card they present (a wrong card first: the refusal shows at
the form, in view), reloads the records page and goes back, and the audit log holds exactly
one opening.  Every page is checked by Browsing.check (console, script errors, CSP, failed
requests, sideways scrolling), at desktop and phone sizes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.demo import DEMO_PASSWORD
from bookwarden.patrons.demo import build_patron_demo

from .support import PHONE

pytestmark = pytest.mark.browser

OLD_TITLE = "The Old Man and the Sea"


def test_front_desk_opens_records_once_then_reloads_and_goes_back(browse, people) -> None:
    rosa = build_patron_demo(people)["parent"]
    card = rosa.cards.get().number
    tab = browse()
    page = tab.page
    tab.sign_in("bjohnson", DEMO_PASSWORD)  # front-desk staff: no second factor needed
    expect(page.get_by_role("heading", level=1)).to_have_text("My tasks")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patrons").click()
    page.get_by_label("Card number or name").fill("Delgado")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Delgado, Rosa").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rosa Delgado")
    patron_url = page.url
    # The page leads with opening records for the desk: the cursor is in the card number.
    expect(
        page.get_by_label("Serving the patron at the desk, who presents their card")
    ).to_be_checked()
    card_field = page.get_by_label("Card number presented")
    expect(card_field).to_be_focused()
    expect(card_field).to_be_in_viewport()
    tab.check("patron")

    # A wrong card: refused at the form, in view, with what was typed kept.
    page.keyboard.type("21000000000029")
    page.get_by_label("Loans", exact=True).check()
    page.get_by_role("button", name="Open records").click()
    error = page.locator("#id_card_number_error")
    expect(error).to_contain_text("That card is not this patron's.")
    expect(error).to_be_in_viewport()
    expect(card_field).to_be_focused()
    expect(card_field).to_have_value("21000000000029")
    expect(page.get_by_label("Loans", exact=True)).to_be_checked()
    # The refusal answers 403, which the browser logs: expected here, and nothing else.
    assert all("403" in p and "/records/" in p for p in tab.problems), tab.problems
    tab.problems.clear()
    tab.check("patron-refused")

    card_field.fill(card)
    page.get_by_role("button", name="Open records").click()
    expect(page).to_have_url(re.compile(r"/patrons/\d+/records/\d+/$"))
    records_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Library records of Rosa Delgado")
    expect(page.get_by_text(OLD_TITLE)).to_be_visible()
    tab.check("records")

    page.reload()  # no "resubmit the form?": a page of its own
    expect(page).to_have_url(records_url)
    expect(page.get_by_text(OLD_TITLE)).to_be_visible()
    page.set_viewport_size(PHONE)
    tab.check("records-phone")

    page.go_back()
    expect(page).to_have_url(patron_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Rosa Delgado")
    tab.check("patron-phone")
    page.go_forward()
    expect(page).to_have_url(records_url)
    expect(page.get_by_text(OLD_TITLE)).to_be_visible()

    openings = AuditEvent.objects.filter(
        action=AuditAction.RECORDS_OPENED, patron_id=rosa.pk, actor=people["staff"]
    )
    assert openings.count() == 1
    refusals = AuditEvent.objects.filter(action=AuditAction.RECORDS_REFUSED, patron_id=rosa.pk)
    assert refusals.count() == 1
