"""CC-1, LV-3: a person's access ends when their last day is over in the library's time
zone, through one action in one transaction, by the hourly ``departures`` job."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from bookwarden.audit.models import AuditAction
from bookwarden.core.actions import assign_role
from bookwarden.core.models import Membership
from bookwarden.core.roles import Role
from bookwarden.core.tests.helpers import audit_head, events_since
from bookwarden.jobs.registry import get_job
from bookwarden.people import actions
from bookwarden.people.actions import departures as departure_actions
from bookwarden.people.models import Departure

HONOLULU = zoneinfo.ZoneInfo("Pacific/Honolulu")


def _honolulu(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=HONOLULU)


def _sessions_of(user) -> int:
    return sum(
        1 for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)
    )


@pytest.fixture
def far_west(new_madrid):
    """New Madrid in a time zone four hours behind the installation's (America/Chicago)."""
    new_madrid.time_zone = "Pacific/Honolulu"
    new_madrid.save(update_fields=["time_zone"])
    return new_madrid


def test_access_ends_when_the_last_day_is_over_in_the_librarys_zone(
    people, far_west, client_as
) -> None:
    staff = people["staff"]
    last_day = timezone.localdate() + datetime.timedelta(days=3)
    head = audit_head()
    departure = actions.record_departure(
        actor=people["human_resources"],
        user=staff,
        library=far_west,
        last_day=last_day,
        reason="Moved away.",
    )
    job = get_job("departures")

    # The last evening in Honolulu is already the next day in Chicago: not over yet.
    with time_machine.travel(_honolulu(last_day, 23, 30), tick=False):
        client = client_as("staff")  # signed in on the last evening
        assert job.func() == "0 accounts ended."
        assert client.get("/").status_code == 200
    staff.refresh_from_db()
    assert staff.is_active
    assert _sessions_of(staff) == 1

    with time_machine.travel(_honolulu(last_day + datetime.timedelta(days=1), 0, 10), tick=False):
        assert job.func() == "1 account ended."
        assert job.func() == "0 accounts ended."  # a second run ends nothing twice
        assert client.get("/").status_code == 302  # signed out

    staff.refresh_from_db()
    departure.refresh_from_db()
    assert not staff.is_active
    assert not Membership.objects.filter(user=staff, revoked_at__isnull=True).exists()
    assert departure.ended_at is not None and departure.ended_by is None
    assert departure.account_turned_off and departure.roles_ended == 1
    assert _sessions_of(staff) == 0

    (recorded,) = events_since(head, AuditAction.DEPARTURE_RECORDED)
    assert recorded.actor_id == people["human_resources"].pk
    assert "Moved away" not in str(recorded.after)  # free text stays out of the log
    (revoked,) = events_since(head, AuditAction.ROLE_REVOKED)
    assert revoked.subject_user_id == staff.pk and revoked.purpose.startswith("Access ended")
    (ended,) = events_since(head, AuditAction.ACCOUNT_ENDED)
    assert ended.actor_id is None and ended.subject_user_id == staff.pk
    assert ended.library_id == far_west.pk
    assert ended.after["reason"] == "leaving"
    assert ended.after["account_turned_off"] is True
    assert ended.after["sessions_ended"] == 1
    assert ended.after["last_day"] == last_day.isoformat()


def test_a_role_at_another_library_keeps_the_account(people, new_madrid, cresco, client_as):
    staff = people["staff"]
    assign_role(actor=None, user=staff, library=cresco, role=Role.STAFF)
    client = client_as("staff")
    departure = actions.record_departure(
        actor=people["director"],
        user=staff,
        library=new_madrid,
        last_day=timezone.localdate(),
        end_now=True,
    )
    staff.refresh_from_db()
    assert departure.ended_at is not None and not departure.account_turned_off
    assert staff.is_active
    assert set(
        Membership.objects.active().filter(user=staff).values_list("library", flat=True)
    ) == {cresco.pk}
    assert _sessions_of(staff) == 1
    assert client.get("/").status_code == 200


def test_a_failure_midway_leaves_nothing_half_done(people, new_madrid, monkeypatch) -> None:
    """The job dying while ending a person rolls back everything of that person; the next
    run ends them."""
    staff = people["staff"]
    departure = actions.record_departure(
        actor=people["human_resources"],
        user=staff,
        library=new_madrid,
        last_day=timezone.localdate() - datetime.timedelta(days=1),
    )
    head = audit_head()

    def dies(user) -> int:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(departure_actions, "end_sessions", dies)
    with pytest.raises(RuntimeError, match="could not be ended"):
        get_job("departures").func()
    staff.refresh_from_db()
    departure.refresh_from_db()
    assert staff.is_active
    assert departure.ended_at is None
    assert Membership.objects.filter(user=staff, revoked_at__isnull=True).count() == 1
    assert events_since(head) == []

    monkeypatch.undo()
    assert get_job("departures").func() == "1 account ended."
    staff.refresh_from_db()
    assert not staff.is_active
    assert len(events_since(head, AuditAction.ACCOUNT_ENDED)) == 1


def test_change_and_cancel_before_the_day(people, new_madrid) -> None:
    hr, staff = people["human_resources"], people["staff"]
    today = timezone.localdate()
    departure = actions.record_departure(
        actor=hr, user=staff, library=new_madrid, last_day=today + datetime.timedelta(days=5)
    )
    with pytest.raises(ValidationError, match="already recorded"):
        actions.record_departure(
            actor=hr, user=staff, library=new_madrid, last_day=today + datetime.timedelta(days=9)
        )
    head = audit_head()
    actions.change_departure(
        actor=hr, departure=departure, last_day=today + datetime.timedelta(days=9)
    )
    (changed,) = events_since(head, AuditAction.DEPARTURE_CHANGED)
    assert changed.before == {"last_day": (today + datetime.timedelta(days=5)).isoformat()}
    actions.cancel_departure(actor=hr, departure=departure)
    assert len(events_since(head, AuditAction.DEPARTURE_CANCELLED)) == 1
    with pytest.raises(ValidationError, match="cancelled"):
        actions.change_departure(actor=hr, departure=departure, last_day=today)
    # Cancelled: the job leaves the person alone, even once the day has passed.
    with time_machine.travel(timezone.now() + datetime.timedelta(days=12), tick=False):
        assert get_job("departures").func() == "0 accounts ended."
    staff.refresh_from_db()
    assert staff.is_active
    assert Departure.objects.filter(user=staff).get().status == "Cancelled"


def test_bad_input_is_refused_and_nothing_written(people, new_madrid) -> None:
    hr = people["human_resources"]
    today = timezone.localdate()
    head = audit_head()
    with pytest.raises(ValidationError, match="your own"):
        actions.record_departure(actor=hr, user=hr, library=new_madrid, last_day=today)
    with pytest.raises(ValidationError, match="today or earlier"):
        actions.record_departure(
            actor=hr,
            user=people["staff"],
            library=new_madrid,
            last_day=today + datetime.timedelta(days=2),
            end_now=True,
        )
    with pytest.raises(ValidationError, match="no role here"):
        actions.record_departure(
            actor=hr, user=people["outsider_staff"], library=new_madrid, last_day=today
        )
    # Only those who record departures: not the technology coordinator, not another library.
    with pytest.raises(PermissionDenied):
        actions.record_departure(
            actor=people["tech_coordinator"],
            user=people["staff"],
            library=new_madrid,
            last_day=today,
        )
    with pytest.raises(PermissionDenied):
        actions.record_departure(
            actor=people["outsider"], user=people["staff"], library=new_madrid, last_day=today
        )
    assert events_since(head) == []
    assert not Departure.objects.exists()


def test_a_suspension_ending_later_does_not_bring_a_leaver_back(people, new_madrid) -> None:
    """An account held by a suspension when its person left stays off when the suspension
    ends (enforcement turns an account back on only if it still holds a role)."""
    from bookwarden.enforcement import actions as enforcement

    staff = people["staff"]
    ends_on = timezone.localdate() + datetime.timedelta(days=3)
    enforcement.suspend(
        actor=people["tech_coordinator"],
        library=new_madrid,
        user=staff,
        reason="Suspicious sign-ins.",
        ends_on=ends_on,
    )
    actions.record_departure(
        actor=people["director"],
        user=staff,
        library=new_madrid,
        last_day=timezone.localdate(),
        end_now=True,
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(days=4), tick=False):
        enforcement.end_expired_suspensions()
    staff.refresh_from_db()
    assert not staff.is_active


def test_a_login_after_the_end_is_refused(people, new_madrid) -> None:
    from bookwarden.core.tests.helpers import login_through_page

    staff = people["staff"]
    actions.record_departure(
        actor=people["director"],
        user=staff,
        library=new_madrid,
        last_day=timezone.localdate(),
        end_now=True,
    )
    assert login_through_page(Client(), staff.username)["Location"] == "/accounts/inactive/"


def test_the_only_director_cannot_be_taken_away_by_a_person(people, new_madrid) -> None:
    """CC-2, CC-5: human resources cannot end the access of the library's only director,
    at once or through an account of the job's: another director is assigned first.
    Nothing is written by the refusal."""
    director = people["director"]
    head = audit_head()
    with pytest.raises(ValidationError, match="only director of New Madrid"):
        _human_resources_ends_at_once(people, director, new_madrid)
    assert events_since(head) == []
    assert not Departure.objects.filter(user=director).exists()
    assert Membership.objects.active().filter(user=director, role=Role.DIRECTOR).exists()

    # With a second director in force, the same request ends the first one's access.
    assign_role(actor=None, user=people["designee"], library=new_madrid, role=Role.DIRECTOR)
    _human_resources_ends_at_once(people, director, new_madrid)
    assert not Membership.objects.active().filter(user=director, library=new_madrid).exists()


def _human_resources_ends_at_once(people, user, library) -> Departure:
    return actions.record_departure(
        actor=people["human_resources"],
        user=user,
        library=library,
        last_day=timezone.localdate(),
        end_now=True,
    )


def test_the_job_still_ends_the_only_directors_access_on_their_last_day(people, new_madrid) -> None:
    """CC-1: a recorded last day ends a leaver's access on time even when they are the
    only director; the guard holds back people, not the departures job."""
    director = people["director"]
    last_day = timezone.localdate()
    actions.record_departure(
        actor=people["human_resources"], user=director, library=new_madrid, last_day=last_day
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1, hours=1), tick=False):
        assert get_job("departures").func() == "1 account ended."
    assert not Membership.objects.active().filter(user=director, library=new_madrid).exists()
