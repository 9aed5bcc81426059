"""The compliance dashboard and the board report in a real Chromium (issue 17, CC-8): the
board member (read only) opens them from the menu at a desktop's size and a phone's; the
charts are drawn (SVG, no script) with their tables beside them, and no page has a serious
axe-core finding, a CSP violation, a console message, a failed request or sideways
scrolling."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bookwarden.core.demo import DEMO_PASSWORD
from bookwarden.reports.demo import build_reports_demo

from .support import DESKTOP, PHONE
from .test_accessibility import Scanner

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_board_member_reads_the_dashboard_and_the_report(browse, people, size) -> None:
    build_reports_demo(people)
    scanner = Scanner()
    tab = browse(size)
    page = tab.page
    tab.sign_in("hbrooks", DEMO_PASSWORD)
    if size == DESKTOP:
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    else:
        tab.goto("/reports/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Compliance at a glance: New Madrid County Library"
    )
    expect(page.locator("svg.chart")).to_have_count(8)
    expect(
        page.get_by_role("region", name="Numbers of: Security incidents by kind")
    ).to_be_visible()
    tab.check("dashboard")
    scanner.scan(tab, "dashboard")
    page.set_viewport_size(size)  # the scan leaves the tab at the other size

    page.get_by_role("button", name="Open the report").click()
    expect(page.get_by_role("heading", level=2, name="Incidents and breaches")).to_be_visible()
    tab.check("board report")
    scanner.scan(tab, "board report")
    page.set_viewport_size(size)

    tab.goto("/reports/new-madrid/package/")
    tab.check("package")
    scanner.scan(tab, "package")
    scanner.assert_clean()
