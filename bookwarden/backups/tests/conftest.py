"""Fixtures of the backup tests: a key, a backup folder, stored files, a place to restore to."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from bookwarden.backups.crypto import make_key_file
from bookwarden.backups.database import (
    create_database,
    drop_database,
    live_settings,
    sqlite_settings,
)

#: The stored files of the tests' installation: a disclosure packet and an attachment.
STORED = {
    "disclosures/packets/packet-1.pdf": b"%PDF-1.4 a disclosure packet\n" * 50,
    "operations/attachments/screenshot.png": bytes(range(256)) * 20,
}


@pytest.fixture
def backup_key(tmp_path: Path, settings: Any) -> Path:
    path = tmp_path / "backup.key"
    make_key_file(path)
    settings.BACKUP_KEY_FILE = str(path)
    return path


@pytest.fixture
def stored_files(tmp_path: Path, settings: Any) -> Path:
    root = tmp_path / "media"
    for name, data in STORED.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    settings.MEDIA_ROOT = root
    return root


@contextlib.contextmanager
def empty_database(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A new, empty database of the tests' engine to restore into: a SQLite file, or a
    PostgreSQL database named after the test database, dropped at the end."""
    if connection.vendor == "sqlite":
        yield sqlite_settings(tmp_path / "restored.sqlite3")
        return
    live = live_settings()
    name = f"{live['NAME']}_restored"
    drop_database(live, name)
    create_database(live, name)
    try:
        yield {**live, "NAME": name}
    finally:
        drop_database(live, name)


@pytest.fixture
def restore_target(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """An empty database to restore into (the test points MEDIA_ROOT at an empty folder
    once its backup is made: :func:`new_server_files`)."""
    with empty_database(tmp_path) as target:
        yield target


def new_server_files(settings: Any, tmp_path: Path) -> Path:
    """The new server's folder of stored files, empty: MEDIA_ROOT from now on."""
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    return Path(settings.MEDIA_ROOT)
