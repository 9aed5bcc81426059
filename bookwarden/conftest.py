"""Shared test fixtures: the named people of the demo (DESIGN: test personas)."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test import Client

from bookwarden.core.demo import build_demo
from bookwarden.core.models import User


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # Argon2 is the configured hasher (a test checks it); tests hash many demo passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(db) -> dict[str, User]:
    """Everyone of the demo, by key: director, designee, assistant_director,
    tech_coordinator, it_staff, human_resources, staff, volunteer, contractor, auditor,
    outsider (Cresco's director), outsider_staff."""
    return build_demo()


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
