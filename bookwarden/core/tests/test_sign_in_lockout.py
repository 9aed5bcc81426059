"""Sign-in lockout through the real login page (LV-3; core.lockout): repeated failures lock
the account they were for, never the address its colleagues share; an address is limited
only far later and never for a correct password and code; the locked-out page says when the
lock lifts and who can lift it sooner; a director of the person's library unlocks them,
recorded; every lock is an audit event."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.models import AuditAction
from bookwarden.core import when as formats
from bookwarden.core.demo import DEMO_PASSWORD
from bookwarden.core.idle_lock import IDLE_LAST_SEEN
from bookwarden.core.lockout import UNKNOWN_ACCOUNT
from bookwarden.core.models import User

from .helpers import (
    audit_head,
    events_since,
    location_path,
    login_through_page,
    mark_reauthenticated,
    totp_code,
)

#: One branch's router: everyone at the branch comes from this address.
BRANCH = "203.0.113.7"
WRONG = "not-the-password"


def _client(ip: str = BRANCH) -> Client:
    return Client(REMOTE_ADDR=ip)


def _signs_in(username: str, ip: str = BRANCH) -> bool:
    """The right password through the login page: signed in (or at the code step, for an
    account with two-factor login)."""
    client = _client(ip)
    response = login_through_page(client, username)
    return response.status_code == 302 and location_path(response) in (
        "/",
        reverse("mfa_authenticate"),
    )


def _lock(username: str, ip: str = BRANCH) -> None:
    for _ in range(settings.LOCKOUT_FAILURES):
        response = login_through_page(_client(ip), username, WRONG)
    assert response.status_code == 429, "not locked"


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def _local_time(moment: datetime.datetime) -> str:
    return formats.clock(moment)


# --- One account's failures lock that account, and only it ---------------------------------


def test_one_cresco_account_locked_does_not_lock_new_madrid_at_the_same_address(people) -> None:
    """Issue 9: five wrong passwords for one Cresco account locked everyone at that address.
    Now the Cresco account is locked; New Madrid's staff, its technology coordinator and
    its director sign in from the very same address."""
    head = audit_head()
    _lock("pnguyen")
    for colleague in ("bjohnson", "tpatel", "mreyes", "kmiller"):
        assert _signs_in(colleague), colleague
    assert not _signs_in("pnguyen")  # the locked account itself, right password and all

    (locked,) = events_since(head, AuditAction.LOCKED_OUT)
    assert locked.subject_user == people["outsider_staff"]
    assert locked.after["lock"] == "account" and locked.after["source"] == BRANCH


def test_account_locks_after_five_failures_and_lifts_when_the_page_said(people, clock) -> None:
    """Five failures for one account, from anywhere, lock it; the right password is refused
    until the failures are older than the cool-off, at the time the page gives; trying
    again meanwhile (refused, recorded as a failure) neither counts nor makes it longer."""
    assert settings.LOCKOUT_FAILURES == 5 and settings.LOCKOUT_MINUTES == 15
    head = audit_head()
    first = timezone.now()
    for attempt in range(1, 5):
        response = login_through_page(_client(f"10.0.0.{attempt}"), "ekim", WRONG)
        assert response.status_code == 200, attempt
    assert not events_since(head, AuditAction.LOCKED_OUT)
    clock.shift(datetime.timedelta(minutes=2))
    response = login_through_page(_client("10.0.0.5"), "ekim", WRONG)
    assert response.status_code == 429
    # Four of the five failures are 15 minutes old then: too few to hold the lock.
    lifts = first + datetime.timedelta(minutes=15)
    page = response.content.decode()
    assert f"locked until {_local_time(lifts)}" in page
    assert "a director of your library" in page
    (locked,) = events_since(head, AuditAction.LOCKED_OUT)
    assert locked.subject_user == people["volunteer"]
    assert locked.after["until"] == lifts.isoformat()

    head = audit_head()
    for minutes in (3, 10, 14):  # the person keeps trying, right password, same address
        clock.shift(first + datetime.timedelta(minutes=minutes) - timezone.now())
        client = _client("10.0.0.5")
        assert login_through_page(client, "ekim").status_code == 429, minutes
        assert "_auth_user_id" not in client.session
    refused = events_since(head, AuditAction.LOGIN_FAILED)
    assert [e.after for e in refused] == [{"account": "known", "refused": "account"}] * 3
    assert not events_since(head, AuditAction.LOCKED_OUT)

    clock.shift(lifts - timezone.now() + datetime.timedelta(seconds=1))
    client = _client("10.0.0.5")
    assert location_path(login_through_page(client, "ekim")) == "/"
    assert client.get("/").status_code == 200


def test_changing_the_case_of_a_name_does_not_dodge_the_lockout(people) -> None:
    """Failures for "EKim", "ekim", "EKIM" ... all count against the one account."""
    spellings = ["EKim", "ekim", "EKIM", "eKiM", "Ekim"]
    for attempt, name in enumerate(spellings, start=1):
        response = login_through_page(_client(f"10.2.0.{attempt}"), name, WRONG)
    assert response.status_code == 429
    assert login_through_page(_client("10.2.0.9"), "ekim").status_code == 429


def test_lockout_table_does_not_keep_unknown_names_either(people) -> None:
    """django-axes keeps its own record of failures: an unknown name is stored there as a
    placeholder, never as typed."""
    from axes.models import AccessAttempt, AccessFailureLog

    typed = "orchard-lantern-password-in-username"
    login_through_page(_client("10.1.1.1"), typed, "whatever-password")
    names = list(AccessAttempt.objects.values_list("username", flat=True)) + list(
        AccessFailureLog.objects.values_list("username", flat=True)
    )
    assert names and set(names) == {UNKNOWN_ACCOUNT}
    assert typed not in json.dumps(list(AccessAttempt.objects.values()), default=str)


def test_wrong_codes_lock_the_account_like_wrong_passwords(people) -> None:
    """A stolen password does not buy unlimited guesses at the code: five wrong codes lock
    the account; then even the right code, and a new sign-in, are refused."""
    client = _client()
    assert location_path(login_through_page(client, "mreyes")) == reverse("mfa_authenticate")
    wrong = f"{(int(totp_code()) + 1) % 1_000_000:06d}"
    head = audit_head()
    for attempt in range(1, 5):
        response = client.post(reverse("mfa_authenticate"), {"code": wrong})
        assert response.status_code == 200, attempt
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 429
    assert len(events_since(head, AuditAction.MFA_FAILED)) == 5
    (locked,) = events_since(head, AuditAction.LOCKED_OUT)
    assert locked.subject_user == people["director"]

    assert client.post(reverse("mfa_authenticate"), {"code": totp_code()}).status_code == 429
    assert location_path(client.get("/")) == reverse("account_login")
    assert login_through_page(_client(), "mreyes").status_code == 429


# --- The address: a much higher threshold, never a correct password and code ------------


def test_address_limit_pauses_password_only_sign_in_but_never_password_and_code(
    people, clock
) -> None:
    """Someone at the branch's address guesses across many accounts (each under its own
    limit).  After the address limit (50 failures, far beyond a branch's typos) names that
    are no account and accounts with a password only are paused there; an account with
    two-factor login signs in with its password and code; other addresses are untouched;
    the pause lifts after the cool-off."""
    limit = settings.LOCKOUT_ADDRESS_FAILURES
    assert limit == 50
    accounts = ["ekim", "lchen", "ralvarez", "hbrooks", "pnguyen"]  # password only
    head = audit_head()
    for n in range(limit - 1):
        name = accounts[n % len(accounts)] if n < 20 else f"guess{n}"
        response = login_through_page(_client(), name, WRONG)
        assert response.status_code == 200, n
    assert not events_since(head, AuditAction.LOCKED_OUT)
    assert _signs_in("bjohnson")  # a correct password still passes just below the limit
    assert login_through_page(_client(), "guess-last", WRONG).status_code == 429
    (paused,) = events_since(head, AuditAction.LOCKED_OUT)
    assert paused.after["lock"] == "address" and paused.subject_user is None

    response = login_through_page(_client(), "bjohnson")  # right password, password only
    assert response.status_code == 429
    assert "two-factor login" in response.content.decode()
    assert login_through_page(_client(), "guess-more", WRONG).status_code == 429
    assert _signs_in("bjohnson", ip="198.51.100.20")  # another address

    # The director: right password, then the right code: signed in.
    client = _client()
    response = login_through_page(client, "kmiller")
    assert location_path(response) == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert location_path(response) == "/"
    assert client.get("/").status_code == 200
    assert client.session["_auth_user_id"] == str(people["outsider"].pk)

    clock.shift(datetime.timedelta(minutes=settings.LOCKOUT_MINUTES, seconds=1))
    assert _signs_in("bjohnson")


def test_a_wrong_password_of_a_two_factor_account_still_counts_for_the_account(
    people, settings
) -> None:
    """Past the address limit, accounts with two-factor login still have their password
    checked, so their failures still count against them."""
    settings.LOCKOUT_ADDRESS_FAILURES = 3
    for n in range(3):
        login_through_page(_client(), f"guess{n}", WRONG)
    assert login_through_page(_client(), "bjohnson").status_code == 429
    _lock("tpatel")
    assert not _signs_in("tpatel", ip="198.51.100.20")


# --- The idle lock is the person's own ---------------------------------------------------


def test_idle_session_unlocks_although_a_colleague_and_the_address_are_locked(
    people, client_as, settings, clock
) -> None:
    """Issue 9: even unlocking an idle-locked session failed once a colleague at the same
    address was locked out.  The idle lock asks only for the person's own password: a
    colleague's lock, or the address limit, do not stand in the way."""
    settings.LOCKOUT_ADDRESS_FAILURES = 8
    staff = client_as("staff")  # Ben, password only, at the branch
    staff.defaults["REMOTE_ADDR"] = BRANCH
    assert staff.get("/").status_code == 200
    clock.shift(datetime.timedelta(minutes=16))  # Ben is away; meanwhile, at the branch:
    _lock("ekim")  # a colleague: locked
    for n in range(3):
        login_through_page(_client(), f"guess{n}", WRONG)  # and the address is at its limit
    assert login_through_page(_client(), "lchen").status_code == 429

    assert location_path(staff.get("/")) == reverse("session_locked")
    head = audit_head()
    response = staff.post(reverse("session_locked"), {"password": DEMO_PASSWORD, "next": "/"})
    assert location_path(response) == "/"
    assert staff.get("/").status_code == 200
    assert events_since(head, AuditAction.SESSION_UNLOCKED)
    assert staff.session[IDLE_LAST_SEEN]


# --- A director of the person's library unlocks them --------------------------------------


def test_director_unlocks_a_locked_account_of_their_library_recorded(
    people, client_as, new_madrid
) -> None:
    _lock("bjohnson")
    director = mark_reauthenticated(client_as("director"), people["director"])
    page = reverse("staff_detail", args=[new_madrid.slug, people["staff"].pk])
    shown = director.get(page).content.decode()
    assert "Locked" in shown and "Unlock sign-in" in shown

    head = audit_head()
    url = reverse("sign_in_unlock", args=[new_madrid.slug, people["staff"].pk])
    response = director.post(url)
    assert location_path(response) == page
    (event,) = events_since(head, AuditAction.SIGN_IN_UNLOCKED)
    assert event.actor == people["director"]
    assert event.subject_user == people["staff"]
    assert event.library == new_madrid
    assert "locked_until" in event.before
    assert "Not locked" in director.get(page).content.decode()
    assert _signs_in("bjohnson")

    # Nothing left to unlock: refused, nothing recorded.
    head = audit_head()
    director.post(url)
    assert not events_since(head)


def test_the_director_is_told_on_the_home_page_who_cannot_sign_in(
    people, client_as, new_madrid
) -> None:
    """A locked-out colleague is an item of the director's "My tasks", with a link to their
    staff page (where the unlock is); another library's director is not told; once the
    sign-in is unlocked, the item is gone."""
    from bookwarden.core.my_tasks import tasks_for

    def told(who: str) -> list[str]:
        return [
            t.url for t in tasks_for(people[who]) if t.title == f"{people['staff']} cannot sign in"
        ]

    assert told("director") == []
    _lock("bjohnson")
    page = reverse("staff_detail", args=[new_madrid.slug, people["staff"].pk])
    assert told("director") == [page]
    assert told("outsider") == [] and told("staff") == []
    assert f"{people['staff']} cannot sign in" in client_as("director").get("/").content.decode()

    director = mark_reauthenticated(client_as("director"), people["director"])
    director.post(reverse("sign_in_unlock", args=[new_madrid.slug, people["staff"].pk]))
    assert told("director") == []


def test_another_librarys_director_cannot_unlock(people, client_as, new_madrid, cresco) -> None:
    """Cresco's director gets 404 for New Madrid's staff, by either library's address."""
    _lock("bjohnson")
    outsider = mark_reauthenticated(client_as("outsider"), people["outsider"])
    head = audit_head()
    for slug in (new_madrid.slug, cresco.slug):
        url = reverse("sign_in_unlock", args=[slug, people["staff"].pk])
        assert outsider.post(url).status_code == 404, slug
    assert not events_since(head, AuditAction.SIGN_IN_UNLOCKED)
    assert not _signs_in("bjohnson")


def test_only_a_director_unlocks(people, client_as, new_madrid) -> None:
    """The technology coordinator is told to help, but unlocking is the director's
    (Perm.MANAGE_ROLES): 403, still locked."""
    _lock("bjohnson")
    tech = mark_reauthenticated(client_as("tech_coordinator"), people["tech_coordinator"])
    url = reverse("sign_in_unlock", args=[new_madrid.slug, people["staff"].pk])
    assert tech.post(url).status_code == 403
    assert not _signs_in("bjohnson")
    assert User.objects.get(pk=people["staff"].pk).is_active
