"""What the benchmarks in bench/ share: each database runs in a subprocess of its own
(settings are read at import), the subprocess prints one tagged JSON line of results, and
the parent prints a table of ratios.  SQLite lives in a temporary folder, PostgreSQL in a
database created and dropped through the server's ``test`` database."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULT_TAG = "BENCH_RESULT "


def log(msg: str) -> None:
    # UTC: Django sets the TZ variable in the subprocesses.
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {msg}", file=sys.stderr, flush=True)


def rss_kb(field: str = "VmHWM") -> int:
    """Peak (VmHWM) or current (VmRSS) resident set size of this process, in KiB.

    /proc is preferred: ``getrusage``'s ``ru_maxrss`` survives fork and exec, so a fresh
    child would report its parent's peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISS"


def setup_django() -> None:
    """Inside a database subprocess: Django configured from the environment."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookwarden.settings")
    import django

    django.setup()


def emit(data: dict[str, Any]) -> None:
    print(RESULT_TAG + json.dumps(data), flush=True)


def parse_result(stdout: str) -> dict[str, Any]:
    for line in reversed(stdout.splitlines()):
        if line.startswith(RESULT_TAG):
            result: dict[str, Any] = json.loads(line[len(RESULT_TAG) :])
            return result
    raise SystemExit("a benchmark subprocess printed no result")


def pg_admin(base_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{base_url}/test", autocommit=True) as conn:
        conn.execute(sql)


def run_worker(
    script: str,
    db: str,
    pg_url: str,
    pg_db_name: str,
    worker_args: Callable[[str], list[str]],
) -> dict[str, Any]:
    """Run ``script --_worker ...`` against a fresh database of kind ``db`` and return the
    result it emits.  ``worker_args`` gets the temporary data folder."""
    data_dir = tempfile.mkdtemp(prefix=f"bookwarden_bench_{Path(script).stem}_{db}_")
    env = os.environ.copy()
    env.update(
        DJANGO_SETTINGS_MODULE="bookwarden.settings",
        BOOKWARDEN_DATA_DIR=data_dir,
        BOOKWARDEN_DEBUG="0",
        BOOKWARDEN_PRODUCTION="0",
        PYTHONPATH=str(ROOT),
    )
    env.pop("DATABASE_URL", None)
    base_url = pg_url.rstrip("/")
    if db == "postgres":
        pg_admin(base_url, f"DROP DATABASE IF EXISTS {pg_db_name} WITH (FORCE)")
        pg_admin(base_url, f"CREATE DATABASE {pg_db_name}")
        env["DATABASE_URL"] = f"{base_url}/{pg_db_name}"
    try:
        proc = subprocess.run(
            [sys.executable, str(Path(script).resolve()), "--_worker", *worker_args(data_dir)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
            check=False,
        )
        if proc.returncode:
            raise SystemExit(f"the {db} benchmark failed (exit {proc.returncode})")
        return parse_result(proc.stdout)
    finally:
        if db == "postgres":
            pg_admin(base_url, f"DROP DATABASE IF EXISTS {pg_db_name} WITH (FORCE)")
        shutil.rmtree(data_dir, ignore_errors=True)


def print_report(heading: list[str], lines: list[str]) -> None:
    """A benchmark's table: its heading, its lines between rules, and the machine's load."""
    print()
    for line in heading:
        print(line)
    print("-" * 100)
    for line in lines:
        print(line)
    print("-" * 100)
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"load average at the end: {load} ({os.cpu_count()} CPUs)")


def run_databases(db: str, run: Callable[[str], dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``run`` for "sqlite", "postgres" or both (``db`` "both"), in turn: their results."""
    results = {}
    for name in ["sqlite", "postgres"] if db == "both" else [db]:
        log(f"=== {name} ===")
        results[name] = run(name)
    return results
