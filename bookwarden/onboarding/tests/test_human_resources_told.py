"""Human resources hears, once per person and duty, of people late by more than the
library's number of days (IT-11: signed acknowledgements are returned to human resources);
the director where the library has none."""

from __future__ import annotations

import datetime

import pytest

from bookwarden.audit.models import AuditAction
from bookwarden.core.actions import revoke_role
from bookwarden.core.models import Membership
from bookwarden.core.roles import Role
from bookwarden.core.tests.helpers import audit_head, events_since
from bookwarden.mail.models import OutboxMessage
from bookwarden.onboarding.actions import update_settings
from bookwarden.onboarding.reminders import HR_REASON, send_reminders

DAY = datetime.timedelta(days=1)


def _told() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(reason=HR_REASON).order_by("pk"))


@pytest.mark.django_db
def test_told_once_after_the_default_fourteen_days(people, new_madrid, board, at, today):
    staff, hr = people["staff"], people["human_resources"]
    due = today + DAY
    board.give(staff, new_madrid, assigned_on=today, due_on=due)
    head = audit_head()
    with at(due + 14 * DAY):  # 14 days late: not more than 14
        assert send_reminders().people_reported == 0
    assert not _told()
    with at(due + 15 * DAY):
        assert send_reminders().people_reported == 1
        assert send_reminders().people_reported == 0
    with at(due + 60 * DAY):
        assert send_reminders().people_reported == 0
    (mail,) = _told()
    assert mail.to == [hr.email]
    assert mail.subject == f"Overdue tasks at {new_madrid.name}: {staff}"
    assert "Sign the Staff Computer Use Policy" in mail.body and "15 days late" in mail.body
    assert f"/onboarding/new-madrid/people/{staff.pk}/" in mail.body
    (event,) = events_since(head, AuditAction.ONBOARDING_HR_TOLD)
    assert event.subject_user_id == staff.pk
    assert event.after["recipients"] == [hr.pk] and event.after["days_overdue"] == 15


@pytest.mark.django_db
def test_a_second_duty_late_later_is_told_once_more(people, new_madrid, board, at, today):
    staff = people["staff"]
    board.give(staff, new_madrid, "a", assigned_on=today, due_on=today)
    board.give(
        staff,
        new_madrid,
        "b",
        title="Take the training",
        assigned_on=today,
        due_on=today + 10 * DAY,
    )
    with at(today + 20 * DAY):
        send_reminders()
    with at(today + 30 * DAY):
        send_reminders()
    first, second = _told()
    assert "Sign the Staff" in first.body and "Take the training" not in first.body
    assert "Take the training" in second.body and "Sign the Staff" not in second.body


@pytest.mark.django_db
def test_the_library_sets_the_number_of_days(people, new_madrid, board, at, today) -> None:
    update_settings(
        actor=people["director"], library=new_madrid, new_account_days=60, tell_hr_after_days=3
    )
    board.give(people["staff"], new_madrid, assigned_on=today, due_on=today)
    with at(today + 3 * DAY):
        assert send_reminders().people_reported == 0
    with at(today + 4 * DAY):
        assert send_reminders().people_reported == 1


@pytest.mark.django_db
def test_without_human_resources_the_director_is_told(people, new_madrid, board, at, today):
    hr_role = Membership.objects.get(user=people["human_resources"], role=Role.HUMAN_RESOURCES)
    revoke_role(actor=people["director"], membership=hr_role, reason="left")
    board.give(people["staff"], new_madrid, assigned_on=today, due_on=today)
    with at(today + 20 * DAY):
        send_reminders()
    (mail,) = _told()
    assert mail.to == [people["director"].email]


@pytest.mark.django_db
def test_another_librarys_people_are_told_to_their_own_library(people, cresco, board, at, today):
    """Cresco has no human resources: its director hears of Cresco's staff, and New Madrid's
    human resources hears nothing of Cresco."""
    board.give(people["outsider_staff"], cresco, assigned_on=today, due_on=today)
    with at(today + 20 * DAY):
        send_reminders()
    (mail,) = _told()
    assert mail.to == [people["outsider"].email] and mail.library_id == cresco.pk


@pytest.mark.django_db
def test_the_pages_show_when_human_resources_was_told(
    people, new_madrid, board, at, today, client_as
) -> None:
    """The evidence for an auditor (IT-11): on the library's page, when human resources
    heard of each overdue person; on the person's page, every reminder mailed."""
    staff = people["staff"]
    board.give(staff, new_madrid, assigned_on=today, due_on=today + 10 * DAY)
    with at(today):
        send_reminders()
    with at(today + 30 * DAY):
        send_reminders()
        client = client_as("human_resources")
        page = client.get("/onboarding/new-madrid/").content.decode()
        told = today + 30 * DAY
        assert f"<td>{told:%b} {told.day}, {told.year}</td>" in page
        person = client.get(f"/onboarding/new-madrid/people/{staff.pk}/").content.decode()
    assert "Reminders mailed" in person
    for kind in ("New task", "Overdue", "Human resources told"):
        assert f"<td>{kind}</td>" in person
