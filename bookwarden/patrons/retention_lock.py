"""One retention run at a time, and how a run knows that an earlier one died (CR-6a, LV-3).

A run holds the retention lock from before its ``RetentionRun`` row is created until after
its last event is committed.  The lock dies with the process that holds it, however that
process stops (Ctrl-C, SIGKILL, a power cut):

* PostgreSQL: a session-level advisory lock, released by the server when the connection
  ends (it may take the server a moment to notice, so a run waits a few seconds for it);
* SQLite: an exclusive ``flock`` on a file next to the database file
  (``bookwarden.sqlite3.retention-lock``), released by the kernel when the process ends;
* an in-memory SQLite database (the tests): a lock of this process, the only one that can
  reach such a database.

So a run that holds the lock knows that any other run still marked ``running`` is dead, and
marks it abandoned (:func:`bookwarden.patrons.retention.run_retention`).  A run that cannot
get the lock is refused before it records or changes anything: :class:`RetentionBusy`.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from django.db import connection

#: The advisory lock of retention runs ("bwreten"); the audit chain has its own.
ADVISORY_LOCK_KEY = 0x6277_7265_7465_6E
#: How long a run waits for the lock before it is refused.
WAIT_SECONDS = 5.0
_POLL_SECONDS = 0.1
_in_process = threading.Lock()


class RetentionBusy(Exception):
    """Another retention run holds the lock: this one changed nothing."""


@contextlib.contextmanager
def retention_lock(wait: float | None = None) -> Iterator[None]:
    """Hold the retention lock for the block; raise :class:`RetentionBusy` after ``wait``
    seconds (default :data:`WAIT_SECONDS`) if another run holds it."""
    wait = WAIT_SECONDS if wait is None else wait
    if connection.vendor == "postgresql":
        lock = _advisory_lock(wait)
    elif connection.vendor == "sqlite" and not connection.is_in_memory_db():  # type: ignore[attr-defined]
        lock = _file_lock(Path(str(connection.settings_dict["NAME"])), wait)
    else:
        lock = _process_lock(wait)
    with lock:
        yield


def _busy() -> RetentionBusy:
    return RetentionBusy(
        "Another retention run is in progress; nothing was changed. Try again when it has finished."
    )


@contextlib.contextmanager
def _advisory_lock(wait: float) -> Iterator[None]:
    deadline = time.monotonic() + wait
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
            if cursor.fetchone()[0]:
                break
            if time.monotonic() >= deadline:
                raise _busy()
            time.sleep(_POLL_SECONDS)
    try:
        yield
    finally:
        # Not possible in a failed transaction (a test's); the lock then ends with the
        # connection, as it does when the process dies.
        with contextlib.suppress(Exception), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])


@contextlib.contextmanager
def _file_lock(database: Path, wait: float) -> Iterator[None]:
    import fcntl

    path = database.with_name(database.name + ".retention-lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise _busy() from None
                time.sleep(_POLL_SECONDS)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextlib.contextmanager
def _process_lock(wait: float) -> Iterator[None]:
    if not _in_process.acquire(timeout=wait):
        raise _busy()
    try:
        yield
    finally:
        _in_process.release()
