"""Reviewing a vendor's privacy terms (CR-5h): the checklist's answers are kept, the next
review is a year later by default, and a vendor never reviewed or overdue is a task of the
director and the technology coordinator until the review is recorded."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from bookwarden.audit.models import AuditEvent
from bookwarden.core.my_tasks import tasks_for

from .. import actions
from ..models import CHECKLIST, Vendor

TODAY = datetime.date(2026, 6, 15)


def _titles(user) -> list[str]:
    return [t.title for t in tasks_for(user)]


@time_machine.travel("2026-06-15 15:00:00Z", tick=False)
def test_review_records_answers_and_next_review_a_year_later(people, new_madrid) -> None:
    vendor = actions.add_vendor(actor=None, library=new_madrid, name="Acme", service="x")
    answers = {key: {"answer": "yes", "note": ""} for key, _q, _w in CHECKLIST}
    answers["stored_in_us"] = {"answer": "no", "note": "Kept in Ireland."}
    review = actions.record_review(
        actor=people["tech_coordinator"],
        vendor=vendor,
        reviewed_on=TODAY - datetime.timedelta(days=5),
        answers=answers,
    )
    vendor.refresh_from_db()
    assert vendor.last_reviewed_on == datetime.date(2026, 6, 10)
    assert vendor.last_reviewed_by == people["tech_coordinator"]
    assert vendor.next_review_on == datetime.date(2027, 6, 10)
    rows = {row["question"]: row for row in review.checklist()}
    stored = rows["Does it store the data in the United States?"]
    assert (stored["answer"], stored["note"], stored["good"]) == ("No", "Kept in Ireland.", False)
    event = AuditEvent.objects.get(action="vendor.reviewed")
    assert event.after["answers"]["stored_in_us"] == "no"
    assert "Ireland" not in str(event.after)  # notes stay in the register


@time_machine.travel("2026-06-15 15:00:00Z", tick=False)
def test_review_refuses_a_future_day_and_a_bad_answer(people, new_madrid) -> None:
    vendor = actions.add_vendor(actor=None, library=new_madrid, name="Acme", service="x")
    with pytest.raises(ValidationError):
        actions.record_review(
            actor=None, vendor=vendor, reviewed_on=TODAY + datetime.timedelta(days=1), answers={}
        )
    with pytest.raises(ValidationError):
        actions.record_review(
            actor=None,
            vendor=vendor,
            reviewed_on=TODAY,
            answers={"no_selling": {"answer": "maybe"}},
        )
    vendor.refresh_from_db()
    assert vendor.last_reviewed_on is None and not vendor.reviews.exists()


def test_never_reviewed_then_overdue_is_a_task_of_the_keepers_only(people, new_madrid) -> None:
    with time_machine.travel("2026-06-15 15:00:00Z", tick=False):
        vendor = actions.add_vendor(actor=None, library=new_madrid, name="Acme", service="x")
        assert "Vendor: Acme" in _titles(people["director"])
        assert "Vendor: Acme" in _titles(people["tech_coordinator"])
        for who in ("it_staff", "auditor", "staff", "outsider"):
            assert "Vendor: Acme" not in _titles(people[who])
        actions.record_review(actor=None, vendor=vendor, reviewed_on=TODAY, answers={})
        assert "Vendor: Acme" not in _titles(people["tech_coordinator"])
    with time_machine.travel("2027-06-15 15:00:00Z", tick=False):  # the next review's day
        assert "Vendor: Acme" not in _titles(people["tech_coordinator"])
    with time_machine.travel("2027-06-16 15:00:00Z", tick=False):
        task = next(t for t in tasks_for(people["tech_coordinator"]) if t.title == "Vendor: Acme")
        assert task.url == reverse("vendors:review", args=[vendor.pk])
        assert task.state == "Review overdue."


@time_machine.travel("2026-06-15 15:00:00Z", tick=False)
def test_a_vendor_whose_contract_ended_is_no_task(people, new_madrid) -> None:
    actions.add_vendor(
        actor=None,
        library=new_madrid,
        name="Acme",
        service="x",
        contract_ends_on=TODAY - datetime.timedelta(days=1),
    )
    assert "Vendor: Acme" not in _titles(people["director"])


@time_machine.travel("2026-06-15 15:00:00Z", tick=False)
def test_review_page_records_the_checklist(people, new_madrid, client_as) -> None:
    vendor = actions.add_vendor(actor=None, library=new_madrid, name="Acme", service="x")
    client = client_as("tech_coordinator")
    page = client.get(reverse("vendors:review", args=[vendor.pk])).content.decode()
    assert "Does it delete the data when the contract ends?" in page
    data = {"reviewed_on": "2026-06-14", "next_review_on": "2026-12-14"}
    data |= {key: "yes" for key, _q, _w in CHECKLIST}
    data |= {"notifies_breaches": "no", "notifies_breaches_note": "No time limit stated."}
    response = client.post(reverse("vendors:review", args=[vendor.pk]), data)
    assert response.status_code == 302
    vendor = Vendor.objects.get(pk=vendor.pk)
    assert vendor.next_review_on == datetime.date(2026, 12, 14)
    detail = client.get(reverse("vendors:detail", args=[vendor.pk])).content.decode()
    assert "No time limit stated." in detail
    assert "Check this" in detail  # the one answer a library does not want
