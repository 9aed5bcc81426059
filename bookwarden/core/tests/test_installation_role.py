"""Issue 9: the installation role, held by the person who runs the server (CC-2, CC-7).

It is granted and revoked from the command line only (``bookwarden setup
installation-admin`` / ``revoke-installation-admin``), each on record; nobody in a library
may grant it; it is denied by default; it needs a second factor; and it grants nothing
inside any library: no patron, no record, no library page."""

from __future__ import annotations

import io

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core import actions
from bookwarden.core.models import Library, User
from bookwarden.core.permissions import has_installation_perm, has_perm
from bookwarden.core.roles import (
    INSTALLATION_ONLY,
    INSTALLATION_ROLE_PERMISSIONS,
    ROLE_PERMISSIONS,
    InstallationRole,
    Perm,
)
from bookwarden.patrons.models import Patron
from bookwarden.patrons.record_access import Purpose, open_records

from .helpers import _a_patron_of, audit_head, events_since, location_path

ADMIN = InstallationRole.ADMINISTRATOR


def _setup(*args: str) -> str:
    out = io.StringIO()
    call_command("setup", *args, stdout=out)
    return out.getvalue()


# --- The table: deny by default -------------------------------------------------------------


def test_no_library_role_holds_what_only_the_installation_role_grants() -> None:
    """Running the jobs of every library is nobody's at one library, directors included."""
    assert Perm.RUN_JOBS in INSTALLATION_ONLY
    for role, perms in ROLE_PERMISSIONS.items():
        assert not perms & INSTALLATION_ONLY, role
    assert set(INSTALLATION_ROLE_PERMISSIONS) == set(InstallationRole.values)
    # The installation's own work only: nothing about libraries, patrons or records.
    assert INSTALLATION_ROLE_PERMISSIONS[ADMIN] == {
        Perm.VIEW_JOBS,
        Perm.RUN_JOBS,
        Perm.RESEND_MAIL,
    }


def test_nobody_but_the_server_admin_holds_it(people) -> None:
    for key, user in people.items():
        holds = key == "server_admin"
        assert (user.installation_role == ADMIN) is holds, key
        for perm in Perm.values:
            assert has_installation_perm(user, perm) is (
                holds and perm in INSTALLATION_ROLE_PERMISSIONS[ADMIN]
            ), (key, perm)
    with pytest.raises(Exception, match="user_installation_role_known"):
        User.objects.filter(pk=people["staff"].pk).update(installation_role="superuser")


# --- Granted and revoked from the command line only, on record -------------------------------


def test_setup_creates_the_account_with_the_role_and_records_it(db) -> None:
    head = audit_head()
    out = _setup(
        "installation-admin",
        "--username",
        "ops",
        "--email",
        "ops@example.org",
        "--first-name",
        "Olive",
        "--last-name",
        "Ops",
        "--no-password",
        "--reason",
        "Runs the new server",
    )
    assert "ops is now Installation administrator" in out
    user = User.objects.get(username="ops")
    assert user.installation_role == ADMIN
    assert not user.memberships.exists()
    assert not user.has_usable_password()
    created, granted = events_since(head)
    assert (created.action, created.library_id) == (AuditAction.STAFF_CREATED, None)
    assert granted.action == AuditAction.INSTALLATION_ROLE_GRANTED
    assert (granted.actor_id, granted.subject_user_id) == (None, user.pk)
    assert granted.purpose == "Runs the new server"
    assert granted.after == {"installation_role": ADMIN}
    assert granted.request_id.startswith("cli-setup-")


def test_setup_grants_it_to_an_existing_account_and_revokes_it(people, client_as) -> None:
    director = people["director"]
    head = audit_head()
    _setup("installation-admin", "--username", director.username)
    director.refresh_from_db()
    assert director.installation_role == ADMIN
    assert has_perm(director, Perm.VIEW_STAFF, Library.objects.get(slug="new-madrid"))
    assert 'name="job" value="retention"' in client_as("director").get("/jobs/").content.decode()
    with pytest.raises(CommandError, match="already holds"):
        _setup("installation-admin", "--username", director.username)

    out = _setup(
        "revoke-installation-admin", "--username", director.username, "--reason", "Moved on"
    )
    assert "no longer holds" in out
    director.refresh_from_db()
    assert director.installation_role == ""
    # At once: her next request runs nothing; her library role stays.
    assert client_as("director").post("/jobs/run/", {"job": "retention"}).status_code == 403
    assert client_as("director").get("/libraries/new-madrid/").status_code == 200
    granted, revoked = [e for e in events_since(head) if e.action.startswith("installation.")]
    assert granted.action == AuditAction.INSTALLATION_ROLE_GRANTED
    assert revoked.action == AuditAction.INSTALLATION_ROLE_REVOKED
    assert (revoked.actor_id, revoked.purpose) == (None, "Moved on")
    assert revoked.before == {"installation_role": ADMIN}
    with pytest.raises(CommandError, match="holds no installation role"):
        _setup("revoke-installation-admin", "--username", director.username)


def test_setup_refuses_a_new_account_without_an_address_and_an_unknown_one(db) -> None:
    with pytest.raises(CommandError, match="give --email"):
        _setup("installation-admin", "--username", "nobody", "--no-password")
    with pytest.raises(CommandError, match="No account"):
        _setup("revoke-installation-admin", "--username", "nobody")
    assert not User.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("who", ["director", "outsider", "server_admin"])
def test_nobody_grants_or_revokes_it_from_a_session(people, who) -> None:
    """Not a library's director, not even the installation role itself: the console only."""
    head = audit_head()
    with pytest.raises(PermissionDenied):
        actions.grant_installation_role(actor=people[who], user=people["staff"])
    with pytest.raises(PermissionDenied):
        actions.revoke_installation_role(actor=people[who], user=people["server_admin"])
    with pytest.raises(PermissionDenied):
        actions.create_installation_account(
            actor=people[who], username="x", email="x@example.org", password=None
        )
    assert events_since(head) == []
    people["staff"].refresh_from_db()
    people["server_admin"].refresh_from_db()
    assert people["staff"].installation_role == ""
    assert people["server_admin"].installation_role == ADMIN
    assert not User.objects.filter(username="x").exists()


# --- A second factor, like the other powerful roles (CC-7) -----------------------------------


def test_the_installation_role_must_set_up_a_second_factor(people, client_as) -> None:
    Authenticator.objects.filter(user=people["server_admin"]).delete()
    client = client_as("server_admin")
    response = client.get("/jobs/")
    assert location_path(response) == reverse("mfa_required")
    page = client.get(reverse("mfa_required")).content.decode()
    assert "Installation administrator (runs the server)" in page


# --- Nothing inside any library ------------------------------------------------------------


def test_it_grants_nothing_at_any_library(people) -> None:
    admin = people["server_admin"]
    assert admin.library_ids() == []
    for library in Library.objects.all():
        for perm in Perm.values:
            assert not has_perm(admin, perm, library), (library, perm)


def test_it_opens_no_patron_records_and_no_library_page(people, client_as) -> None:
    new_madrid = Library.objects.get(slug="new-madrid")
    patron = Patron.objects.get(pk=_a_patron_of(new_madrid))
    head = audit_head()
    with pytest.raises(PermissionDenied):
        open_records(actor=people["server_admin"], patron=patron, purpose=Purpose.OVERDUE_RECOVERY)
    [refusal] = events_since(head)
    assert refusal.action == AuditAction.RECORDS_REFUSED

    client = client_as("server_admin")
    for url in (
        reverse("library_detail", args=["new-madrid"]),
        reverse("staff_list", args=["cresco"]),
        reverse("patron_detail", args=[patron.pk]),
        reverse("patron_search"),
        reverse("audit:list"),
        reverse("operations:list"),
    ):
        assert client.get(url).status_code == 404, url
    head = audit_head()
    response = client.post(
        reverse("patron_records", args=[patron.pk]),
        {"purpose": Purpose.OVERDUE_RECOVERY},
    )
    assert response.status_code == 404
    assert not any(e.action == AuditAction.RECORDS_OPENED for e in events_since(head))
    html = client.get("/").content.decode()
    assert "New Madrid" not in html and "Cresco" not in html
