"""axe-core, the accessibility checker, on every main page in a real Chromium, at a desktop's
size (1280x800) and a phone's (390x844), as the person who uses the page: the director's
pages, the desk's (finding a patron, the patron's page, the opened records), the sign-in
pages, and the patron portal.  No page may have a "serious" or "critical" finding.

axe-core comes from the axe-playwright-python package (requirements-dev.lock); its script is
injected through the browser's debugging channel, so the pages' strict CSP is not loosened.
Each persona signs in once, and each page is checked at both sizes by resizing the same tab.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import expect

from bookwarden.breach.demo import build_breach_demo
from bookwarden.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from bookwarden.core.models import Library
from bookwarden.core.tests.snapshots import Snapshot, thaw
from bookwarden.credentials.demo import build_credentials_demo
from bookwarden.credentials.models import Credential
from bookwarden.disclosures.demo import build_disclosure_demo
from bookwarden.disclosures.models import DisclosureRequest
from bookwarden.enforcement.demo import build_enforcement_demo
from bookwarden.operations.demo import build_operations_demo
from bookwarden.operations.models import LogEntry
from bookwarden.patrons.demo import DEMO_PIN, build_portal_showcase
from bookwarden.patrons.record_access import Purpose, open_records
from bookwarden.people.demo import build_people_demo
from bookwarden.people.models import AccountReview, Departure

from .support import DESKTOP, PHONE, Browsing, totp_code

pytestmark = pytest.mark.browser

#: The findings that fail a page: axe-core's two highest impacts.
BLOCKING = ("serious", "critical")
#: Run axe on the whole document and report violations only (the rest is much larger).
#: Colour contrast, the slowest rule by far, does not change with the width (the stylesheets
#: change layout, never colours), so it runs at the first size only.
RUN_AXE = """async (withContrast) => {
  const results = await axe.run(document, {
    resultTypes: ["violations"],
    rules: {"color-contrast": {enabled: withContrast}},
  });
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
    more: Math.max(0, v.nodes.length - 5),
  }));
}"""


class Scanner:
    """Checks pages with axe-core at both sizes and keeps every blocking finding, so that
    one run lists them all (page, size, rule, impact, where)."""

    def __init__(self) -> None:
        self.findings: list[str] = []
        self.pages = 0

    def scan(self, tab: Browsing, label: str) -> None:
        page = tab.page
        page.wait_for_load_state("load")
        if page.evaluate("typeof window.axe") == "undefined":
            page.evaluate(AXE_SCRIPT)
        # Start at the size the tab has now, to resize once per page.
        now = page.viewport_size
        for n, size in enumerate(sorted((DESKTOP, PHONE), key=lambda s: s != now)):
            if page.viewport_size != size:
                page.set_viewport_size(size)
            for v in page.evaluate(RUN_AXE, n == 0):
                if v["impact"] in BLOCKING:
                    where = "; ".join(v["targets"]) + (
                        f"; and {v['more']} more" if v["more"] else ""
                    )
                    self.findings.append(
                        f"{label} ({tab.path}) at {size['width']}x{size['height']}: "
                        f"{v['id']} ({v['impact']}): {v['help']}. Where: {where}"
                    )
        self.pages += 1

    def assert_clean(self) -> None:
        assert not self.findings, (
            f"{len(self.findings)} serious or critical accessibility findings "
            "(axe-core rule, impact, what it asks, and the elements):\n" + "\n".join(self.findings)
        )


@pytest.fixture(scope="session")
def whole_demo_snapshot(people_snapshot, demo_patrons_snapshot, django_db_blocker) -> Snapshot:
    """Every part of the demo on top of the people and the patrons, built once per process:
    incidents, enforcement, a breach and requests for records, as a librarian sees them."""

    def build() -> None:
        people = thaw(people_snapshot.result)
        patrons = thaw(demo_patrons_snapshot.result)
        build_portal_showcase(people, patrons)
        build_operations_demo(people)
        build_enforcement_demo(people)
        build_breach_demo(people, patrons)
        build_disclosure_demo(people, patrons)
        build_people_demo(people)
        build_credentials_demo(people)

    with django_db_blocker.unblock():
        return Snapshot.build(build, demo_patrons_snapshot)


@pytest.fixture
def whole_demo(demo_patrons, whole_demo_snapshot) -> dict[str, Any]:
    whole_demo_snapshot.restore()
    return demo_patrons


def sign_in_with_code(tab: Browsing, scanner: Scanner, username: str) -> None:
    """Sign in with a password and the authenticator's code, checking both pages."""
    tab.goto("/accounts/login/")
    scanner.scan(tab, "sign-in")
    tab.page.get_by_label("Username").fill(username)
    tab.page.get_by_label("Password").fill(DEMO_PASSWORD)
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name="Sign in").click()
    assert tab.path.startswith("/accounts/2fa/authenticate/"), tab.path
    scanner.scan(tab, "two-factor code")
    tab.page.locator("input[name=code]").fill(totp_code(DEMO_TOTP_SECRET))
    with tab.page.expect_navigation():
        tab.page.locator("form button[type=submit]").first.click()
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("My tasks")


def test_staff_pages_have_no_serious_accessibility_findings(browse, people, whole_demo) -> None:
    scanner = Scanner()
    nm = "new-madrid"
    request = DisclosureRequest.objects.filter(library__slug=nm).order_by("pk").first()
    incident = LogEntry.objects.filter(library__slug=nm).order_by("-pk").first()
    assert request is not None and incident is not None
    leaving = Departure.objects.pending().filter(library__slug=nm).order_by("pk").first()
    review = AccountReview.objects.filter(library__slug=nm).order_by("pk").first()
    assert leaving is not None and review is not None
    login = Credential.objects.filter(library__slug=nm).order_by("pk").first()
    assert login is not None

    director = browse()
    sign_in_with_code(director, scanner, people["director"].username)
    scanner.scan(director, "My tasks")
    for label, path in (
        ("requests for records", "/disclosures/"),
        ("a request for records", f"/disclosures/{request.pk}/"),
        ("recording a request", "/disclosures/new/"),
        ("operations log", "/operations/"),
        ("an incident", f"/operations/{incident.pk}/"),
        ("report a concern", "/operations/report/"),
        ("breaches", "/breaches/"),
        ("enforcement", "/enforcement/"),
        ("audit log", "/audit/"),
        ("staff", f"/libraries/{nm}/staff/"),
        ("jobs", "/jobs/"),
        ("backups", "/backups/"),
        ("outbox", "/mail/"),
        ("library settings", f"/libraries/{nm}/settings/"),
        ("my program", "/onboarding/"),
        ("new staff and overdue tasks", f"/onboarding/{nm}/"),
        ("a person's tasks", f"/onboarding/{nm}/people/{people['staff'].pk}/"),
        ("onboarding settings", f"/onboarding/{nm}/settings/"),
        ("leavers", "/people/departures/"),
        ("a person's last day", f"/people/{nm}/departures/{leaving.pk}/"),
        ("account reviews", "/people/account-reviews/"),
        ("a finished account review", f"/people/{nm}/account-reviews/{review.pk}/"),
        ("shared logins", "/credentials/"),
        ("a shared login", f"/credentials/{login.pk}/"),
        ("record a change of a password", f"/credentials/{login.pk}/change/"),
        ("how often passwords change", f"/credentials/settings/{nm}/"),
    ):
        director.goto(path)
        if director.path.startswith("/accounts/reauthenticate/"):
            scanner.scan(director, "confirm it is you")
            director.page.get_by_label("Password").fill(DEMO_PASSWORD)
            with director.page.expect_navigation():
                director.page.locator("main form button[type=submit]").first.click()
        assert director.path.split("?")[0] == path, (label, director.path)
        scanner.scan(director, label)

    # The desk: find the patron, their page, and their records opened for the desk.
    desk = browse()
    desk.sign_in(people["staff"].username, DEMO_PASSWORD)
    rosa = whole_demo["parent"]
    desk.goto(f"/patrons/?q={rosa.last_name}")
    scanner.scan(desk, "finding a patron")
    desk.goto(f"/patrons/{rosa.pk}/")
    scanner.scan(desk, "a patron's page")
    desk.page.get_by_label("Serving the patron at the desk").check()
    desk.page.get_by_label("Card number presented").fill(rosa.cards.get().number)
    desk.page.get_by_role("group", name="Kinds of records").get_by_label("Loans").check()
    with desk.page.expect_navigation():
        desk.page.get_by_role("button", name="Open records").click()
    expect(desk.page.get_by_role("heading", name="Loans")).to_be_visible()
    scanner.scan(desk, "a patron's records")

    assert scanner.pages >= 27  # 28 while settings ask for the password again
    scanner.assert_clean()


def test_training_pages_have_no_serious_accessibility_findings(browse, people) -> None:
    """CC-10: the training pages, as the director (who takes courses and manages them)."""
    from bookwarden.training.demo import build_training_demo

    courses = build_training_demo(people)
    session = courses["yearly"].sessions.order_by("pk").first()
    assert session is not None
    scanner = Scanner()
    director = browse()
    sign_in_with_code(director, scanner, people["director"].username)
    nm = "new-madrid"
    for label, path in (
        ("my training", "/training/"),
        ("training overview", f"/training/library/{nm}/"),
        ("courses", f"/training/library/{nm}/courses/"),
        ("a course", f"/training/courses/{courses['phishing'].pk}/"),
        ("a quiz", f"/training/courses/{courses['phishing'].pk}/quiz/"),
        ("a new course", f"/training/library/{nm}/courses/new/"),
        ("a new question", f"/training/courses/{courses['phishing'].pk}/questions/new/"),
        ("a session", f"/training/sessions/{session.pk}/"),
        ("importing completions", f"/training/library/{nm}/import/"),
    ):
        director.goto(path)
        assert director.path == path, (label, director.path)
        scanner.scan(director, label)
    scanner.assert_clean()


def test_software_pages_have_no_serious_accessibility_findings(browse, people) -> None:
    """CC-4, LV-6: the software pages, as the director (who asks, decides and keeps the
    catalog), at desktop and phone sizes."""
    from bookwarden.core.models import Library
    from bookwarden.software.demo import build_software_demo
    from bookwarden.software.models import RequestStatus, Software, SoftwareRequest
    from bookwarden.software.tests.factories import device

    library = Library.objects.get(slug="new-madrid")
    for name in ("CIRC-PC-01", "CIRC-PC-02"):
        device(library, name)
    device(library, "PUBLIC-PC-01", "public_computer")
    build_software_demo(people)
    waiting = SoftwareRequest.objects.get(status=RequestStatus.PENDING)
    editor = Software.objects.get(name="Photoshop Elements")
    scanner = Scanner()
    director = browse()
    sign_in_with_code(director, scanner, people["director"].username)
    pages = (
        ("ask for software", "/software/requests/new/"),
        ("my software requests", "/software/requests/mine/"),
        ("a software request", f"/software/requests/{waiting.pk}/"),
        ("software requests", "/software/requests/"),
        ("software", "/software/"),
        ("a software entry", f"/software/{editor.pk}/"),
        ("new software", "/software/library/new-madrid/new/"),
    )
    for label, path in pages:
        director.goto(path)
        assert director.path == path, (label, director.path)
        scanner.scan(director, label)
    # Staff ask from a phone, and follow their requests there.
    staff = browse(PHONE)
    staff.sign_in(people["staff"].username, DEMO_PASSWORD)
    for label, path in pages[:3]:
        staff.goto(path)
        assert staff.path == path, (label, staff.path)
        scanner.scan(staff, f"{label} (phone)")
    scanner.assert_clean()


def test_devices_pages_have_no_serious_accessibility_findings(browse, people) -> None:
    """CC-7, CC-3: the devices pages, as the director (who also sets the patch target)."""
    from bookwarden.devices.tests.factories import a_device

    library = Library.objects.get(slug="new-madrid")
    device = a_device(library, "PV-PUB-01", remote_access="Web console")
    scanner = Scanner()
    director = browse()
    sign_in_with_code(director, scanner, people["director"].username)
    nm = "new-madrid"
    for label, path in (
        ("devices", "/devices/"),
        ("a device", f"/devices/{device.pk}/"),
        ("adding a device", f"/devices/library/{nm}/new/"),
        ("recording patches", f"/devices/library/{nm}/patches/"),
        ("importing devices", f"/devices/library/{nm}/import/"),
        ("device settings", f"/devices/library/{nm}/settings/"),
        ("checking public computers", "/devices/public-computers/"),
    ):
        director.goto(path)
        assert director.path == path, (label, director.path)
        scanner.scan(director, label)
    scanner.assert_clean()


def test_vendor_pages_have_no_serious_accessibility_findings(browse, people) -> None:
    """NM-3, CR-5h: the vendor register, a vendor, its review, the data map and the privacy
    notice's third parties, as the technology coordinator, at desktop and phone sizes."""
    from bookwarden.vendors.demo import build_vendors_demo
    from bookwarden.vendors.models import Vendor

    build_vendors_demo(people)
    morenet = Vendor.objects.get(name="MOREnet")
    scanner = Scanner()
    coordinator = browse()
    sign_in_with_code(coordinator, scanner, people["tech_coordinator"].username)
    for label, path in (
        ("vendors", "/vendors/"),
        ("a vendor", f"/vendors/{morenet.pk}/"),
        ("a vendor review", f"/vendors/{morenet.pk}/review/"),
        ("adding a vendor", "/vendors/new/new-madrid/"),
        ("the patron data map", "/vendors/data-map/"),
        ("the privacy notice with its third parties", "/portal/new-madrid/privacy/"),
    ):
        coordinator.goto(path)
        assert coordinator.path == path, (label, coordinator.path)
        scanner.scan(coordinator, label)
    scanner.assert_clean()


def test_portal_pages_have_no_serious_accessibility_findings(browse, people, demo_patrons) -> None:
    scanner = Scanner()
    rosa = demo_patrons["parent"]
    card = rosa.cards.get().number
    open_records(actor=people["staff"], patron=rosa, purpose=Purpose.DESK, card_number=card)
    base = f"/portal/{rosa.library.slug}"
    patron = browse(PHONE)  # patrons mostly come from a phone
    patron.goto(f"{base}/login/")
    scanner.scan(patron, "portal sign-in")
    patron.page.get_by_label("Library card number").fill(card)
    patron.page.get_by_label("PIN").fill(DEMO_PIN)
    with patron.page.expect_navigation():
        patron.page.get_by_role("button", name="Sign in").click()
    scanner.scan(patron, "portal home")
    for label, path in (
        ("my records", "/records/"),
        ("who opened my records", "/who-opened/"),
        ("reading history", "/reading-history/"),
        ("privacy notice", "/privacy/"),
        ("change PIN", "/pin/"),
    ):
        patron.goto(base + path)
        assert patron.path == base + path, patron.path
        scanner.scan(patron, label)
    assert scanner.pages == 7
    scanner.assert_clean()


def test_every_scrolled_table_is_a_labelled_region_the_keyboard_reaches() -> None:
    """A table wider than the screen scrolls inside <div class="table-wrap">: that box must be
    reachable by keyboard and named (tabindex="0" role="region" aria-label="..."), or a
    keyboard user cannot scroll it (axe-core's scrollable-region-focusable, serious)."""
    root = Path(__file__).resolve().parents[1]
    bare = []
    for template in sorted(root.glob("*/templates/**/*.html")):
        for tag in re.findall(r'<div class="table-wrap"[^>]*>', template.read_text("utf-8")):
            if not all(a in tag for a in ('tabindex="0"', 'role="region"', 'aria-label="')):
                bare.append(f"{template.relative_to(root)}: {tag}")
    assert not bare, "Scrolled tables without a label or keyboard access:\n" + "\n".join(bare)
