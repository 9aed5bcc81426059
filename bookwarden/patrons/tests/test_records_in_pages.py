"""A patron with thousands of loans gets records a person can read (CR-5; issue 16): the
opening's page shows the newest of each kind a page at a time, one kind alone with "Newer"
and "Older", and a range of days, all from the one opening and its one audit event.  The
rows read do not grow with the patron's history: each page reads one page of rows."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.models import AuditAction
from bookwarden.core.tests.helpers import audit_head, events_since
from bookwarden.patrons.models import Loan
from bookwarden.patrons.record_access import Purpose

ROSA_CARD = "21000000000011"
PAST = 120  # loans of the patron's past, one a day, on top of the demo's two


@pytest.fixture
def long_history(patrons):
    rosa = patrons["parent"]
    start = timezone.now() - datetime.timedelta(days=400)
    Loan._unguarded.bulk_create(
        Loan(
            library=rosa.library,
            patron=rosa,
            item_barcode=f"3900{n:04d}",
            title=f"Book number {n:03d}",
            checked_out_at=start + datetime.timedelta(days=n),
            due_at=start + datetime.timedelta(days=n + 21),
            returned_at=start + datetime.timedelta(days=n + 7),
        )
        for n in range(PAST)
    )
    return rosa


def _opening_url(client, rosa, record_types=("loans", "holds")) -> str:
    response = client.post(
        reverse("patron_records", args=[rosa.pk]),
        {"purpose": Purpose.DESK, "card_number": ROSA_CARD, "record_types": list(record_types)},
    )
    assert response.status_code == 302
    return response["Location"]


def test_the_newest_page_of_each_kind_then_all_of_one_a_page_at_a_time(
    long_history, client_as
) -> None:
    staff = client_as("staff")
    url = _opening_url(staff, long_history)
    head = audit_head()
    total = PAST + 2

    first = staff.get(url)
    body = first.content.decode()
    assert first.status_code == 200
    assert f"1 to 50 of {total}, newest first." in body
    assert f"Book number {PAST - 1:03d}" in body  # the newest of the past
    assert "Book number 000" not in body  # the oldest is on a later page
    assert "1 in all, newest first." in body  # the holds fit on one page
    assert f"Show all {total} loans, a page at a time" in body

    last = staff.get(url, {"kind": "loans", "page": 3})
    body = last.content.decode()
    assert f"101 to {total} of {total}, newest first." in body
    assert "Book number 000" in body
    assert 'rel="prev"' in body and 'rel="next"' not in body
    assert "records-holds" not in body  # one kind alone

    middle = staff.get(url, {"kind": "loans", "page": 2}).content.decode()
    assert 'rel="prev"' in middle and 'rel="next"' in middle
    # Paging reads the opening again: no new opening, no new event.
    assert not events_since(head, AuditAction.RECORDS_OPENED)


def test_a_range_of_days_narrows_every_kind(long_history, client_as) -> None:
    staff = client_as("staff")
    url = _opening_url(staff, long_history)
    start = (timezone.localtime() - datetime.timedelta(days=400)).date()
    since, until = start + datetime.timedelta(days=10), start + datetime.timedelta(days=19)
    body = staff.get(url, {"since": since.isoformat(), "until": until.isoformat()}).content
    body = body.decode()
    assert "10 in all, newest first." in body
    assert "Book number 010" in body and "Book number 019" in body
    assert "Book number 009" not in body and "Book number 020" not in body
    assert "Show the newest of every kind" in body


@pytest.mark.parametrize(
    "query",
    [
        {"since": "2026-05-02", "until": "2026-05-01"},
        {"kind": "searches"},  # a kind this opening did not name
        {"since": "not a day"},
    ],
)
def test_a_wrong_choice_is_said_and_shows_the_newest(long_history, client_as, query) -> None:
    staff = client_as("staff")
    url = _opening_url(staff, long_history)
    response = staff.get(url, query)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="errors"' in body
    assert f"1 to 50 of {PAST + 2}, newest first." in body  # still the newest page
    assert "Searches" not in body.split('class="facts"')[1].split("</form>")[1]


def test_a_page_reads_a_page_of_rows_whatever_the_history(
    long_history, client_as, django_assert_max_num_queries
) -> None:
    staff = client_as("staff")
    url = _opening_url(staff, long_history, record_types=("loans",))
    with django_assert_max_num_queries(13):
        page = staff.get(url, {"kind": "loans", "page": 2})
    assert page.content.decode().count("Book number") == 50
