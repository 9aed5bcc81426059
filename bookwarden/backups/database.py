"""The database side of a backup: a consistent snapshot, a scratch database to restore it
into, and the copy of a checked scratch database into an empty one.

SQLite
    The snapshot is taken with SQLite's online backup API (``sqlite3.Connection.backup``, in
    one step, so one read transaction: writers go on in WAL mode).  The scratch database is
    the decrypted file itself, in the private work folder.

PostgreSQL
    A separate connection opens a ``REPEATABLE READ, READ ONLY`` transaction and exports its
    snapshot; ``pg_dump --format=custom --snapshot=...`` dumps exactly that snapshot while
    the same transaction counts the rows, reads the migrations and the audit log's head, so
    the manifest describes the dump and nothing later.  The scratch database is a new
    database named after the configured one (``<name>_scratch_<random>``), created with
    ``CREATE DATABASE`` and dropped (``WITH (FORCE)``) when the check is over: the role that
    runs ``backup verify`` needs the CREATEDB right.  ``pg_restore`` runs with
    ``--no-owner --no-acl``: the restored objects belong to the role that restores, and the
    app role's rights are given again with ``bookwarden audit grants`` (docs/backups.md).

Connection settings are those of Django's DATABASES; the password reaches ``pg_dump`` and
``pg_restore`` through their environment (``PGPASSWORD``), never their command line.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, connections
from django.db.utils import load_backend

from .container import BLOCK, DATABASE_PART, ContainerWriter
from .crypto import BackupRefused

SQLITE, POSTGRESQL = "sqlite", "postgresql"
_ENGINES = {"django.db.backends.sqlite3": SQLITE, "django.db.backends.postgresql": POSTGRESQL}
#: Tables that ``migrate`` fills on a new, empty installation.
FILLED_BY_MIGRATE = frozenset({"django_migrations", "django_content_type", "auth_permission"})
_AUDIT_HEAD_SQL = "SELECT seq, hash FROM audit_auditevent ORDER BY seq DESC LIMIT 1"
_MIGRATIONS_SQL = "SELECT app, name FROM django_migrations ORDER BY app, name"
_LIBPQ_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


@dataclass
class Facts:
    """What the manifest says of the database, and what a restore is checked against."""

    migrations: list[list[str]]
    tables: dict[str, int]
    audit_head: dict[str, Any]
    server_version: str = ""


def engine_of(settings_dict: dict[str, Any]) -> str:
    engine = _ENGINES.get(settings_dict["ENGINE"])
    if engine is None:
        raise BackupRefused(
            f"Backups support SQLite and PostgreSQL, not {settings_dict['ENGINE']}."
        )
    return engine


def live_settings() -> dict[str, Any]:
    return dict(connections["default"].settings_dict)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _read_facts(cursor: Any, tables: list[str]) -> Facts:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 (a quoted name)
        counts[table] = int(cursor.fetchone()[0])
    migrations: list[list[str]] = []
    if "django_migrations" in counts:
        cursor.execute(_MIGRATIONS_SQL)
        migrations = [[str(app), str(name)] for app, name in cursor.fetchall()]
    head: dict[str, Any] = {"seq": 0, "hash": None}
    if "audit_auditevent" in counts:
        cursor.execute(_AUDIT_HEAD_SQL)
        row = cursor.fetchone()
        if row:
            head = {"seq": int(row[0]), "hash": str(row[1])}
    return Facts(migrations, counts, head)


def facts_of_current_database() -> Facts:
    """The facts of the database Django's ``default`` connection points at now."""
    with connection.cursor() as cursor:
        return _read_facts(cursor, connection.introspection.table_names(cursor))


# -- Pointing Django at another database for a while -----------------------------------------


def scratch_settings(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    settings_dict = {**base, **changes}
    settings_dict.pop("TEST", None)
    return connections.configure_settings({"default": settings_dict})["default"]


def sqlite_settings(path: Path) -> dict[str, Any]:
    return scratch_settings(
        {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path), "OPTIONS": {"timeout": 20}}
    )


@contextlib.contextmanager
def use_database(settings_dict: dict[str, Any]) -> Iterator[None]:
    """Django's ``default`` connection (this thread's) points at ``settings_dict`` inside the
    block: the ORM, ``call_command`` and the audit log work on that database."""
    original = connections["default"]
    backend = load_backend(settings_dict["ENGINE"])
    wrapper = backend.DatabaseWrapper(settings_dict, "default")
    connections["default"] = wrapper
    try:
        yield
    finally:
        wrapper.close()
        connections["default"] = original


def non_empty_tables(settings_dict: dict[str, Any]) -> list[str]:
    """The tables of that database that hold rows, beyond what ``migrate`` puts in a new one."""
    with use_database(settings_dict), connection.cursor() as cursor:
        found = []
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in FILLED_BY_MIGRATE:
                continue
            cursor.execute(f"SELECT 1 FROM {_quote(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone():
                found.append(table)
        return found


# -- Taking the snapshot -------------------------------------------------------------------


def dump_database(writer: ContainerWriter, work: Path) -> tuple[str, Facts]:
    """Write the live database into ``writer`` as the part ``database``; its engine and facts."""
    settings_dict = live_settings()
    engine = engine_of(settings_dict)
    if engine == SQLITE:
        return engine, _dump_sqlite(writer, work)
    return engine, _dump_postgresql(writer, settings_dict)


def _dump_sqlite(writer: ContainerWriter, work: Path) -> Facts:
    snapshot = work / "snapshot.sqlite3"
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(snapshot)) as copy:
        connection.connection.backup(copy)  # one step: one consistent read
        cursor = copy.cursor()
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        facts = _read_facts(cursor, [row[0] for row in cursor.fetchall()])
        facts.server_version = sqlite3.sqlite_version
    writer.add_file(DATABASE_PART, "database", snapshot)
    snapshot.unlink()
    return facts


def _libpq_env(settings_dict: dict[str, Any], dbname: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    values = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": dbname or settings_dict.get("NAME"),
    }
    for option, variable in _LIBPQ_ENV.items():
        values[variable] = (settings_dict.get("OPTIONS") or {}).get(option)
    env.update({k: str(v) for k, v in values.items() if v not in (None, "")})
    return env


def _psycopg_connect(settings_dict: dict[str, Any], dbname: str | None = None) -> Any:
    import psycopg

    params: dict[str, Any] = {
        "dbname": dbname or settings_dict["NAME"],
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
    }
    options = settings_dict.get("OPTIONS") or {}
    params.update({k: v for k, v in options.items() if k in _LIBPQ_ENV})
    return psycopg.connect(**{k: v for k, v in params.items() if v is not None})


def _program(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupRefused(
            f"{name} is not installed: backups of PostgreSQL need the PostgreSQL client "
            "programs (Debian: apt install postgresql-client)."
        )
    return found


def _failed(what: str, stderr: bytes) -> BackupRefused:
    lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    detail = lines[-1].strip() if lines else "no message"
    return BackupRefused(f"{what} failed: {detail}")


def _dump_postgresql(writer: ContainerWriter, settings_dict: dict[str, Any]) -> Facts:
    import psycopg

    with contextlib.closing(_psycopg_connect(settings_dict)) as snap:
        snap.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        snap.read_only = True
        cursor = snap.cursor()
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot_id, server_version = cursor.fetchone()
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        facts = _read_facts(cursor, [row[0] for row in cursor.fetchall()])
        facts.server_version = str(server_version)
        command = [_program("pg_dump"), "--format=custom", f"--snapshot={snapshot_id}"]
        _stream_command(command, _libpq_env(settings_dict), "pg_dump", writer)
        snap.rollback()
    return facts


def _stream_command(
    command: list[str], env: dict[str, str], what: str, writer: ContainerWriter
) -> None:
    with subprocess.Popen(  # noqa: S603 (a fixed program, no shell)
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        stdout = process.stdout
        with _drain(process.stderr) as errors:
            blocks = iter(lambda: stdout.read(BLOCK), b"")
            writer.add(DATABASE_PART, "database", blocks, compress=False)
        process.wait()
        if process.returncode != 0:
            raise _failed(what, errors())


@contextlib.contextmanager
def _drain(stream: Any) -> Iterator[Callable[[], bytes]]:
    """Read a child's stderr in a thread (so that a full pipe never stalls it)."""
    import threading

    chunks: list[bytes] = []
    thread = threading.Thread(target=lambda: chunks.append(stream.read()), daemon=True)
    thread.start()
    try:
        yield lambda: b"".join(chunks)[-4000:]
    finally:
        thread.join()


# -- Scratch databases ---------------------------------------------------------------------


@contextlib.contextmanager
def scratch_database(engine: str, dump: Path) -> Iterator[dict[str, Any]]:
    """The extracted dump restored into a scratch database, and its settings; the scratch
    database is dropped (PostgreSQL) when the block ends, whatever happened."""
    if engine == SQLITE:
        yield sqlite_settings(dump)
        return
    live = live_settings()
    if engine_of(live) != POSTGRESQL:
        raise BackupRefused(
            "This is a backup of a PostgreSQL database: it can be checked or restored only "
            "on an installation that uses PostgreSQL."
        )
    name = f"{str(live['NAME'])[:40]}_scratch_{secrets.token_hex(4)}"
    create_database(live, name)
    try:
        _pg_restore(live, name, [str(dump)], what="pg_restore into the scratch database")
        yield scratch_settings(live, NAME=name)
    finally:
        drop_database(live, name)


def create_database(live: dict[str, Any], name: str) -> None:
    from psycopg import sql

    with contextlib.closing(_psycopg_connect(live)) as admin:
        admin.autocommit = True
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))


def drop_database(live: dict[str, Any], name: str) -> None:
    from psycopg import sql

    with contextlib.closing(_psycopg_connect(live)) as admin:
        admin.autocommit = True
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _pg_restore(
    settings_dict: dict[str, Any],
    dbname: str,
    args: list[str],
    *,
    what: str,
    stdin: Any = None,
) -> None:
    command = [
        _program("pg_restore"),
        f"--dbname={dbname}",
        "--no-owner",
        "--no-acl",
        "--exit-on-error",
        "--single-transaction",
        *args,
    ]
    result = subprocess.run(  # noqa: S603 (a fixed program, no shell)
        command,
        stdin=stdin,
        capture_output=True,
        env=_libpq_env(settings_dict, dbname),
        check=False,
    )
    if result.returncode != 0:
        raise _failed(what, result.stderr)


def copy_database(engine: str, source: dict[str, Any], target: dict[str, Any]) -> None:
    """Replace the (empty) ``target`` database with ``source``, whole."""
    if engine == SQLITE:
        with (
            contextlib.closing(sqlite3.connect(source["NAME"])) as src,
            contextlib.closing(sqlite3.connect(target["NAME"], timeout=20)) as dst,
        ):
            src.backup(dst)
        return
    with subprocess.Popen(  # noqa: S603 (a fixed program, no shell)
        [_program("pg_dump"), "--format=custom"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_libpq_env(source, source["NAME"]),
    ) as dump:
        with _drain(dump.stderr) as errors:
            _pg_restore(
                target,
                target["NAME"],
                ["--clean", "--if-exists"],
                what="pg_restore into the database",
                stdin=dump.stdout,
            )
        dump.wait()
        if dump.returncode != 0:
            raise _failed("pg_dump of the checked copy", errors())
