"""On a phone (CC-1, LV-3): human resources records a colleague's last day from the staff
page, and the director reviews the accounts: one confirmed with a tap, the ones with nothing
flagged all at once, and the review finished.  Every page fits the phone's width and is
checked by Browsing.check."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookwarden.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from bookwarden.people.models import AccountReview, Departure

from .support import MISSING_CHROMIUM, PHONE, chromium_available, totp_code

pytestmark = pytest.mark.skipif(not chromium_available(), reason=MISSING_CHROMIUM)


def _sign_in_with_code(tab, username: str) -> None:
    tab.sign_in(username, DEMO_PASSWORD)
    tab.page.locator("input[name=code]").fill(totp_code(DEMO_TOTP_SECRET))
    tab.page.get_by_role("button", name="Sign In").click()
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("My tasks")


def test_hr_records_a_last_day_and_the_director_reviews_on_a_phone(browse, people) -> None:
    staff = people["staff"]
    hr = browse(PHONE)
    _sign_in_with_code(hr, people["human_resources"].username)
    hr.goto(f"/libraries/new-madrid/staff/{staff.pk}/")
    hr.check("people-staff-page")
    hr.page.get_by_role("link", name="Record their last day").click()
    expect(hr.page.get_by_role("heading", level=1)).to_contain_text("Record a last day")
    last_day = timezone.localdate() + datetime.timedelta(days=7)
    hr.page.get_by_label("Last day").fill(last_day.isoformat())
    hr.check("people-record-last-day")
    hr.page.get_by_role("button", name="Record the last day").click()
    expect(hr.page.get_by_role("status")).to_contain_text("Last day of Ben Johnson recorded")
    expect(hr.page.get_by_role("main")).to_contain_text("ends when that day is over")
    hr.check("people-staff-page-leaving")
    assert Departure.objects.get(user=staff).last_day == last_day
    hr.goto("/people/departures/")
    hr.check("people-leavers")

    director = browse(PHONE)
    _sign_in_with_code(director, people["director"].username)
    director.page.get_by_role("link", name="Account review of New Madrid County Library").click()
    director.check("people-reviews")
    director.page.get_by_role("button", name="Start a review").click()
    expect(director.page.get_by_role("heading", level=1)).to_have_text(
        "Account review of New Madrid County Library"
    )
    expect(director.page.get_by_role("main")).to_contain_text("Leaving: last day")
    director.check("people-review")
    director.page.get_by_role("button", name=f"Confirm the account of {staff}").click()
    expect(director.page.get_by_role("status")).to_contain_text("account confirmed")
    director.check("people-review-one-decided")
    director.page.get_by_role("button", name="with nothing flagged").click()
    expect(director.page.get_by_role("status")).to_contain_text("with nothing flagged confirmed")
    director.page.get_by_role("button", name="Finish the review").click()
    expect(director.page.get_by_role("status")).to_contain_text("Account review finished")
    director.check("people-review-finished")
    review = AccountReview.objects.get()
    assert review.finished_at is not None
    assert review.items.get(user=staff).decision == "confirmed"
