"""CC-4: staff lock their workstation when they leave it, and Bookwarden does it for them: a
session idle longer than the library allows asks for the password again before anything
else.  Locking and unlocking are audit events."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.models import AuditAction
from bookwarden.core import actions
from bookwarden.core.demo import DEMO_PASSWORD
from bookwarden.core.models import Library, Membership
from bookwarden.core.roles import Role

from .helpers import audit_head, events_since, location_path

LOCKED = "/session/locked/"


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def _idle(clock: time_machine.Traveller, minutes: float) -> None:
    clock.shift(datetime.timedelta(minutes=minutes))


def _next_of(response) -> str:
    return parse_qs(urlsplit(response["Location"]).query)["next"][0]


def test_idle_session_locks_and_unlocks_with_the_password(
    people, client_as, new_madrid, clock
) -> None:
    """CC-4: past the library's idle timeout (15 minutes) the next request goes to the lock
    page with ?next=; a wrong password is refused (400, auth.login_failed); the right one
    unlocks and returns to where the person was going (auth.session_unlocked)."""
    staff = client_as("staff")
    page = reverse("staff_detail", args=[new_madrid.slug, people["staff"].pk])
    library_page = reverse("library_detail", args=[new_madrid.slug])
    assert staff.get(library_page).status_code == 200
    _idle(clock, 14)
    assert staff.get(library_page).status_code == 200  # activity resets the clock
    _idle(clock, 14)
    assert staff.get(library_page).status_code == 200

    head = audit_head()
    _idle(clock, 16)
    response = staff.get(library_page + "?tab=branches")
    assert location_path(response) == LOCKED
    assert _next_of(response) == library_page + "?tab=branches"
    (locked,) = events_since(head, AuditAction.SESSION_LOCKED)
    assert locked.actor == people["staff"]
    assert locked.after["idle_seconds"] >= 16 * 60
    # Locked means locked: every page, until the password is given.
    for url in ("/", page, reverse("account_security")):
        assert location_path(staff.get(url)) == LOCKED, url
    lock_page = staff.get(response["Location"])
    assert lock_page.status_code == 200
    assert "15 minutes" in lock_page.content.decode()

    head = audit_head()
    wrong = staff.post(LOCKED, {"password": "not-my-password", "next": library_page})
    assert wrong.status_code == 400
    assert "not right" in wrong.content.decode()
    assert events_since(head, AuditAction.LOGIN_FAILED)
    assert not events_since(head, AuditAction.SESSION_UNLOCKED)
    assert location_path(staff.get("/")) == LOCKED

    response = staff.post(LOCKED, {"password": DEMO_PASSWORD, "next": library_page})
    assert response.status_code == 302 and response["Location"] == library_page
    (unlocked,) = events_since(head, AuditAction.SESSION_UNLOCKED)
    assert unlocked.actor == people["staff"]
    assert staff.get(library_page).status_code == 200


def test_unlock_never_sends_the_person_off_site(people, client_as, clock) -> None:
    staff = client_as("staff")
    staff.get("/")
    _idle(clock, 20)
    assert location_path(staff.get("/")) == LOCKED
    response = staff.post(
        LOCKED, {"password": DEMO_PASSWORD, "next": "https://evil.example.org/phish"}
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_locked_session_can_still_sign_out(people, client_as, clock) -> None:
    staff = client_as("staff")
    staff.get("/")
    _idle(clock, 20)
    head = audit_head()
    response = staff.post(reverse("account_logout"))
    assert response.status_code == 302
    assert events_since(head, AuditAction.LOGOUT)
    assert location_path(staff.get("/")).startswith("/accounts/login/")


def test_a_locked_session_writes_nothing(people, sudo_as, new_madrid, clock) -> None:
    """A POST from a locked session (someone at the unattended desk) is not carried out."""
    director = sudo_as("director")
    director.get("/")
    _idle(clock, 16)
    membership = Membership.objects.get(user=people["staff"], library=new_madrid)
    response = director.post(
        reverse("membership_revoke", args=[new_madrid.slug, membership.pk]), {"reason": "x"}
    )
    assert location_path(response) == LOCKED
    membership.refresh_from_db()
    assert membership.revoked_at is None


def test_htmx_requests_are_told_to_go_to_the_lock_page(client_as, new_madrid, clock) -> None:
    """A partial update cannot follow a redirect: htmx gets HX-Redirect instead."""
    staff = client_as("staff")
    url = reverse("library_detail", args=[new_madrid.slug])
    staff.get(url)
    _idle(clock, 16)
    response = staff.get(url, headers={"HX-Request": "true"})
    assert response.status_code < 300
    assert urlsplit(response["HX-Redirect"]).path == LOCKED
    assert parse_qs(urlsplit(response["HX-Redirect"]).query)["next"] == [url]


def test_director_changes_the_timeout_on_the_settings_page(
    people, client_as, sudo_as, new_madrid, clock
) -> None:
    """The idle timeout is the library's setting: the director sets 5 minutes, and a
    6-minute pause that was fine before now locks (LIBRARY_SETTINGS_CHANGED on record)."""
    before = client_as("staff")
    before.get("/")
    _idle(clock, 6)
    assert before.get("/").status_code == 200

    head = audit_head()
    response = sudo_as("director").post(
        reverse("library_settings", args=[new_madrid.slug]),
        {"idle_timeout_minutes": "5", "time_zone": new_madrid.time_zone},
    )
    assert location_path(response) == reverse("library_detail", args=[new_madrid.slug])
    assert Library.objects.get(pk=new_madrid.pk).idle_timeout_minutes == 5
    (event,) = events_since(head, AuditAction.LIBRARY_SETTINGS_CHANGED)
    assert event.actor == people["director"]
    assert event.before == {"idle_timeout_minutes": 15}
    assert event.after == {"idle_timeout_minutes": 5}

    after = client_as("staff")
    after.get("/")
    _idle(clock, 4)
    assert after.get("/").status_code == 200
    _idle(clock, 6)
    assert location_path(after.get("/")) == LOCKED


def test_the_settings_page_refuses_a_timeout_out_of_range(sudo_as, new_madrid) -> None:
    for value in ("0", "121", "ten"):
        response = sudo_as("director").post(
            reverse("library_settings", args=[new_madrid.slug]), {"idle_timeout_minutes": value}
        )
        assert response.status_code == 200, value
    assert Library.objects.get(pk=new_madrid.pk).idle_timeout_minutes == 15


def test_the_shortest_timeout_of_a_persons_libraries_applies(
    people, client_as, new_madrid, cresco, clock
) -> None:
    """Someone who works at two libraries locks after the stricter of the two."""
    actions.update_library_settings(actor=None, library=cresco, idle_timeout_minutes=5)
    staff = client_as("staff")
    staff.get("/")
    _idle(clock, 6)
    assert staff.get("/").status_code == 200  # New Madrid alone: 15 minutes

    actions.assign_role(actor=None, user=people["staff"], library=cresco, role=Role.VOLUNTEER)
    staff.get("/")
    _idle(clock, 6)
    response = staff.get("/")
    assert location_path(response) == LOCKED
    assert "5 minutes" in staff.get(response["Location"]).content.decode()
