"""CC-10: the trainer records attendance at a session; attending completes the course for
the cycle, once."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.models import AuditAction
from bookwarden.core.tests.helpers import audit_head, events_since

from .. import actions
from ..models import Attendance, Completion, Delivery
from ..progress import standings_of
from .factories import held_session


@pytest.fixture
def session(make_course):
    return held_session(make_course("In person", delivery=Delivery.IN_PERSON), days_ago=2)


def test_attending_completes_the_course(people, session) -> None:
    head = audit_head()
    result = actions.record_attendance(
        actor=people["tech_coordinator"],
        session=session,
        attendees=[people["staff"], people["volunteer"]],
    )
    assert (result.added, result.completed) == (2, 2)
    completion = Completion.objects.get(course=session.course, user=people["staff"])
    assert completion.how == "session" and completion.session == session
    assert completion.completed_on == timezone.localdate(session.starts_at)
    mine = next(s for s in standings_of(people["staff"]) if s.course == session.course)
    assert mine.done
    [event] = events_since(head, AuditAction.TRAINING_ATTENDANCE_RECORDED)
    assert event.after["completions"] == 2


def test_attendance_twice_records_nothing_twice(people, session) -> None:
    coordinator = people["tech_coordinator"]
    actions.record_attendance(actor=coordinator, session=session, attendees=[people["staff"]])
    again = actions.record_attendance(
        actor=coordinator, session=session, attendees=[people["staff"], people["director"]]
    )
    assert (again.added, again.completed) == (1, 1)
    assert Attendance.objects.filter(session=session).count() == 2
    assert Completion.objects.filter(course=session.course, user=people["staff"]).count() == 1


def test_only_the_trainer_or_the_coordinator_takes_attendance(people, session) -> None:
    with pytest.raises(PermissionDenied):
        actions.record_attendance(
            actor=people["staff"], session=session, attendees=[people["staff"]]
        )


def test_someone_of_another_library_is_refused(people, session) -> None:
    with pytest.raises(ValidationError, match="Not a member of staff of this library"):
        actions.record_attendance(
            actor=people["tech_coordinator"], session=session, attendees=[people["outsider_staff"]]
        )
    assert not Attendance.objects.filter(session=session).exists()


def test_a_session_to_come_takes_no_attendance(people, make_course, new_madrid) -> None:
    course = make_course("Next week", delivery=Delivery.IN_PERSON)
    future = actions.schedule_session(
        actor=people["tech_coordinator"],
        course=course,
        branch=new_madrid.branches.get(slug="rhodes"),
        starts_at=timezone.now() + datetime.timedelta(days=7),
        place="Meeting room",
        trainer=people["it_staff"],
    )
    with pytest.raises(ValidationError, match="not taken place yet"):
        actions.record_attendance(
            actor=people["it_staff"], session=future, attendees=[people["volunteer"]]
        )


def test_the_checklist_page_lists_the_branch_first_and_records(people, session, client_as) -> None:
    client = client_as("tech_coordinator")
    page = client.get(reverse("training:session", args=[session.pk])).content.decode()
    assert "Staff of this branch" in page and "Ben Johnson" in page
    assert page.index("Staff of this branch") < page.index("Someone else of the library")
    response = client.post(
        reverse("training:attendance", args=[session.pk]),
        {"attendees": [people["staff"].pk], "others": [people["it_staff"].pk]},
        follow=True,
    )
    assert "Attendance recorded: 2 present, 2 completed the course." in response.content.decode()
    assert set(Attendance.objects.filter(session=session).values_list("user_id", flat=True)) == {
        people["staff"].pk,
        people["it_staff"].pk,
    }


def test_the_trainers_task_until_attendance_is_taken(people, session) -> None:
    from bookwarden.core.my_tasks import tasks_for

    def titles() -> list[str]:
        return [t.title for t in tasks_for(people["tech_coordinator"])]

    assert any(t.startswith("Training session: In person") for t in titles())
    actions.record_attendance(
        actor=people["tech_coordinator"], session=session, attendees=[people["staff"]]
    )
    assert not any(t.startswith("Training session: In person") for t in titles())
