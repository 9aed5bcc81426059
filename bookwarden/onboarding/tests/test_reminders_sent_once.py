"""Reminders go through the outbox once each: on assignment, a week before the due date,
when overdue (CC-1, IT-1, IT-11, LV-8, CC-10); a rerun sends nothing."""

from __future__ import annotations

import datetime

import pytest

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.tests.helpers import audit_head, events_since
from bookwarden.mail.models import OutboxMessage
from bookwarden.onboarding.jobs import duty_reminders
from bookwarden.onboarding.models import DutyReminder, ReminderKind
from bookwarden.onboarding.reminders import send_reminders

DAY = datetime.timedelta(days=1)


def _mail_to(user) -> list[OutboxMessage]:
    return [m for m in OutboxMessage.objects.order_by("pk") if user.email in m.to]


@pytest.mark.django_db
def test_each_stage_mailed_once_as_time_passes(people, new_madrid, board, at, today) -> None:
    staff = people["staff"]
    start = today + 10 * DAY
    due = start + 30 * DAY
    board.give(staff, new_madrid, assigned_on=start, due_on=due)
    head = audit_head()

    with at(start):
        assert duty_reminders() == "1 reminder mailed, 0 people reported to human resources."
        assert duty_reminders() == "0 reminders mailed, 0 people reported to human resources."
    (new,) = _mail_to(staff)
    assert new.subject == "You have a new task: Sign the Staff Computer Use Policy"
    assert f"by {due:%b} {due.day}, {due.year}" in new.body
    assert "/onboarding/" in new.body and new.library_id == new_madrid.pk

    with at(due - 8 * DAY):  # not yet a week before
        assert send_reminders().reminders == 0
    with at(due - 7 * DAY):
        assert send_reminders().reminders == 1
        assert send_reminders().reminders == 0
    soon = _mail_to(staff)[-1]
    assert soon.subject.startswith("Due on ") and "A reminder:" in soon.body

    with at(due):  # due today: not overdue yet
        assert send_reminders().reminders == 0
    with at(due + DAY):
        assert send_reminders().reminders == 1
    with at(due + 40 * DAY):
        assert send_reminders().reminders == 0
    late = _mail_to(staff)[-1]
    assert late.subject == "Overdue: Sign the Staff Computer Use Policy"
    assert "was due on" in late.body

    assert len(_mail_to(staff)) == 3
    assert set(DutyReminder.objects.filter(user=staff).values_list("kind", flat=True)) == {
        ReminderKind.ASSIGNED,
        ReminderKind.DUE_SOON,
        ReminderKind.OVERDUE,
        ReminderKind.HR_TOLD,  # 40 days late by the last run
    }
    events = events_since(head, AuditAction.ONBOARDING_REMINDER_SENT)
    assert len(events) == 3
    assert {e.after["reminder"] for e in events} == {"assigned", "due_soon", "overdue"}
    assert all(e.subject_user_id == staff.pk and e.library_id == new_madrid.pk for e in events)
    # Ids and keys only, never the mail's words.
    assert all("Sign the Staff" not in str(e.after) for e in events)


@pytest.mark.django_db
def test_first_seen_overdue_gets_the_overdue_mail_alone(people, new_madrid, board, at, today):
    staff = people["staff"]
    board.give(staff, new_madrid, assigned_on=today - 40 * DAY, due_on=today - 10 * DAY)
    with at(today):
        assert send_reminders().reminders == 1
        assert send_reminders().reminders == 0
    (mail,) = _mail_to(staff)
    assert mail.subject.startswith("Overdue:")
    assert list(DutyReminder.objects.filter(user=staff).values_list("kind", flat=True)) == [
        ReminderKind.OVERDUE
    ]


@pytest.mark.django_db
def test_first_seen_within_the_week_gets_one_new_task_mail(people, new_madrid, board, at, today):
    staff = people["staff"]
    board.give(staff, new_madrid, assigned_on=today, due_on=today + 3 * DAY)
    with at(today):
        send_reminders()
    with at(today + DAY):
        send_reminders()
    (mail,) = _mail_to(staff)
    assert mail.subject.startswith("You have a new task:")


@pytest.mark.django_db
def test_a_done_duty_brings_no_mail(people, new_madrid, board, at, today) -> None:
    staff = people["staff"]
    board.give(
        staff, new_madrid, assigned_on=today - 40 * DAY, due_on=today - 10 * DAY, done_on=today
    )
    with at(today):
        assert send_reminders().reminders == 0
    assert not _mail_to(staff)
    assert not DutyReminder.objects.exists()


@pytest.mark.django_db
def test_done_after_the_first_mail_stops_the_reminders(people, new_madrid, board, at, today):
    staff = people["staff"]
    board.give(staff, new_madrid, assigned_on=today, due_on=today + 20 * DAY)
    with at(today):
        send_reminders()
    board.mark_done(staff, new_madrid, today + DAY)
    with at(today + 30 * DAY):
        assert send_reminders().reminders == 0
    assert len(_mail_to(staff)) == 1


@pytest.mark.django_db
def test_a_person_without_a_role_in_force_is_not_reminded(people, new_madrid, board, today):
    """A revoked or ended role: no longer staff there, so nothing is mailed."""
    volunteer = people["volunteer"]
    volunteer.is_active = False
    volunteer.save(update_fields=["is_active"])
    board.give(volunteer, new_madrid, assigned_on=today, due_on=today + 20 * DAY)
    assert send_reminders().reminders == 0


@pytest.mark.django_db
def test_the_job_may_run_only_as_the_installation(people) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        send_reminders(actor=people["director"])
    assert not AuditEvent.objects.filter(action=AuditAction.ONBOARDING_REMINDER_SENT).exists()
