"""CR-6a, LV-3: a retention run killed outright (SIGKILL, a real process) leaves every
committed change in the audit log; the next run marks it abandoned, with an event, and
finishes the rest.

The run is a separate ``bookwarden retention run`` process on the test's database: on
PostgreSQL the test database itself (committed data, hence ``transaction=True``); on SQLite
the test database is in memory, so the process works on a file copy of it with the
production settings, and the file is copied back for checking.  The test waits until a few
chunks are committed, kills the process while every writer is held back (a lock the run's
next chunk needs), then compares the rows changed with the audit events.  Writers are held
back whenever the test looks at the run's progress, and let go only for a few milliseconds
in between, so that however slowly the test itself is scheduled, the run is never far past
what the test last saw (and never finishes before the kill).
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.audit.verify import verify_chain
from bookwarden.core.models import Library
from bookwarden.patrons import retention_lock
from bookwarden.patrons.models import CatalogSearch, Loan, Patron
from bookwarden.patrons.models_retention import RetentionRun, RunStatus

CHUNK = 20
LOANS_DUE = 2400  # returned, nothing owed: unlinked at once by the default rule
SEARCHES_DUE = 600  # older than 7 days: deleted by the default rule
DUE = LOANS_DUE + SEARCHES_DUE
KILL_AFTER = 3 * CHUNK  # rows changed and committed
AUDIT_TABLE = AuditEvent._meta.db_table
UNLINKED = f"SELECT count(*) FROM {Loan._meta.db_table} WHERE patron_id IS NULL"


@dataclass
class SharedDatabase:
    """The test's database as another process reaches it."""

    env: dict[str, str]
    count: Callable[[str], int]  # a count over what other processes have committed
    hold_writers: Callable[[], None]  # until let_writers_go: the run's next chunk waits
    let_writers_go: Callable[[], None]


def _postgres_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return (
        f"postgres://{s['USER'] or ''}{password}@{s['HOST'] or '127.0.0.1'}:"
        f"{s['PORT'] or 5432}/{s['NAME']}"
    )


@contextlib.contextmanager
def shared_database(tmp_path: Path) -> Iterator[SharedDatabase]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="bookwarden.settings", BOOKWARDEN_PRODUCTION="0")
    if connection.vendor == "postgresql":

        def count(sql: str) -> int:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return int(cursor.fetchone()[0])

        def hold() -> None:
            # The run's next chunk blocks on its audit event (INSERT), its change unsaved.
            transaction.set_autocommit(False)
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {AUDIT_TABLE} IN SHARE ROW EXCLUSIVE MODE")

        def let_go() -> None:
            if not connection.get_autocommit():
                connection.rollback()
                transaction.set_autocommit(True)

        try:
            yield SharedDatabase({**env, "DATABASE_URL": _postgres_url()}, count, hold, let_go)
        finally:
            let_go()
        return

    # SQLite: a file under a data folder of its own, so the process runs with the
    # production settings (WAL, IMMEDIATE transactions, a busy timeout).
    path = tmp_path / "bookwarden.sqlite3"
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(path)) as file_db:
        connection.connection.backup(file_db)
    # No busy timeout: SQLite's busy handler sleeps between tries, and the run, taking the
    # lock again as soon as it commits, would win every race and finish while the test slept.
    watcher = sqlite3.connect(path, timeout=0, isolation_level=None)

    def count_in_file(sql: str) -> int:
        return int(watcher.execute(sql).fetchone()[0])

    def hold_file() -> None:
        # Holds the write lock: the run's next chunk waits at its BEGIN.  Tried without
        # pause, so the lock is taken at the run's next commit, between two chunks.
        deadline = time.monotonic() + 30
        while True:
            try:
                watcher.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError:
                assert time.monotonic() < deadline, "the run held the write lock for 30 s"

    def let_go_file() -> None:
        if watcher.in_transaction:
            watcher.execute("ROLLBACK")

    try:
        file_env = {**env, "BOOKWARDEN_DATA_DIR": str(tmp_path)}
        yield SharedDatabase(file_env, count_in_file, hold_file, let_go_file)
    finally:
        let_go_file()
        watcher.close()
    with contextlib.closing(sqlite3.connect(path)) as file_db:
        file_db.backup(connection.connection)


def _low_priority() -> None:
    os.nice(10)


def run_until_committed(shared: SharedDatabase, child: subprocess.Popen[str], rows: int) -> None:
    """Let the run go on, a few milliseconds at a time, until it has committed ``rows``;
    return with every writer held back."""
    deadline = time.monotonic() + 60
    shared.hold_writers()
    while shared.count(UNLINKED) < rows:
        assert child.poll() is None, f"ended before the kill: {child.communicate()}"
        assert time.monotonic() < deadline, "the run made no progress"
        shared.let_writers_go()
        time.sleep(0.005)
        shared.hold_writers()


def chunk_rows(**filters: Any) -> int:
    return sum(
        e.after["rows"]
        for e in AuditEvent.objects.filter(action=AuditAction.RETENTION_CHUNK, **filters)
    )


def changed_rows(library: Library) -> dict[str, int]:
    """Rows actually changed: loans unlinked (all were linked), searches deleted."""
    return {
        "loans": Loan._unguarded.filter(library=library, patron__isnull=True).count(),
        "searches": SEARCHES_DUE + 2 - CatalogSearch._unguarded.filter(library=library).count(),
    }


@pytest.mark.django_db(transaction=True)
def test_a_run_killed_mid_way_is_fully_audited_and_the_next_run_finishes(tmp_path) -> None:
    now = timezone.now()
    library = Library.objects.create(name="Killbuck", slug="killbuck", jurisdiction="US-MO")
    readers = [Patron.objects.create(library=library, last_name=f"R{n}") for n in range(10)]
    Loan._unguarded.bulk_create(
        Loan(
            library=library,
            patron=readers[n % 10],
            item_barcode=f"3{n:07}",
            title="Private title",
            checked_out_at=now - timedelta(days=20),
            returned_at=None if n >= LOANS_DUE else now - timedelta(days=1),
        )
        for n in range(LOANS_DUE + 2)  # the last two are still out: not due
    )
    CatalogSearch._unguarded.bulk_create(
        CatalogSearch(
            library=library,
            patron=readers[n % 10],
            terms="private terms",
            searched_at=now - timedelta(days=1 if n >= SEARCHES_DUE else 8),
        )
        for n in range(SEARCHES_DUE + 2)  # the last two are recent: not due
    )

    started = time.monotonic()
    with shared_database(tmp_path) as shared:
        child = subprocess.Popen(
            [sys.executable, "-m", "bookwarden", "retention", "run", "--chunk-size", str(CHUNK)],
            env=shared.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            # At a low priority: on a busy machine (two test workers, a browser) this
            # test process, not the run, gets the CPU, so the run cannot finish all its
            # chunks in one of the few milliseconds it is let go.
            preexec_fn=_low_priority,
        )
        try:
            run_until_committed(shared, child, KILL_AFTER)
            assert child.poll() is None, f"ended before the kill: {child.communicate()}"
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
            shared.let_writers_go()
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
    assert child.returncode == -signal.SIGKILL

    # What the killed run committed is exactly what its audit events cover.
    killed = RetentionRun.objects.get()
    assert (killed.status, killed.finished_at) == (RunStatus.RUNNING, None)
    changed = changed_rows(library)
    assert 0 < sum(changed.values()) < DUE, changed
    assert chunk_rows() == sum(changed.values())
    assert {key: killed.counts.get(key, 0) for key in changed} == changed
    assert {key: chunk_rows(after__record_type=key, library=library) for key in changed} == changed

    # The next run marks it abandoned, with an event, and finishes the rest.
    out = io.StringIO()
    call_command("retention", "run", "--chunk-size", str(CHUNK), stdout=out)
    rerun = RetentionRun.objects.exclude(pk=killed.pk).get()
    killed.refresh_from_db()
    assert killed.status == RunStatus.ABANDONED and killed.abandoned_by == rerun
    assert f"run #{killed.pk}" in out.getvalue() and "marked abandoned" in out.getvalue()
    abandoned = AuditEvent.objects.get(action=AuditAction.RETENTION_RUN_ABANDONED)
    assert (abandoned.library_id, abandoned.target_id) == (library.pk, str(killed.pk))
    assert abandoned.after["found_by_run"] == rerun.pk
    assert {key: abandoned.after["counts"].get(key, 0) for key in changed} == changed
    assert rerun.status == RunStatus.COMPLETED

    assert changed_rows(library) == {"loans": LOANS_DUE, "searches": SEARCHES_DUE}
    assert chunk_rows() == DUE
    assert chunk_rows(after__run=killed.pk) == sum(changed.values())
    assert chunk_rows(after__run=rerun.pk) == DUE - sum(changed.values())
    assert rerun.counts["loans"] + rerun.counts["searches"] == DUE - sum(changed.values())
    # What was not due is untouched, and the chain of events is whole.
    assert Loan._unguarded.filter(library=library, patron__isnull=False).count() == 2
    assert CatalogSearch._unguarded.filter(library=library).count() == 2
    assert verify_chain().ok
    assert time.monotonic() - started < 30


def test_a_run_while_another_holds_the_lock_is_refused_and_changes_nothing(db, monkeypatch) -> None:
    """Two runs at once: the second is refused before it records or changes anything (so
    it can never mark a live run abandoned)."""
    monkeypatch.setattr(retention_lock, "WAIT_SECONDS", 0.2)
    library = Library.objects.create(name="Killbuck", slug="killbuck", jurisdiction="US-MO")
    loan = Loan._unguarded.create(
        library=library,
        patron=Patron.objects.create(library=library, last_name="Reader"),
        item_barcode="3000001",
        checked_out_at=timezone.now() - timedelta(days=3),
        returned_at=timezone.now() - timedelta(days=1),
    )
    held, release = threading.Event(), threading.Event()

    def first_run() -> None:
        try:
            with retention_lock.retention_lock():
                held.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=first_run)
    holder.start()
    try:
        assert held.wait(30)
        with pytest.raises(CommandError, match="Another retention run is in progress"):
            call_command("retention", "run")
    finally:
        release.set()
        holder.join(30)
    assert not RetentionRun.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="retention.").exists()
    assert Loan._unguarded.get(pk=loan.pk).patron_id is not None
    # Once the first has finished, the next run goes ahead.
    call_command("retention", "run", stdout=io.StringIO())
    assert Loan._unguarded.get(pk=loan.pk).patron_id is None
