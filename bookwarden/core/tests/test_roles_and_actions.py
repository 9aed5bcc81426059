"""Roles and what each may do (CC-1, CC-2, CR-2h, LV-3): the permission table is the one
place, deny by default, and a director runs staffing from the pages, each change on record."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core import actions, roles
from bookwarden.core.demo import DEMO_PASSWORD
from bookwarden.core.models import Membership, User
from bookwarden.core.permissions import has_perm, has_perm_anywhere, require
from bookwarden.core.roles import (
    EXPIRING_ROLES,
    MFA_REQUIRED_ROLES,
    READ_ONLY_ROLES,
    ROLE_PERMISSIONS,
    Perm,
    Role,
    permissions_for,
)

from .helpers import audit_head, events_since, location_path, login_through_page

STRONG_PASSWORD = "quiet-harbor-violin-maple-77"


def _date(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _messages(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


# --- The table --------------------------------------------------------------------------


def test_every_role_is_in_the_table_with_known_permissions() -> None:
    """CC-2: each role of the policy has a row; the rows hold nothing but known perms."""
    assert set(ROLE_PERMISSIONS) == set(Role.values)
    for role, perms in ROLE_PERMISSIONS.items():
        assert perms <= set(Perm.values), role
        assert Perm.VIEW_LIBRARY in perms, role
    assert set(Role.values) >= MFA_REQUIRED_ROLES
    assert {Role.CONTRACTOR} == EXPIRING_ROLES


def test_only_the_director_runs_staffing_and_settings() -> None:
    """CC-2, CR-2h: the designee is custodian of records but does not run staffing."""
    for perm in (Perm.MANAGE_ROLES, Perm.MANAGE_SETTINGS):
        assert {r for r in Role.values if perm in permissions_for(r)} == {Role.DIRECTOR}
    assert {r for r in Role.values if Perm.VIEW_AUDIT in permissions_for(r)} == {
        Role.DIRECTOR,
        Role.DESIGNEE,
        Role.AUDITOR,
    }


def test_auditor_role_holds_no_write_permission() -> None:
    """CC-2: board members and auditors read; they never write."""
    assert Role.AUDITOR in READ_ONLY_ROLES
    writes = {Perm.MANAGE_ROLES, Perm.MANAGE_SETTINGS}
    for role in READ_ONLY_ROLES:
        assert not permissions_for(role) & writes


def test_unknown_roles_and_permissions_are_refused(people, new_madrid) -> None:
    """Deny by default: a permission or role the table does not name grants nothing."""
    director = people["director"]
    assert permissions_for("superuser") == frozenset()
    assert not has_perm(director, "delete_everything", new_madrid)
    assert not has_perm_anywhere(director, "delete_everything")
    with pytest.raises(Exception, match="may not"):
        require(director, "delete_everything", new_madrid)
    # Not even a Django superuser flag opens anything: only roles do.
    boss = User.objects.create_user("boss", password=STRONG_PASSWORD, is_superuser=True)
    assert not has_perm(boss, Perm.VIEW_LIBRARY, new_madrid)
    with pytest.raises(ValidationError):
        actions.assign_role(actor=None, user=boss, library=new_madrid, role="superuser")


def test_an_account_without_a_role_sees_404(people, new_madrid) -> None:
    """Deny by default: a person with an account and no role learns nothing."""
    nobody = User.objects.create_user("nobody", password=STRONG_PASSWORD)
    client = Client()
    client.force_login(nobody, backend="allauth.account.auth_backends.AuthenticationBackend")
    for url in (
        reverse("library_detail", args=[new_madrid.slug]),
        reverse("staff_list", args=[new_madrid.slug]),
        reverse("staff_detail", args=[new_madrid.slug, people["staff"].pk]),
        reverse("audit:list"),
        reverse("audit:detail", args=[AuditEvent.objects.first().pk]),  # type: ignore[union-attr]
    ):
        assert client.get(url).status_code == 404, url
    body = client.get(reverse("home")).content.decode()
    assert "New Madrid" not in body


def test_access_follows_the_table_and_nothing_else(monkeypatch, client_as, new_madrid) -> None:
    """The table in roles.py is the only place: change a row and the pages follow."""
    staff = client_as("staff")
    url = reverse("staff_list", args=[new_madrid.slug])
    assert staff.get(url).status_code == 403
    monkeypatch.setitem(
        roles.ROLE_PERMISSIONS, Role.STAFF, frozenset({Perm.VIEW_LIBRARY, Perm.VIEW_STAFF})
    )
    assert staff.get(url).status_code == 200
    monkeypatch.setitem(roles.ROLE_PERMISSIONS, Role.DIRECTOR, frozenset({Perm.VIEW_LIBRARY}))
    assert client_as("director").get(url).status_code == 403


# --- Assigning, changing and revoking from the pages -----------------------------------


def test_director_reauthenticates_with_the_password_then_adds_a_role(
    people, client_as, new_madrid
) -> None:
    """The role pages are sudo pages: the director confirms the password on allauth's
    reauthenticate page (an audit event), then the POST assigns the role (ROLE_ASSIGNED)."""
    client = client_as("director")
    staff = people["staff"]
    url = reverse("role_add", args=[new_madrid.slug, staff.pk])
    head = audit_head()

    response = client.post(url, {"role": Role.AUDITOR})
    assert location_path(response) == reverse("account_reauthenticate")
    assert not Membership.objects.filter(user=staff, role=Role.AUDITOR).exists()

    wrong = client.post(response["Location"], {"password": "not-my-password"})
    assert wrong.status_code == 200
    assert not Membership.objects.filter(user=staff, role=Role.AUDITOR).exists()
    # The right password: allauth replays the suspended POST, which assigns the role.
    response = client.post(response["Location"], {"password": DEMO_PASSWORD})
    assert location_path(response) == reverse("staff_detail", args=[new_madrid.slug, staff.pk])
    assert events_since(head, AuditAction.REAUTHENTICATED)
    membership = Membership.objects.get(user=staff, role=Role.AUDITOR, revoked_at=None)
    assert membership.granted_by == people["director"]
    (event,) = events_since(head, AuditAction.ROLE_ASSIGNED)
    assert event.actor == people["director"]
    assert event.library == new_madrid
    assert event.subject_user == staff
    assert event.target_id == str(membership.pk)
    assert event.before is None
    assert event.after["role"] == Role.AUDITOR
    assert event.after["user"] == staff.pk


def test_director_changes_a_role_end_date(people, sudo_as, new_madrid) -> None:
    """ROLE_CHANGED with before and after (CC-1: the contractor's access is extended)."""
    membership = Membership.objects.get(user=people["contractor"], library=new_madrid)
    old_end, new_end = membership.ends_on, _date(90)
    portageville = new_madrid.branches.get(slug="portageville")
    head = audit_head()
    response = sudo_as("director").post(
        reverse("membership_edit", args=[new_madrid.slug, membership.pk]),
        {"branch": portageville.pk, "ends_on": new_end.isoformat()},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.ends_on == new_end and membership.branch == portageville
    (event,) = events_since(head, AuditAction.ROLE_CHANGED)
    assert event.actor == people["director"]
    assert event.before == {"branch": None, "ends_on": old_end.isoformat()}
    assert event.after == {"branch": portageville.pk, "ends_on": new_end.isoformat()}


def test_director_revokes_a_role_and_the_person_loses_access(
    people, sudo_as, client_as, new_madrid
) -> None:
    """ROLE_REVOKED with the role as it was and the reason; the person's pages go 404."""
    volunteer = client_as("volunteer")
    library_url = reverse("library_detail", args=[new_madrid.slug])
    assert volunteer.get(library_url).status_code == 200
    membership = Membership.objects.get(user=people["volunteer"], library=new_madrid)
    head = audit_head()
    response = sudo_as("director").post(
        reverse("membership_revoke", args=[new_madrid.slug, membership.pk]),
        {"reason": "Volunteer term over"},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.revoked_at is not None and membership.revoked_by == people["director"]
    (event,) = events_since(head, AuditAction.ROLE_REVOKED)
    assert event.purpose == "Volunteer term over"
    assert event.before["role"] == Role.VOLUNTEER
    assert event.before["user"] == people["volunteer"].pk
    assert volunteer.get(library_url).status_code == 404
    assert "New Madrid" not in volunteer.get(reverse("home")).content.decode()
    # The account itself stays (LV-3: accounts are never deleted).
    assert User.objects.filter(pk=people["volunteer"].pk, is_active=True).exists()


def test_director_cannot_revoke_own_director_role(people, sudo_as, new_madrid) -> None:
    membership = Membership.objects.get(user=people["director"], library=new_madrid)
    head = audit_head()
    response = sudo_as("director").post(
        reverse("membership_revoke", args=[new_madrid.slug, membership.pk]), {"reason": "x"}
    )
    assert response.status_code == 302
    assert any("cannot revoke their own director role" in m for m in _messages(response))
    membership.refresh_from_db()
    assert membership.revoked_at is None
    assert not events_since(head, AuditAction.ROLE_REVOKED)


def test_a_role_cannot_be_held_twice(people, sudo_as, new_madrid) -> None:
    before = Membership.objects.count()
    response = sudo_as("director").post(
        reverse("role_add", args=[new_madrid.slug, people["staff"].pk]), {"role": Role.STAFF}
    )
    assert any("already holds that role" in m for m in _messages(response))
    assert Membership.objects.count() == before


# --- Contractors (CC-1) -------------------------------------------------------------------


def test_contractor_needs_an_end_date(people, sudo_as, new_madrid) -> None:
    """CC-1: a contractor without an end date is refused with the reason on the form; no
    account, no role, no audit event."""
    client = sudo_as("director")
    users, memberships, head = User.objects.count(), Membership.objects.count(), audit_head()
    response = client.post(
        reverse("staff_create", args=[new_madrid.slug]),
        {
            "first_name": "Carl",
            "last_name": "Contract",
            "username": "ccontract",
            "email": "carl@example.org",
            "role": Role.CONTRACTOR,
            "ends_on": "",
            "password": STRONG_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "needs an end date" in response.content.decode()
    response = client.post(
        reverse("role_add", args=[new_madrid.slug, people["staff"].pk]),
        {"role": Role.CONTRACTOR, "ends_on": ""},
    )
    assert any("needs an end date" in m for m in _messages(response))
    assert (User.objects.count(), Membership.objects.count()) == (users, memberships)
    assert not [e for e in events_since(head) if not e.action.startswith("auth.")]

    # The database refuses it too, whoever writes.
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=people["staff"], library=new_madrid, role=Role.CONTRACTOR, ends_on=None
        )


def test_an_end_date_in_the_past_is_refused(people, sudo_as, new_madrid) -> None:
    membership = Membership.objects.get(user=people["contractor"], library=new_madrid)
    old_end = membership.ends_on
    response = sudo_as("director").post(
        reverse("membership_edit", args=[new_madrid.slug, membership.pk]),
        {"ends_on": _date(-1).isoformat()},
    )
    assert response.status_code == 200
    assert "in the past" in response.content.decode()
    membership.refresh_from_db()
    assert membership.ends_on == old_end


def test_expired_contractor_loses_access(people, new_madrid) -> None:
    """CC-1: on the day after the end date the contractor's library pages are 404."""
    contractor = people["contractor"]
    ends_on = Membership.objects.get(user=contractor, library=new_madrid).ends_on
    assert ends_on is not None
    url = reverse("library_detail", args=[new_madrid.slug])

    def client_at(day: datetime.date) -> Client:
        client = Client()
        client.force_login(
            User.objects.get(pk=contractor.pk),
            backend="allauth.account.auth_backends.AuthenticationBackend",
        )
        return client

    noon = datetime.time(12, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(datetime.datetime.combine(ends_on, noon), tick=False):
        assert client_at(ends_on).get(url).status_code == 200  # the last day still works
    day_after = ends_on + datetime.timedelta(days=1)
    with time_machine.travel(datetime.datetime.combine(day_after, noon), tick=False):
        client = client_at(day_after)
        assert client.get(url).status_code == 404
        assert client.get(reverse("staff_list", args=[new_madrid.slug])).status_code == 404
        assert not Membership.objects.active().filter(user=contractor).exists()
        assert "New Madrid" not in client.get(reverse("home")).content.decode()


# --- Auditor: read only -------------------------------------------------------------------


def test_auditor_cannot_write_anything(people, sudo_as, new_madrid) -> None:
    """CC-2: even just reauthenticated, every write page refuses the auditor (403), and
    nothing changes; reading works."""
    client = sudo_as("auditor")
    slug = new_madrid.slug
    staff = people["staff"]
    membership = Membership.objects.get(user=staff, library=new_madrid)
    before = list(Membership.objects.order_by("pk").values())
    users = User.objects.count()
    for url, data in (
        (reverse("staff_create", args=[slug]), {"username": "x", "role": Role.STAFF}),
        (reverse("role_add", args=[slug, staff.pk]), {"role": Role.DIRECTOR}),
        (reverse("membership_edit", args=[slug, membership.pk]), {"ends_on": ""}),
        (reverse("membership_revoke", args=[slug, membership.pk]), {"reason": "x"}),
        (reverse("library_settings", args=[slug]), {"idle_timeout_minutes": "99"}),
    ):
        assert client.post(url, data).status_code == 403, url
    assert list(Membership.objects.order_by("pk").values()) == before
    assert User.objects.count() == users
    new_madrid.refresh_from_db()
    assert new_madrid.idle_timeout_minutes == 15
    assert client.get(reverse("staff_list", args=[slug])).status_code == 200
    assert client.get(reverse("audit:list")).status_code == 200
    # And the pages offer no write controls.
    body = client.get(reverse("staff_detail", args=[slug, staff.pk])).content.decode()
    assert reverse("role_add", args=[slug, staff.pk]) not in body
    assert reverse("membership_edit", args=[slug, membership.pk]) not in body


# --- Creating staff accounts (LV-3) -------------------------------------------------------


def _new_staff(**extra: str) -> dict[str, str]:
    return {
        "first_name": "Nora",
        "last_name": "Newhire",
        "username": "nnewhire",
        "email": "nora@new-madrid.example.org",
        "role": Role.STAFF,
        "branch": "",
        "ends_on": "",
        "password": "",
        **extra,
    }


def test_create_staff_with_an_initial_password(people, sudo_as, new_madrid) -> None:
    """LV-3: the person's own account, with their first role; they can log in with it."""
    head = audit_head()
    response = sudo_as("director").post(
        reverse("staff_create", args=[new_madrid.slug]), _new_staff(password=STRONG_PASSWORD)
    )
    user = User.objects.get(username="nnewhire")
    assert location_path(response) == reverse("staff_detail", args=[new_madrid.slug, user.pk])
    assert user.check_password(STRONG_PASSWORD)
    assert user.roles_in(new_madrid) == {Role.STAFF}
    assert [e.action for e in events_since(head) if not e.action.startswith("auth.")] == [
        AuditAction.STAFF_CREATED,
        AuditAction.ROLE_ASSIGNED,
    ]
    created = events_since(head, AuditAction.STAFF_CREATED)[0]
    assert created.actor == people["director"] and created.library == new_madrid
    assert STRONG_PASSWORD not in str(created.after)
    assert not mail.outbox

    newcomer = Client()
    assert location_path(login_through_page(newcomer, "nnewhire", STRONG_PASSWORD)) == "/"
    assert newcomer.get(reverse("library_detail", args=[new_madrid.slug])).status_code == 200


def test_create_staff_with_a_weak_password_is_refused(sudo_as, new_madrid) -> None:
    response = sudo_as("director").post(
        reverse("staff_create", args=[new_madrid.slug]), _new_staff(password="password1234")
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="nnewhire").exists()
