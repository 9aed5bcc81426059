"""The demo (``bookwarden demo``): a consortium with a Missouri library of three branches and
an Iowa library of one, a named person for every role (CC-2), loaded once, on record."""

from __future__ import annotations

import io
import json
import os
import sys
import time

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.demo import DEMO_PASSWORD, PERSONAS, build_demo, logins_text
from bookwarden.core.models import Branch, Consortium, Library, Membership, User
from bookwarden.core.roles import MFA_REQUIRED_ROLES, InstallationRole, Role
from bookwarden.core.second_factor import needs_mfa


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count() for m in (Consortium, Library, Branch, User, Membership, Authenticator)
    )


def test_demo_libraries_and_branches(people) -> None:
    """CC-6: one consortium, two member libraries under different state laws."""
    consortium = Consortium.objects.get()
    missouri = Library.objects.get(jurisdiction="US-MO")
    iowa = Library.objects.get(jurisdiction="US-IA")
    assert {missouri.consortium, iowa.consortium} == {consortium}
    assert missouri.branches.count() == 3
    assert iowa.branches.count() == 1
    assert Library.objects.count() == 2
    for library in (missouri, iowa):
        library.full_clean()


def test_demo_has_a_person_for_every_role(people) -> None:
    """CC-2: every role of the policy has a named person, each with an own account (LV-3)
    who can log in with the demo password."""
    missouri = Library.objects.get(jurisdiction="US-MO")
    roles_at_missouri = set(
        Membership.objects.active().filter(library=missouri).values_list("role", flat=True)
    )
    assert roles_at_missouri == set(Role.values)
    assert len(people) == len(PERSONAS) == User.objects.count()
    for persona in PERSONAS:
        user = people[persona.key]
        assert user.check_password(DEMO_PASSWORD), persona.key
        # One library role each, but the server's administrator: the installation role only.
        assert len(user.active_memberships()) == (0 if persona.library is None else 1)
        assert user.installation_role == ("" if persona.library else persona.role)
    assert "outsider" in people and "outsider_staff" in people
    assert not people["outsider"].roles_in(missouri)
    assert {p.role for p in PERSONAS if p.library is None} == set(InstallationRole.values)


def test_demo_contractor_access_expires(people) -> None:
    """CC-1: the contractor's access has an end date; nobody else's does."""
    for membership in Membership.objects.all():
        if membership.role == Role.CONTRACTOR:
            assert membership.ends_on is not None
        else:
            assert membership.ends_on is None, membership


def test_demo_mfa_roles_have_totp(people) -> None:
    for key, user in people.items():
        has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        assert has_totp == needs_mfa(user), key
    assert needs_mfa(people["server_admin"])
    assert {key for key, user in people.items() if user.all_roles() & MFA_REQUIRED_ROLES} == {
        key for key, user in people.items() if needs_mfa(user)
    } - {"server_admin"}


def test_demo_command_loads_once_and_the_log_verifies(db) -> None:
    """Loading twice changes nothing: the second run says the demo is already there.
    The audit chain of everything the demo wrote verifies."""
    first = _run("demo")
    assert "Demo loaded" in first
    for persona in PERSONAS:
        assert persona.username in first
    counts = _counts()
    events = AuditEvent.objects.count()
    assert AuditEvent.objects.filter(action=AuditAction.DEMO_LOADED).count() == 1

    second = _run("demo")
    assert "already loaded" in second
    assert _counts() == counts
    assert AuditEvent.objects.count() == events

    result = json.loads(_run("audit", "verify"))
    assert result["ok"] is True


def test_demo_is_refused_in_production(db, settings) -> None:
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        _run("demo")
    with pytest.raises(ImproperlyConfigured):
        build_demo()
    assert not Consortium.objects.exists()


def test_logins_text_names_everyone() -> None:
    text = logins_text()
    assert DEMO_PASSWORD in text
    for persona in PERSONAS:
        assert persona.username in text


def test_the_demo_prints_the_addresses_it_serves(people) -> None:
    """``make demo HOST=...``: the printed links name that address, never another port."""
    from io import StringIO

    from django.core.management import call_command

    from bookwarden.core.demo import site_address

    assert site_address("127.0.0.1:8000") == "http://127.0.0.1:8000"
    assert site_address("0.0.0.0:8106") == "http://127.0.0.1:8106"
    assert site_address("8106") == "http://127.0.0.1:8106"
    out = StringIO()
    call_command("demo", address="0.0.0.0:8106", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8106/portal/" in text
    assert "http://127.0.0.1:8106/accounts/login/" in text
    assert ":8000" not in text
    assert "bookwarden jobs run" in text


def test_serving_the_demo_runs_the_job_loop_beside_the_server(tmp_path) -> None:
    """``bookwarden demo --serve``: the web server and the job loop run as two real child
    processes; when the server stops (Ctrl-C stops both) the job loop is stopped too, and
    the job loop gets the environment that sends the demo's mail to files."""
    from bookwarden.core.management.commands.demo import run_side_by_side

    seen = tmp_path / "job-loop-env"
    job_loop = (
        "import os, pathlib, time;"
        f"pathlib.Path({str(seen)!r}).write_text(os.environ['BOOKWARDEN_MAIL_DIR']);"
        "time.sleep(60)"
    )
    server = "import time; time.sleep(1.5)"  # a server that stops by itself
    started = time.monotonic()
    run_side_by_side(
        server=[sys.executable, "-c", server],
        jobs=[sys.executable, "-c", job_loop],
        jobs_env={**os.environ, "BOOKWARDEN_MAIL_DIR": str(tmp_path / "mail")},
    )
    assert time.monotonic() - started < 30  # the job loop did not outlive the server
    assert seen.read_text() == str(tmp_path / "mail")


def test_a_job_loop_that_fails_stops_the_demo_server_with_a_clear_error() -> None:
    from bookwarden.core.management.commands.demo import run_side_by_side

    with pytest.raises(CommandError, match="The job loop stopped"):
        run_side_by_side(
            server=[sys.executable, "-c", "import time; time.sleep(60)"],
            jobs=[sys.executable, "-c", "raise SystemExit(3)"],
            jobs_env=dict(os.environ),
        )
