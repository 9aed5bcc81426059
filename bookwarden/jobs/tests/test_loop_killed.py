"""The job loop killed outright (SIGKILL, a real process) while a job runs: the next start
of the loop abandons the run at once, runs it again, and runs nothing else twice.

The loop is ``bookwarden jobs run`` (the command itself, through ``call_command``) in a
separate Python process, with two throwaway jobs in place of the real ones.  On PostgreSQL
it works on the test database (committed data, hence ``transaction=True``); on SQLite the
test database is in memory, so the processes work on a file copy of it, read afterwards.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection

import bookwarden

REPO_DIR = Path(bookwarden.__file__).resolve().parent.parent

LOOP = textwrap.dedent(
    """
    import datetime, os, sys, time
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookwarden.settings")
    import django
    django.setup()
    from django.core.management import call_command
    from bookwarden.jobs import registry

    registry._registry.clear()  # the two jobs below in place of the real ones
    marker = sys.argv[1]

    def note(line):
        with open(marker, "a") as f:
            f.write(line + "\\n")

    @registry.periodic("a-quick", every=datetime.timedelta(days=1))
    def quick():
        note("quick")
        return "quick"

    @registry.periodic("b-slow", every=datetime.timedelta(days=1))
    def slow():
        with open(marker) as f:
            first = "slow start" not in f.read()
        note("slow start")
        if first:
            time.sleep(120)  # killed in here
        note("slow end")
        return "slow"

    call_command("jobs", "run", *sys.argv[2:])
    """
)


def _postgres_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return (
        f"postgres://{s['USER'] or ''}{password}@{s['HOST'] or '127.0.0.1'}:"
        f"{s['PORT'] or 5432}/{s['NAME']}"
    )


@contextlib.contextmanager
def shared_database(tmp_path: Path) -> Iterator[tuple[dict[str, str], Callable[[str], list]]]:
    """The environment of a process that works on the test's database, and a way to read
    what the processes committed."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="bookwarden.settings",
        BOOKWARDEN_PRODUCTION="0",
        BOOKWARDEN_DATA_DIR=str(tmp_path),
    )
    if connection.vendor == "postgresql":

        def rows(sql: str) -> list:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return list(cursor.fetchall())

        yield {**env, "DATABASE_URL": _postgres_url()}, rows
        return
    path = tmp_path / "bookwarden.sqlite3"
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(path)) as file_db:
        connection.connection.backup(file_db)
    with contextlib.closing(sqlite3.connect(path, timeout=20)) as reader:
        yield env, lambda sql: list(reader.execute(sql).fetchall())


def _wait_for(condition: Callable[[], bool], what: str, child: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert child.poll() is None, f"the loop ended before {what}: {child.communicate()}"
        assert time.monotonic() < deadline, f"no {what} within 30 s"
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_loop_killed_during_a_job_is_picked_up_cleanly_at_the_next_start(tmp_path) -> None:
    script = tmp_path / "loop.py"
    script.write_text(LOOP)
    marker = tmp_path / "ran.txt"
    marker.write_text("")

    def lines() -> list[str]:
        return marker.read_text().splitlines()

    with shared_database(tmp_path) as (env, rows):

        def loop(*args: str) -> subprocess.Popen[str]:
            return subprocess.Popen(
                [sys.executable, str(script), str(marker), *args],
                cwd=REPO_DIR,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )

        first = loop("--interval", "0.2")
        try:
            _wait_for(lambda: "slow start" in lines(), "the slow job's start", first)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            if first.poll() is None:
                first.kill()
        assert lines() == ["quick", "slow start"]
        (killed,) = rows("SELECT status, claimed_by FROM jobs_jobrun WHERE name = 'b-slow'")
        assert killed == ("running", f"{killed[1].rpartition(':')[0]}:{first.pid}")

        # The next start: no waiting for the killed run's heartbeat to go stale.
        started = time.monotonic()
        second = loop("--once")
        out, err = second.communicate(timeout=60)
        assert second.returncode == 0, err
        assert time.monotonic() - started < 30
        assert "b-slow: run #" in out and "abandoned (its worker was killed); retrying" in out

        # The killed job ran again, to its end, once; the quick job did not run again.
        assert lines() == ["quick", "slow start", "slow start", "slow end"]
        runs = rows("SELECT name, kind, status FROM jobs_jobrun ORDER BY name, status, kind, id")
        assert runs == [
            ("a-quick", "scheduled", "queued"),  # tomorrow's
            ("a-quick", "scheduled", "succeeded"),
            ("b-slow", "scheduled", "abandoned"),  # the killed run
            ("b-slow", "scheduled", "queued"),  # tomorrow's
            ("b-slow", "retry", "succeeded"),
        ]
        (error,) = rows("SELECT error FROM jobs_jobrun WHERE status = 'abandoned'")
        assert "was killed" in error[0]
        assert rows("SELECT count(*) FROM jobs_loopbeat") == [(1,)]
