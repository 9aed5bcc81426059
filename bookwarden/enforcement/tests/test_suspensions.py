"""LV-12: the library may temporarily suspend an account or a workstation, with a reason and
an end date; the ``suspensions`` job ends it on that date and the account works again."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from bookwarden.audit.models import AuditAction
from bookwarden.core.tests.helpers import audit_head, events_since, login_through_page
from bookwarden.enforcement import actions
from bookwarden.enforcement.demo import case_at
from bookwarden.enforcement.models import Step, Suspension
from bookwarden.jobs.registry import get_job


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


def test_account_suspension_ends_by_the_job_on_its_end_date(people, new_madrid) -> None:
    staff = people["staff"]
    ends_on = timezone.localdate() + datetime.timedelta(days=3)
    head = audit_head()
    suspension = actions.suspend(
        actor=people["tech_coordinator"],
        library=new_madrid,
        user=staff,
        reason="Suspicious logins from abroad.",
        ends_on=ends_on,
    )
    staff.refresh_from_db()
    assert not staff.is_active
    (started,) = events_since(head, AuditAction.SUSPENSION_STARTED)
    assert started.subject_user_id == staff.pk and started.after["ends_on"] == ends_on.isoformat()
    assert login_through_page(Client(), staff.username)["Location"] == "/accounts/inactive/"

    job = get_job("suspensions")
    with time_machine.travel(_at(ends_on - datetime.timedelta(days=1), 23), tick=False):
        assert job.func() == "0 suspensions ended."
    staff.refresh_from_db()
    assert not staff.is_active
    with time_machine.travel(_at(ends_on, 1), tick=False):
        assert job.func() == "1 suspension ended."
        assert job.func() == "0 suspensions ended."  # safe to run twice
    suspension.refresh_from_db()
    staff.refresh_from_db()
    assert suspension.ended_at is not None and suspension.ended_by is None
    assert staff.is_active
    (ended,) = events_since(head, AuditAction.SUSPENSION_ENDED)
    assert ended.actor_id is None and ended.after["active_again"] is True
    assert login_through_page(Client(), staff.username)["Location"] == "/"


def test_an_account_held_twice_comes_back_only_when_both_end(people, new_madrid) -> None:
    staff, tc = people["staff"], people["tech_coordinator"]
    today = timezone.localdate()
    first = actions.suspend(
        actor=tc, library=new_madrid, user=staff, reason="a", ends_on=today + datetime.timedelta(2)
    )
    actions.suspend(
        actor=tc, library=new_madrid, user=staff, reason="b", ends_on=today + datetime.timedelta(9)
    )
    actions.end_suspension(actor=tc, suspension=first, reason="cleared")
    staff.refresh_from_db()
    assert not staff.is_active
    with time_machine.travel(_at(today + datetime.timedelta(days=9)), tick=False):
        actions.end_expired_suspensions()
    staff.refresh_from_db()
    assert staff.is_active


def test_workstation_suspension_is_recorded(people, new_madrid, client_as) -> None:
    head = audit_head()
    suspension = actions.suspend(
        actor=people["director"],
        library=new_madrid,
        workstation="PUBLIC-PC-07",
        reason="Keylogger found.",
        ends_on=timezone.localdate() + datetime.timedelta(days=5),
    )
    assert suspension.user is None and suspension.workstation == "PUBLIC-PC-07"
    (event,) = events_since(head, AuditAction.SUSPENSION_STARTED)
    assert event.after["of"] == "workstation"
    page = client_as("auditor").get("/enforcement/suspensions/").content.decode()
    assert "PUBLIC-PC-07" in page and "Keylogger found." in page
    assert "End now" not in page  # the auditor reads, never writes


def test_a_suspension_needs_a_reason_an_end_date_and_one_target(people, new_madrid) -> None:
    tc = people["tech_coordinator"]
    later = timezone.localdate() + datetime.timedelta(days=5)
    with pytest.raises(ValidationError) as exc:
        actions.suspend(actor=tc, library=new_madrid, workstation="PC-1", reason="x", ends_on=None)
    assert "ends_on" in exc.value.message_dict
    with pytest.raises(ValidationError):
        actions.suspend(actor=tc, library=new_madrid, workstation="PC-1", reason=" ", ends_on=later)
    with pytest.raises(ValidationError):
        actions.suspend(
            actor=tc,
            library=new_madrid,
            user=people["staff"],
            workstation="PC-1",
            reason="x",
            ends_on=later,
        )
    with pytest.raises(ValidationError):
        actions.suspend(
            actor=tc,
            library=new_madrid,
            workstation="PC-1",
            reason="x",
            ends_on=timezone.localdate(),
        )
    with pytest.raises(ValidationError):  # Cresco's staff is not New Madrid's
        actions.suspend(
            actor=tc, library=new_madrid, user=people["outsider_staff"], reason="x", ends_on=later
        )
    for who in ("assistant_director", "human_resources", "auditor", "it_staff", "outsider"):
        with pytest.raises(PermissionDenied):
            actions.suspend(
                actor=people[who], library=new_madrid, workstation="PC-1", reason="x", ends_on=later
            )
    assert not Suspension.objects.exists()


def test_a_suspension_on_a_case_waits_for_the_hr_decision(people, new_madrid) -> None:
    later = timezone.localdate() + datetime.timedelta(days=5)
    case = case_at(people, Step.HR_DECISION)
    with pytest.raises(ValidationError, match="human resources decides first"):
        actions.suspend(
            actor=people["director"],
            library=new_madrid,
            user=people["staff"],
            reason="x",
            ends_on=later,
            case=case,
        )
    actions.record_hr_decision(actor=people["human_resources"], case=case, discipline_needed=True)
    suspension = actions.suspend(
        actor=people["director"],
        library=new_madrid,
        user=people["staff"],
        reason="x",
        ends_on=later,
        case=case,
    )
    assert suspension.case_id == case.pk
    assert case.steps.filter(kind="suspension").exists()
