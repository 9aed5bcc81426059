"""On PostgreSQL the app connects as a role that may only read and append the audit log;
the owner runs the migrations (issue 9; LV-3, CC-9; docs/deployment-database.md).

The test creates such a role with the documented statements, connects Django as it, and
shows that the database itself refuses UPDATE, DELETE and TRUNCATE of the audit table
while ``record()`` appends as usual and the other tables take the app's normal work."""

from __future__ import annotations

import contextlib
import io
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction

from bookwarden.audit.actions import record
from bookwarden.audit.database_roles import app_role_grants, app_role_script
from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.audit.verify import verify_chain
from bookwarden.patrons.importer.seen import GuardianLinks

from .conftest import TABLE

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database roles are PostgreSQL's"
)
DOCS = Path(settings.BASE_DIR) / "docs" / "deployment-database.md"
INIT = Path(settings.BASE_DIR) / "deploy" / "postgres-init.sh"
#: The database's rights, set once when it is created (docs/deployment-database.md): none
#: for everyone, CONNECT for the app; the grants give it TEMPORARY.
ONCE = (
    "REVOKE ALL ON DATABASE {database} FROM PUBLIC;",
    "GRANT CONNECT ON DATABASE {database} TO {role};",
)


@contextlib.contextmanager
def connected_as(role: str, password: str) -> Iterator[Any]:
    """Django's default connection, for the block, logged in as ``role``."""
    owner = connections["default"]
    app = type(owner)({**owner.settings_dict, "USER": role, "PASSWORD": password}, "default")
    connections["default"] = app
    try:
        yield app
    finally:
        app.close()
        connections["default"] = owner


@contextlib.contextmanager
def app_role() -> Iterator[tuple[str, str]]:
    """A throwaway login role with exactly the documented rights (roles belong to the
    whole server, so it is committed, and dropped afterwards)."""
    role = f"bw_test_app_{secrets.token_hex(4)}"
    password = secrets.token_hex(16)
    database = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
        for statement in ONCE:
            cursor.execute(statement.format(database=database, role=role))
        with transaction.atomic():
            for statement in app_role_grants(role):
                cursor.execute(statement)
    try:
        yield role, password
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")
            cursor.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO PUBLIC")


@on_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_app_role_may_read_and_append_the_audit_log_and_nothing_more() -> None:
    first = record(AuditAction.DEMO_LOADED, purpose="as the owner")
    with app_role() as (role, password), connected_as(role, password) as app:
        with app.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone() == (role,)

        appended = record(AuditAction.AUDIT_VIEWED, purpose="as the app")
        assert appended.seq == first.seq + 1
        assert verify_chain().ok  # and it may read the log (audit verify)

        for statement in (
            f"UPDATE {TABLE} SET purpose = 'rewritten'",
            f"DELETE FROM {TABLE} WHERE seq = {appended.seq}",
            f"TRUNCATE {TABLE}",
        ):
            with (
                pytest.raises(DatabaseError, match=f"permission denied for table {TABLE}"),
                transaction.atomic(),
                app.cursor() as cursor,
            ):
                cursor.execute(statement)

        # Temporary tables, as the import and the breach listing make them.
        with transaction.atomic():
            links = GuardianLinks()
            links.add([(2, "ward-1", "guardian-1", True)])
            assert [list(chunk) for chunk in links.chunks(10)] == [
                [(2, "ward-1", "guardian-1", True)]
            ]
            links.drop()

        # The normal rights on the other tables: a session is written, changed, deleted.
        session = SessionStore()
        session["n"] = 1
        session.create()
        session["n"] = 2
        session.save()
        session.delete()
        assert not SessionStore().exists(session.session_key)

    stored = list(AuditEvent.objects.order_by("seq").values_list("seq", "purpose"))
    assert stored == [(first.seq, "as the owner"), (appended.seq, "as the app")]
    assert verify_chain().ok


def test_the_documented_statements_are_the_tested_ones() -> None:
    """docs/deployment-database.md shows exactly what ``audit grants`` prints, and the
    test above runs the same statements."""
    out = io.StringIO()
    call_command("audit", "grants", "--app-role", "bookwarden_app", stdout=out)
    assert out.getvalue() == app_role_script("bookwarden_app")
    assert out.getvalue() in DOCS.read_text(encoding="utf-8")
    assert out.getvalue().splitlines()[-2] == f"GRANT SELECT, INSERT ON {TABLE} TO bookwarden_app;"
    for statement in ONCE:
        once = statement.format(database="bookwarden", role="bookwarden_app")
        assert once in DOCS.read_text(encoding="utf-8")
        assert once in INIT.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["App", "bookwarden app", "x; DROP TABLE y", ""])
def test_a_role_name_that_is_not_a_plain_name_is_refused(name: str) -> None:
    with pytest.raises(CommandError, match="Role name"):
        call_command("audit", "grants", "--app-role", name, stdout=io.StringIO())
