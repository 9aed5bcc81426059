"""The patron portal in Spanish in a real Chromium, on a phone (issue 15): a browser that asks
for Spanish gets it; a patron who reads English switches with the button on the page, without
JavaScript, stays on the page they were on, signs in and uses every page in Spanish; the
choice is kept for their mail.  Every page is checked by Browsing.check (console, CSP,
failed requests, sideways scrolling) and by axe-core, and says lang="es"."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from bookwarden.patrons.demo import DEMO_PIN
from bookwarden.patrons.record_access import Purpose, open_records

from .support import CSP_LISTENER, PHONE, TIMEOUT_MS, Browsing
from .test_accessibility import Scanner

pytestmark = pytest.mark.browser


def _lang(tab: Browsing) -> str:
    return str(tab.page.locator("html").get_attribute("lang"))


def _look(tab: Browsing, scanner: Scanner, label: str) -> None:
    """The page on a phone (console, CSP, requests, no sideways scrolling), then axe-core at
    both sizes, and back to the phone."""
    assert _lang(tab) == "es", label
    tab.check(label)
    scanner.scan(tab, label)
    tab.page.set_viewport_size(PHONE)


def test_a_spanish_browser_gets_the_portal_in_spanish(
    chromium: Any, live_server: Any, people: Any
) -> None:
    context = chromium.new_context(viewport=PHONE, locale="es-MX")
    try:
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(CSP_LISTENER)
        tab = Browsing(context.new_page(), live_server.url, "spanish-browser-phone")
        tab.goto("/portal/new-madrid/login/")
        assert _lang(tab) == "es"
        expect(tab.page.get_by_role("heading", level=1)).to_have_text(
            "Consulte sus registros de la biblioteca"
        )
        expect(tab.page.get_by_role("button", name="English")).to_be_visible()
        tab.check("login-in-spanish")
    finally:
        context.close()


def test_patron_switches_to_spanish_and_uses_the_portal_on_a_phone(
    browse, people, demo_patrons
) -> None:
    rosa = demo_patrons["parent"]
    card = rosa.cards.get().number
    open_records(actor=people["staff"], patron=rosa, purpose=Purpose.DESK, card_number=card)
    scanner = Scanner()
    tab = browse(PHONE)
    page = tab.page
    base = "/portal/new-madrid"

    # The switch keeps the page it was pressed on: the privacy notice, now in Spanish.
    tab.goto(f"{base}/privacy/")
    assert _lang(tab) == "en"
    with page.expect_navigation():
        page.get_by_role("button", name="Español").click()
    assert tab.path == f"{base}/privacy/"
    assert _lang(tab) == "es"
    expect(page.get_by_role("columnheader", name="¿Es confidencial?")).to_be_attached()
    expect(page.get_by_text("RSMo 182.817").first).to_be_attached()  # citations as they are
    _look(tab, scanner, "privacy-in-spanish")

    tab.goto(f"{base}/login/")
    assert _lang(tab) == "es"
    page.get_by_label("Número de la tarjeta de la biblioteca").fill(card)
    page.get_by_label("PIN").fill(DEMO_PIN)
    with page.expect_navigation():
        page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hola, Rosa")
    _look(tab, scanner, "home-in-spanish")

    nav = page.get_by_role("navigation", name="Portal")
    for link, heading, label in (
        ("Mis registros", "Mis registros", "records"),
        ("Quién abrió mis registros", "Quién abrió mis registros", "who-opened"),
        ("Historial de lectura", "Historial de lectura", "reading-history"),
        ("Cambiar el PIN", "Cambie su PIN", "pin"),
    ):
        nav.get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        _look(tab, scanner, f"{label}-in-spanish")

    nav.get_by_role("link", name="Quién abrió mis registros").click()
    expect(page.locator("tbody tr").first).to_contain_text(
        "Atender al usuario en el mostrador, que presenta su tarjeta"
    )
    # Switching while signed in keeps the choice for the patron's mail.
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who opened my records")
    rosa.refresh_from_db()
    assert rosa.preferred_language == "en"
    with page.expect_navigation():
        page.get_by_role("button", name="Español").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quién abrió mis registros")
    rosa.refresh_from_db()
    assert rosa.preferred_language == "es"
    tab.check("switched-back")
    assert scanner.pages == 6
    scanner.assert_clean()
