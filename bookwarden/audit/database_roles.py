"""The PostgreSQL rights of the role the application connects as (LV-3, CC-9).

In the documented production set-up (docs/deployment-database.md) an owner role owns the
tables and runs ``bookwarden migrate``; the app and the job loop connect as another role,
which may read and write every table except the audit log, where it may only read and
append.  So neither a fault in the app nor someone holding its password can change, delete
or empty the log: the database refuses them, whatever the triggers.

``bookwarden audit grants --app-role NAME`` prints these statements, the owner runs them
after every ``migrate``, and a test runs the same statements against a fresh role.
"""

from __future__ import annotations

import re

from .models import AuditEvent

_ROLE_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def app_role_grants(role: str) -> list[str]:
    """The statements, in order, that give ``role`` exactly the app's rights.  Run them in
    one transaction: the audit table never holds more than SELECT and INSERT for the role."""
    if not _ROLE_RE.match(role):
        raise ValueError(
            f"Role name {role!r}: use lowercase letters, digits and '_' (up to 63), "
            "starting with a letter or '_'."
        )
    table = AuditEvent._meta.db_table
    return [
        f"GRANT USAGE ON SCHEMA public TO {role};",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role};",
        # Temporary tables (the import's keys, the breach listing's groups): the database
        # was made with no rights for everyone (docs/deployment-database.md).
        "DO $$ BEGIN EXECUTE format("
        f"'GRANT TEMPORARY ON DATABASE %I TO {role}', current_database()); END $$;",
        f"REVOKE ALL ON {table} FROM {role};",
        f"GRANT SELECT, INSERT ON {table} TO {role};",
    ]


def app_role_script(role: str) -> str:
    """The statements as one script for ``psql`` (one transaction)."""
    return "\n".join(["BEGIN;", *app_role_grants(role), "COMMIT;"]) + "\n"
