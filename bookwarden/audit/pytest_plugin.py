"""What every test needs from the audit log (a pytest plugin: ``-p`` in pyproject.toml).

* Each test gets its own, empty anchor folder.  Any test that runs the job loop writes an
  anchor; in the shared data folder it would be read by the next test's ``audit verify``
  (an anchor of another test's log: "tampered") and by the developer's own.
* On PostgreSQL, each connection may empty the audit table: the database reset after a
  test that commits (``transactional_db``, the browser tests) truncates every table, and the
  audit table refuses TRUNCATE otherwise (migration 0008).  A test of that refusal turns
  the switch off in its own transaction.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

ALLOW_TRUNCATE = "SET bookwarden.allow_audit_truncate = 'on'"
_numbers = itertools.count(1)


def _allow_audit_truncate(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(ALLOW_TRUNCATE)


def pytest_configure(config: pytest.Config) -> None:
    from django.db.backends.signals import connection_created

    connection_created.connect(_allow_audit_truncate, dispatch_uid="bookwarden-audit-truncate")


@pytest.fixture(autouse=True)
def _audit_anchor_folder_of_the_test(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    from django.conf import settings

    folder = tmp_path_factory.getbasetemp() / "audit-anchors" / str(next(_numbers))
    saved = settings.AUDIT_ANCHOR_DIR
    settings.AUDIT_ANCHOR_DIR = str(folder)
    try:
        yield
    finally:
        settings.AUDIT_ANCHOR_DIR = saved
