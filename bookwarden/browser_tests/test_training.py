"""Taking attendance at a training session on a phone (CC-10), in a real Chromium: the
trainer, a member of staff at Portageville, opens the session from "My tasks", ticks
themself among the branch's staff and a volunteer of another branch among the others of
the library, and records it; attending completes the course for both.  Every page is
checked by Browsing.check (console, script errors, CSP, failed requests, sideways
scrolling) at 375x812."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookwarden.core.demo import DEMO_PASSWORD
from bookwarden.core.models import Branch
from bookwarden.training import actions
from bookwarden.training.models import Completion, CourseKind, Delivery

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 375, "height": 812}


def test_trainer_records_attendance_on_a_phone(browse, people) -> None:
    library = people["staff"].memberships.get().library
    course = actions.add_course(
        actor=None,
        library=library,
        title="Yearly cybersecurity training",
        kind=CourseKind.CYBERSECURITY,
        delivery=Delivery.IN_PERSON,
    )
    held = timezone.localtime() - datetime.timedelta(hours=2)
    actions.schedule_session(
        actor=None,
        course=course,
        branch=Branch.objects.get(library=library, slug="portageville"),
        starts_at=held,
        place="Meeting room",
        trainer=people["staff"],
        topics="Passwords\nPhishing",
    )
    tab = browse(SMALL_PHONE)
    page = tab.page
    tab.sign_in("bjohnson", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("My tasks")
    page.get_by_role("link", name="Training session: Yearly cybersecurity training").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Yearly cybersecurity training, Portageville"
    )
    tab.check("session")

    branch_staff = page.get_by_role("group", name="Staff of this branch")
    branch_staff.get_by_label("Ben Johnson").check()
    page.get_by_text("Someone else of the library attended").click()
    page.get_by_role("group", name="Others of the library").get_by_label("Emma Kim").check()
    tab.check("checklist")
    page.get_by_role("button", name="Record attendance").click()
    expect(
        page.get_by_text("Attendance recorded: 2 present, 2 completed the course.")
    ).to_be_visible()
    attended = page.get_by_role("heading", name="Attended")
    expect(attended).to_be_visible()
    tab.check("recorded")

    assert set(
        Completion.objects.filter(course=course).values_list("user__username", flat=True)
    ) == {"bjohnson", "ekim"}
