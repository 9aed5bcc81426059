"""Policies in a real Chromium on a phone-sized screen (IT-11, LV-8, CC-4): a staff member
signs in, is shown the monitoring notice before anything else and acknowledges it, then
opens the Staff Computer Use Policy from the menu, reads it, types their name, confirms and
signs; a second signature is refused.  Every page is checked by Browsing.check (console,
script errors, CSP, failed requests, sideways scrolling)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookwarden.core.demo import DEMO_PASSWORD
from bookwarden.policies import actions
from bookwarden.policies.models import PolicyKind, Signature

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 375, "height": 812}


def test_staff_member_acknowledges_the_notice_then_signs_a_policy(browse, people) -> None:
    library = people["staff"].memberships.get().library
    since = timezone.localdate() - datetime.timedelta(days=3)
    notice = actions.add_policy(
        actor=None, library=library, title="Notice of monitoring", kind=PolicyKind.MONITORING_NOTICE
    )
    actions.add_version(
        actor=None, policy=notice, text="Library systems are **monitored**.", effective_on=since
    )
    policy = actions.add_policy(actor=None, library=library, title="Staff Computer Use Policy")
    actions.add_version(
        actor=None,
        policy=policy,
        text="# Use of computers\n\nUse library computers for library work.\n\n"
        "- No games\n- No shared passwords",
        effective_on=since,
    )

    tab = browse(SMALL_PHONE)
    page = tab.page
    tab.sign_in("bjohnson", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Notice of monitoring")
    expect(page.get_by_text("monitored", exact=True)).to_be_visible()
    tab.check("notice")
    page.get_by_role("button", name="I have read this notice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My tasks")
    expect(page.get_by_text("Sign the Staff Computer Use Policy")).to_be_visible()

    page.goto(tab.url("/policies/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Policies")
    tab.check("list")
    page.get_by_role("link", name="Staff Computer Use Policy").click()
    expect(page.get_by_role("heading", level=2, name="Use of computers")).to_be_visible()
    tab.check("policy")

    # A name that is not one's own is refused at the form, with what was typed kept.
    page.get_by_label("Your full name").fill("Benjamin J")
    page.get_by_label("I have read this policy and agree to follow it").check()
    page.get_by_role("button", name="Sign the policy").click()
    expect(
        page.get_by_text("Type your full name as your account has it: Ben Johnson.")
    ).to_be_visible()
    assert all("400" in p and "/sign/" in p for p in tab.problems), tab.problems
    tab.problems.clear()

    page.get_by_label("Your full name").fill("ben johnson")
    page.get_by_label("I have read this policy and agree to follow it").check()
    page.get_by_role("button", name="Sign the policy").click()
    expect(page).to_have_url(re.compile(rf"/policies/{policy.pk}/$"))
    expect(page.get_by_text("Thank you. Your signature is recorded.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign the policy")).to_have_count(0)
    tab.check("signed")

    page.get_by_role("link", name="Your signed acknowledgement").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Acknowledgement of the")
    tab.check("acknowledgement")
    signature = Signature.objects.get(user=people["staff"], version__policy=policy)
    assert signature.typed_name == "ben johnson"
    assert signature.branch is not None and signature.branch.slug == "portageville"
    assert Signature.objects.filter(user=people["staff"], version__policy=notice).count() == 1


def test_policy_pages_have_no_serious_accessibility_findings(browse, people) -> None:
    """axe-core on the policy pages (desktop and phone): the director's and human resources'
    pages, the monitoring notice shown after a new version, and the published privacy
    policy on the portal."""
    from bookwarden.policies.demo import build_policy_demo

    from .test_accessibility import Scanner, sign_in_with_code

    built = build_policy_demo(people)
    computer_use = built["new-madrid:computer_use"]
    version = computer_use.versions.order_by("number").first()
    assert version is not None
    signature = Signature.objects.filter(version__policy=computer_use).first()
    assert signature is not None
    scanner = Scanner()
    director = browse()
    sign_in_with_code(director, scanner, people["director"].username)
    for label, path in (
        ("policies", "/policies/"),
        ("a policy", f"/policies/{computer_use.pk}/"),
        ("an earlier version", f"/policies/{computer_use.pk}/versions/{version.pk}/"),
        ("who has signed", "/policies/people/new-madrid/"),
        ("an acknowledgement", f"/policies/signatures/{signature.pk}/"),
        ("adding a policy", "/policies/new/"),
        ("adding a version", f"/policies/{computer_use.pk}/versions/new/"),
    ):
        director.goto(path)
        assert director.path.split("?")[0] == path, (label, director.path)
        scanner.scan(director, label)
        director.page.set_viewport_size(SMALL_PHONE)
        director.check(label.replace(" ", "-"))  # no sideways scrolling on a small phone

    notice = built["new-madrid:notice"]
    actions.add_version(
        actor=None, policy=notice, text="Also the Wi-Fi.", effective_on=timezone.localdate()
    )
    director.goto("/policies/")
    assert director.path.startswith("/policies/notice/"), director.path
    scanner.scan(director, "the monitoring notice")

    patron = browse(SMALL_PHONE)
    patron.goto("/portal/new-madrid/privacy/")
    expect(patron.page.get_by_role("heading", level=1)).to_have_text("Privacy Policy")
    scanner.scan(patron, "the published privacy policy")
    assert scanner.pages == 11
    scanner.assert_clean()
