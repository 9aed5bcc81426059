"""Writers in parallel never fork a chain: every event gets the next place in its chain and
links to the one before it (DESIGN mechanism 3: an advisory lock per chain on PostgreSQL,
IMMEDIATE transactions on SQLite, a unique place in each chain as the last line of defence).
Writers of different libraries write to different chains and do not wait for each other
(issue 16, CC-6)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from bookwarden.audit.actions import record
from bookwarden.audit.context import audit_context
from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.conftest import threads_can_share_the_database

from .conftest import verify_json

THREADS = 8
PER_THREAD = 25


def write_in_threads(
    threads: int, per_thread: int, library_of: dict[int, int] | None = None
) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def writer(n: int) -> None:
        try:
            start.wait()
            with audit_context(request_id=f"thread-{n}"):
                for i in range(per_thread):
                    record(
                        AuditAction.AUDIT_VIEWED,
                        library=(library_of or {}).get(n),
                        after={"thread": n, "i": i},
                    )
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    return errors


def assert_one_unbroken_chain(expected: int) -> None:
    assert verify_json() == (0, {"events": expected, "ok": True, "first_bad": None})
    places = list(AuditEvent.objects.order_by("seq").values_list("chain", "chain_seq"))
    assert places == [(0, n) for n in range(1, expected + 1)]


@pytest.mark.django_db(transaction=True)
def test_writers_of_different_libraries_each_keep_an_unbroken_chain(tmp_path: Path) -> None:
    """8 threads in 4 libraries (two writers each) and the installation's own events: each
    library's chain holds its events at places 1 to 50 with every link, and verify passes
    over all five chains."""
    record(AuditAction.DEMO_LOADED)
    libraries = {n: 901 + n % 4 for n in range(THREADS)}
    with threads_can_share_the_database(tmp_path):
        errors = write_in_threads(THREADS, PER_THREAD, libraries)
    assert errors == []
    total = 1 + THREADS * PER_THREAD
    assert verify_json() == (0, {"events": total, "ok": True, "first_bad": None})
    for library in set(libraries.values()):
        events = AuditEvent.objects.filter(library_id=library).order_by("chain_seq")
        assert {e.chain for e in events} == {library}
        assert [e.chain_seq for e in events] == list(range(1, 2 * PER_THREAD + 1))
        assert events[0].prev_hash == "0" * 64
    assert list(AuditEvent.objects.filter(chain=0).values_list("chain_seq", flat=True)) == [1]
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert len(set(seqs)) == total  # one order for all chains


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_librarys_open_write_holds_back_only_its_own_library() -> None:
    """Cresco's action holds its chain until it commits: another Cresco write waits for it,
    a New Madrid write does not (the one chain lock for all was the bottleneck, issue 16)."""
    cresco, new_madrid = 902, 901
    holding, release = threading.Event(), threading.Event()
    finished: dict[str, float] = {}

    def hold_cresco() -> None:
        try:
            with transaction.atomic():
                record(AuditAction.AUDIT_VIEWED, library=cresco, purpose="long action")
                holding.set()
                release.wait(timeout=30)
            finished["holder"] = time.monotonic()
        finally:
            connection.close()

    def write(name: str, library: int) -> None:
        try:
            record(AuditAction.AUDIT_VIEWED, library=library)
            finished[name] = time.monotonic()
        finally:
            connection.close()

    holder = threading.Thread(target=hold_cresco)
    holder.start()
    assert holding.wait(timeout=30)
    others = [
        threading.Thread(target=write, args=("cresco", cresco)),
        threading.Thread(target=write, args=("new madrid", new_madrid)),
    ]
    for thread in others:
        thread.start()
    others[1].join(timeout=10)
    assert "new madrid" in finished  # not held back by Cresco's open transaction
    time.sleep(0.3)
    assert "cresco" not in finished  # waits for Cresco's chain
    release.set()
    for thread in [holder, *others]:
        thread.join(timeout=30)
    assert finished["cresco"] >= finished["holder"]
    assert list(
        AuditEvent.objects.filter(chain=cresco).order_by("chain_seq").values_list("purpose")
    ) == [("long action",), (None,)]
    assert verify_json()[1]["ok"] is True


@pytest.mark.django_db(transaction=True)
def test_parallel_threads_never_fork_the_chain(tmp_path: Path) -> None:
    """8 threads x 25 events, each thread on its own connection, all started together."""
    record(AuditAction.DEMO_LOADED)  # the threads extend an existing chain
    with threads_can_share_the_database(tmp_path):
        errors = write_in_threads(THREADS, PER_THREAD)
    assert errors == []
    assert_one_unbroken_chain(1 + THREADS * PER_THREAD)
    per_thread = {
        n: AuditEvent.objects.filter(request_id=f"thread-{n}").count() for n in range(THREADS)
    }
    assert per_thread == dict.fromkeys(range(THREADS), PER_THREAD)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_parallel_processes_never_fork_the_chain() -> None:
    """4 separate processes x 25 events against the test database: the advisory lock
    serialises writers that share nothing but PostgreSQL."""
    processes, per_process = 4, 25
    settings = connection.settings_dict
    url = "postgres://{user}{password}@{host}:{port}/{name}".format(
        user=settings["USER"] or "",
        password=f":{settings['PASSWORD']}" if settings["PASSWORD"] else "",
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        name=settings["NAME"],
    )
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bookwarden.settings"}
    script = textwrap.dedent(
        f"""
        import sys, django
        django.setup()
        from bookwarden.audit.actions import record
        from bookwarden.audit.context import audit_context
        print("ready", flush=True)
        sys.stdin.readline()
        with audit_context(request_id="process-" + sys.argv[1]):
            for i in range({per_process}):
                record("audit.viewed", after={{"i": i}})
        """
    )
    children = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(n)],
            env=env,
            cwd=Path(__file__).resolve().parents[3],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(processes)
    ]
    try:
        for child in children:  # every child has set Django up ...
            assert child.stdout is not None
            assert child.stdout.readline() == "ready\n"
        for child in children:  # ... before any starts writing: all start at once
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        for child in children:
            _, err = child.communicate(timeout=120)
            assert child.returncode == 0, err
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    assert_one_unbroken_chain(processes * per_process)
    assert {
        n: AuditEvent.objects.filter(request_id=f"process-{n}").count() for n in range(processes)
    } == dict.fromkeys(range(processes), per_process)
