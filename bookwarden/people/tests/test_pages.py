"""The leavers' and account reviews' pages (CC-1, LV-3): human resources records a last day
from the staff page but does not review accounts; another library's people get 404; the
pages' query counts are pinned."""

from __future__ import annotations

import datetime

from django.utils import timezone

from bookwarden.core.tests.helpers import location_path
from bookwarden.people import actions
from bookwarden.people.models import AccountReview, Departure

from .factories import extra_account, no_open_review, open_review, pending_departure


def _future(days: int = 10) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def test_hr_records_a_last_day_from_the_staff_page(people, new_madrid, sudo_as) -> None:
    hr = sudo_as("human_resources")
    staff = people["staff"]
    page = hr.get(f"/libraries/new-madrid/staff/{staff.pk}/").content.decode()
    link = f"/people/new-madrid/departures/new/?person={staff.pk}"
    assert link in page
    form = hr.get(link).content.decode()
    assert f'<option value="{staff.pk}" selected>' in form
    response = hr.post(link, {"person": staff.pk, "last_day": _future(), "reason": ""})
    assert location_path(response) == f"/libraries/new-madrid/staff/{staff.pk}/"
    departure = Departure.objects.get(user=staff)
    assert departure.recorded_by == people["human_resources"] and departure.is_pending
    page = hr.get(f"/libraries/new-madrid/staff/{staff.pk}/").content.decode()
    assert "Access ends when that day is over" not in page  # the page says it in full:
    assert "Their access here ends when that day is over" in page
    assert f"/people/new-madrid/departures/{departure.pk}/" in page

    # Changed, then cancelled, from the departure's page.
    url = f"/people/new-madrid/departures/{departure.pk}/"
    hr.post(url, {"last_day": _future(20), "reason": "Moving"})
    departure.refresh_from_db()
    assert departure.last_day.isoformat() == _future(20) and departure.reason == "Moving"
    response = hr.post(f"{url}cancel/")
    assert location_path(response) == f"/libraries/new-madrid/staff/{staff.pk}/"
    departure.refresh_from_db()
    assert departure.cancelled_at is not None


def test_end_now_from_the_page(people, new_madrid, sudo_as) -> None:
    director = sudo_as("director")
    staff = people["staff"]
    response = director.post(
        "/people/new-madrid/departures/new/",
        {"person": staff.pk, "last_day": _future(0), "end_now": "on"},
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert not staff.is_active
    page = director.get(f"/libraries/new-madrid/staff/{staff.pk}/").content.decode()
    assert "The account was turned off" in page


def test_a_refused_last_day_is_shown_on_the_form(people, new_madrid, sudo_as) -> None:
    response = sudo_as("director").post(
        "/people/new-madrid/departures/new/",
        {"person": people["staff"].pk, "last_day": _future(5), "end_now": "on"},
    )
    assert response.status_code == 200
    assert "the last day must be today or earlier" in response.content.decode()
    assert not Departure.objects.exists()


def test_hr_may_not_review_accounts(people, new_madrid, sudo_as) -> None:
    hr = sudo_as("human_resources")
    review = open_review(new_madrid)
    assert hr.get("/people/account-reviews/").status_code == 403
    assert hr.get(f"/people/new-madrid/account-reviews/{review.pk}/").status_code == 403
    assert hr.post("/people/new-madrid/account-reviews/start/").status_code == 403
    staff_list = hr.get("/libraries/new-madrid/staff/").content.decode()
    assert "/people/departures/" in staff_list and "/people/account-reviews/" not in staff_list


def test_another_library_gets_404(people, new_madrid, sudo_as) -> None:
    outsider = sudo_as("outsider")
    departure = pending_departure(new_madrid)
    review = open_review(new_madrid)
    item = review.items.get(user=people["staff"])
    for url in (
        "/people/new-madrid/departures/new/",
        f"/people/new-madrid/departures/{departure.pk}/",
        f"/people/new-madrid/account-reviews/{review.pk}/",
        f"/people/new-madrid/account-reviews/{review.pk}/accounts/{item.pk}/",
        "/people/new-madrid/account-reviews/settings/",
        # New Madrid's objects under Cresco's address: still nothing.
        f"/people/cresco/departures/{departure.pk}/",
        f"/people/cresco/account-reviews/{review.pk}/",
    ):
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(f"/people/cresco/departures/{departure.pk}/cancel/").status_code == 404
    # Cresco's own list shows nothing of New Madrid.
    assert str(departure.user) not in outsider.get("/people/departures/").content.decode()


def test_the_review_page_confirms_inline_and_finishes(people, new_madrid, sudo_as) -> None:
    director = sudo_as("director")
    response = director.post("/people/new-madrid/account-reviews/start/")
    review = AccountReview.objects.get()
    assert location_path(response) == f"/people/new-madrid/account-reviews/{review.pk}/"
    page = director.get(location_path(response)).content.decode()
    assert "Confirm" in page and "Other decision" in page
    items = list(review.items.all())
    for item in items[:-1]:
        director.post(
            f"/people/new-madrid/account-reviews/{review.pk}/accounts/{item.pk}/",
            {"decision": "confirmed"},
        )
    director.post(f"/people/new-madrid/account-reviews/{review.pk}/finish/")
    review.refresh_from_db()
    assert review.finished_at is None  # one account still undecided
    last = items[-1]
    item_page = director.get(
        f"/people/new-madrid/account-reviews/{review.pk}/accounts/{last.pk}/"
    ).content.decode()
    assert "Last sign-in" in item_page and "Still employed" in item_page
    director.post(
        f"/people/new-madrid/account-reviews/{review.pk}/accounts/{last.pk}/",
        {"decision": "confirmed", "note": "Checked with the branch manager."},
    )
    director.post(f"/people/new-madrid/account-reviews/{review.pk}/finish/")
    review.refresh_from_db()
    assert review.finished_at is not None


def test_review_settings_page(people, new_madrid, sudo_as) -> None:
    director = sudo_as("director")
    url = "/people/new-madrid/account-reviews/settings/"
    assert director.get(url).status_code == 200
    assert director.post(url, {"every_months": "13"}).status_code == 200  # refused
    assert location_path(director.post(url, {"every_months": "6"})) == "/people/account-reviews/"
    assert new_madrid.account_review_settings.every_months == 6


def _more_people(library, n: int = 12) -> None:
    for i in range(n):
        user = extra_account(library, f"extra{i}")
        if i % 3 == 0:
            actions.record_departure(
                actor=None, user=user, library=library, last_day=timezone.localdate()
            )
    for i in range(3):
        extra_account(library, f"gone{i}")
        actions.record_departure(
            actor=None,
            user=extra_account(library, f"gone{i}"),
            library=library,
            last_day=timezone.localdate(),
            end_now=True,
        )


def test_query_counts_are_pinned(people, new_madrid, sudo_as, django_assert_max_num_queries):
    """The pages cost the same however many people, last days and reviews there are."""
    staff = people["staff"]

    def pages() -> dict[str, int]:
        review = open_review(new_madrid)
        item = review.items.get(user=staff)
        return {
            # session, user, roles, two-factor checks, the monitoring notice (6), then the
            # page's own
            "/people/departures/": 11,
            "/people/account-reviews/": 10,
            f"/people/new-madrid/account-reviews/{review.pk}/": 13,
            f"/people/new-madrid/account-reviews/{review.pk}/accounts/{item.pk}/": 17,
            "/people/new-madrid/departures/new/": 13,
            f"/libraries/new-madrid/staff/{staff.pk}/": 14,  # core's 13, + the last day
            "/libraries/new-madrid/staff/": 10,  # core's, unchanged: the links cost nothing
        }

    for round_ in (1, 2):
        director = sudo_as("director")
        for url, most in pages().items():
            with django_assert_max_num_queries(most):
                assert director.get(url).status_code == 200, url
        if round_ == 1:
            _more_people(new_madrid)
            no_open_review(new_madrid)  # the next one reviews the new people too
