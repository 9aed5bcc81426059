"""Shared test fixtures: the named people of the demo (DESIGN: test personas)."""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client, override_settings

from bookwarden.core.demo import build_demo
from bookwarden.core.models import User
from bookwarden.core.tests.snapshots import FAST_HASHERS, Snapshot, thaw

#: The database reset after a test that commits (``transactional_db``, the browser tests)
#: truncates every table; on PostgreSQL the audit table refuses TRUNCATE unless the session
#: says so first (audit migration 0007).  A test of that refusal turns it off again.
ALLOW_AUDIT_TRUNCATE = "SET bookwarden.allow_audit_truncate = 'on'"
_anchor_folders = itertools.count(1)


def _allow_audit_truncate(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(ALLOW_AUDIT_TRUNCATE)


def pytest_configure(config: pytest.Config) -> None:
    from django.db.backends.signals import connection_created

    connection_created.connect(_allow_audit_truncate, dispatch_uid="bookwarden-audit-truncate")


@pytest.fixture(autouse=True)
def _audit_anchor_folder_of_the_test(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Each test gets its own, empty folder of audit anchors: a test that runs the job loop
    writes one, which must not reach another test's ``audit verify`` (nor ``data/``)."""
    from django.conf import settings

    folder = tmp_path_factory.getbasetemp() / "audit-anchors" / str(next(_anchor_folders))
    saved = settings.AUDIT_ANCHOR_DIR
    settings.AUDIT_ANCHOR_DIR = str(folder)
    try:
        yield
    finally:
        settings.AUDIT_ANCHOR_DIR = saved


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # Argon2 is the configured hasher (a test checks it); tests hash many demo passwords.
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="session", autouse=True)
def _session_settings(tmp_path_factory) -> Iterator[Path]:
    """Uploads of the whole session go to a temporary folder, never into ``data/``: files
    stored while building a snapshot must outlast the test that built it.

    WhiteNoise looks up static files when asked (autorefresh) instead of indexing all of
    them each time a test client loads the middleware: the tests' pages never ask it for
    one, and the index cost ten milliseconds per client."""
    root = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=root, WHITENOISE_AUTOREFRESH=True):
        yield root


@pytest.fixture(scope="session")
def people_snapshot(django_db_setup, django_db_blocker) -> Snapshot:
    """The personas, built once per test process (bookwarden/core/tests/snapshots.py)."""
    with django_db_blocker.unblock():
        return Snapshot.build(build_demo)


@pytest.fixture
def people(db, people_snapshot) -> dict[str, User]:
    """Everyone of the demo, by key: director, designee, assistant_director,
    tech_coordinator, it_staff, human_resources, staff, volunteer, contractor, auditor,
    outsider (Cresco's director), outsider_staff.  Built through the actions, as by
    ``build_demo()``, once per session; each test gets the same rows afresh."""
    return people_snapshot.restore()


@pytest.fixture(scope="session")
def demo_patrons_snapshot(people_snapshot, django_db_blocker) -> Snapshot:
    from bookwarden.patrons.demo import build_patron_demo

    with django_db_blocker.unblock():
        return Snapshot.build(
            lambda: build_patron_demo(thaw(people_snapshot.result)), people_snapshot
        )


@pytest.fixture
def demo_patrons(people, demo_patrons_snapshot) -> dict[str, Any]:
    """The demo patrons (``bookwarden.patrons.demo.build_patron_demo``), by key: parent,
    minor, reader, lost_card of New Madrid; cresco_patron of Cresco; each with one record of
    every kind and the demo PIN."""
    return demo_patrons_snapshot.restore()


@pytest.fixture(scope="session")
def full_demo_snapshot(people_snapshot: Snapshot, django_db_blocker: Any) -> Snapshot:
    """The whole demo (``bookwarden demo``: the personas, then every app's part: incidents,
    cases, a breach, requests for records, the patrons...), built once per test process on
    top of the personas, as ``build_full_demo()`` builds it."""
    from django.utils.module_loading import autodiscover_modules

    from bookwarden.core import demo

    def build() -> None:
        autodiscover_modules("demo")
        world = demo.DemoWorld(people=thaw(people_snapshot.result))
        for _, _, part in demo._parts:
            part(world)

    with django_db_blocker.unblock():
        return Snapshot.build(build, people_snapshot)


@pytest.fixture
def full_demo(people: dict[str, User], full_demo_snapshot: Snapshot) -> dict[str, User]:
    """The database as ``bookwarden demo`` leaves it (the personas by key, as ``people``):
    the rows of one session-wide build, put back in this test."""
    full_demo_snapshot.restore()
    return people


@pytest.fixture
def client_as(people) -> Callable[[str], Client]:
    """``client_as("director")``: a test client logged in as that persona."""

    def make(key: str) -> Client:
        client = Client()
        client.force_login(
            people[key], backend="allauth.account.auth_backends.AuthenticationBackend"
        )
        return client

    return make


@contextlib.contextmanager
def threads_can_share_the_database(tmp_path: Path) -> Iterator[None]:
    """PostgreSQL: nothing to do.  SQLite: the test database is a shared-cache in-memory
    database, where a second writer gets "database table is locked" at once instead of
    waiting (shared-cache locks ignore the busy timeout), unlike a real database file.  So
    the threads write to a file copy of the test database, with the production settings
    (IMMEDIATE transactions, timeout, WAL), and the result is copied back for checking."""
    if connection.vendor != "sqlite":
        yield
        return
    path = tmp_path / "threads.sqlite3"
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(path)) as file_db:
        connection.connection.backup(file_db)
    original = connections.settings["default"]
    connections.settings["default"] = {**original, "NAME": str(path)}
    try:
        yield
    finally:
        connections.settings["default"] = original
    with contextlib.closing(sqlite3.connect(path)) as file_db:
        file_db.backup(connection.connection)


class _Inbox:
    """What a real SMTP server received: one entry per message (envelope and parsed mail)."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import email
        from email import policy

        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "subject": str(parsed["subject"]),
                "body": parsed.get_body(preferencelist=("plain",)).get_content(),
                "headers": dict(parsed.items()),
            }
        )
        return "250 Message accepted for delivery"


def _free_port() -> int:
    import socket

    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server(settings) -> Iterator[Any]:
    """A real SMTP server (aiosmtpd) on a free port, and the mail settings pointing at it.

    ``smtp_server.inbox.messages`` is what it received; ``smtp_server.stop()`` takes it down
    (the port stays configured, so sending then fails as with a mail server that is down)
    and ``smtp_server.start()`` brings it back on the same port."""
    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    port = _free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5

    class Server:
        def __init__(self) -> None:
            self.inbox = inbox
            self.port = port
            self.controller: Any = None

        def start(self) -> None:
            if self.controller is None:
                self.controller = Controller(inbox, hostname="127.0.0.1", port=port)
                self.controller.start()

        def stop(self) -> None:
            if self.controller is not None:
                self.controller.stop()
                self.controller = None

    server = Server()
    server.start()
    try:
        yield server
    finally:
        server.stop()
