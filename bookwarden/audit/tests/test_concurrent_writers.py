"""Writers in parallel never fork the chain: every event gets the next seq and links to the
one before it (DESIGN mechanism 3: an advisory lock on PostgreSQL, IMMEDIATE transactions
on SQLite, a unique seq as the last line of defence)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from django.db import connection

from bookwarden.audit.actions import record
from bookwarden.audit.context import audit_context
from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.conftest import threads_can_share_the_database

from .conftest import verify_json

THREADS = 8
PER_THREAD = 25


def write_in_threads(threads: int, per_thread: int) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def writer(n: int) -> None:
        try:
            start.wait()
            with audit_context(request_id=f"thread-{n}"):
                for i in range(per_thread):
                    record(AuditAction.AUDIT_VIEWED, after={"thread": n, "i": i})
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
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, expected + 1))


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
