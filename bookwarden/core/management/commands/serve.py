"""``bookwarden serve``: the production web server (gunicorn) on the project's WSGI app.

Gunicorn is a pre-forking WSGI server: a master process that starts the workers, restarts
any that dies or hangs, and stops them gracefully on SIGTERM (what systemd and a container
runtime send).  It is pure Python, widely deployed and long maintained.  Bookwarden serves
plain HTTP on a local address behind a TLS reverse proxy (CC-7: remote access over secure
connections; deploy/Caddyfile), and serves its own static files (WhiteNoise).

* ``--bind`` (``BOOKWARDEN_BIND``, default ``127.0.0.1:8000``): where to listen;
* ``--workers`` (``BOOKWARDEN_WEB_WORKERS``): default two per processor plus one, at most
  :data:`MAX_WORKERS`;
* ``--threads`` (``BOOKWARDEN_WEB_THREADS``, default 1): above 1, each worker serves that
  many requests at once on threads (gunicorn's ``gthread`` worker, with keep-alive);
* ``--timeout`` (``BOOKWARDEN_WEB_TIMEOUT``, default 60 s): a worker busy longer on one
  request is restarted.

The access log names the method, the path without its query string (and with the keys of
mailed links masked), the status, the size and the time taken: never a query string, a
referrer or a cookie.

In production mode it refuses to start, naming what is missing, when the static files are
not collected or the database is not migrated; the settings themselves refuse a missing
``SECRET_KEY``, ``ALLOWED_HOSTS`` or secure cookies (``bookwarden/__main__.py`` prints that
message alone).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

#: The most workers chosen by default (each holds a database connection and ~100 MB).
MAX_WORKERS = 8
DEFAULT_BIND = "127.0.0.1:8000"
DEFAULT_TIMEOUT = 60
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
#: Paths whose last part is a key mailed to a person (password reset, e-mail confirmation).
_KEY_IN_PATH = re.compile(r"(/(?:password/reset/key|confirm-email)/)[^/]+")


def default_workers() -> int:
    """Two per processor plus one (gunicorn's advice), at most :data:`MAX_WORKERS`."""
    return min(2 * (os.cpu_count() or 1) + 1, MAX_WORKERS)


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise CommandError(f"{name} must be a whole number, not {value!r}.") from None
    if number < 1:
        raise CommandError(f"{name} must be 1 or more, not {number}.")
    return number


def masked_path(path: str) -> str:
    """``path`` with the key of a mailed link replaced by ``…``."""
    return _KEY_IN_PATH.sub(r"\1…", path)


def gunicorn_options(bind: str, workers: int, timeout: int, threads: int = 1) -> dict[str, Any]:
    options: dict[str, Any] = {
        "bind": [bind],
        "workers": workers,
        "worker_class": "gthread" if threads > 1 else "sync",
        "threads": threads,
        "timeout": timeout,
        "graceful_timeout": 30,
        # A worker is replaced after about a thousand requests: memory stays flat.
        "max_requests": 1000,
        "max_requests_jitter": 100,
        "accesslog": "-",
        "errorlog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "logger_class": "bookwarden.core.management.commands.serve.AccessLogger",
        "preload_app": True,
        "proc_name": "bookwarden",
        "control_socket_disable": True,
    }
    # The workers' heartbeat files, in memory rather than on a container's overlay disk
    # (gunicorn's advice); gunicorn creates them private to its own account.
    shared_memory = Path("/dev/shm")  # noqa: S108
    if shared_memory.is_dir():
        options["worker_tmp_dir"] = str(shared_memory)
    return options


class AccessLogger(Logger):
    """Gunicorn's logger, with the keys of mailed links masked in the access log."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = masked_path(atoms.get("U", ""))
        return atoms


def refusals() -> list[str]:
    """What keeps production from starting, each naming the fix; empty when ready."""
    problems = []
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        problems.append(
            f"The static files are not collected into {settings.STATIC_ROOT}: run "
            "`bookwarden collectstatic --noinput` first."
        )
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        problems.append(
            f"The database cannot be reached ({type(exc).__name__}): check DATABASE_URL."
        )
    else:
        if pending:
            problems.append(
                f"The database is {len(pending)} migration(s) behind: run `bookwarden migrate`."
            )
    finally:
        connection.close()
    return problems


class Command(BaseCommand):
    help = "Serve Bookwarden with gunicorn, the production web server (behind a TLS proxy)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            default=os.environ.get("BOOKWARDEN_BIND") or DEFAULT_BIND,
            help=f"HOST:PORT to listen on (BOOKWARDEN_BIND; default {DEFAULT_BIND}).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Worker processes (BOOKWARDEN_WEB_WORKERS; default two per processor plus "
            f"one, at most {MAX_WORKERS}).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help="Threads per worker (BOOKWARDEN_WEB_THREADS; default 1, one request at a "
            "time; above 1, gunicorn's gthread worker).",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=None,
            help="Seconds a request may take before its worker is restarted "
            f"(BOOKWARDEN_WEB_TIMEOUT; default {DEFAULT_TIMEOUT}).",
        )
        parser.add_argument(
            "--print-config",
            action="store_true",
            help="Print the server's settings and exit without serving.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workers = options["workers"] or _env_int("BOOKWARDEN_WEB_WORKERS", default_workers())
        timeout = options["timeout"] or _env_int("BOOKWARDEN_WEB_TIMEOUT", DEFAULT_TIMEOUT)
        threads = options["threads"] or _env_int("BOOKWARDEN_WEB_THREADS", 1)
        if workers < 1 or timeout < 1 or threads < 1:
            raise CommandError("--workers, --threads and --timeout must be 1 or more.")
        config = gunicorn_options(options["bind"], workers, timeout, threads)
        if options["print_config"]:
            for key in (
                "bind",
                "workers",
                "worker_class",
                "threads",
                "timeout",
                "access_log_format",
            ):
                self.stdout.write(f"{key} = {config[key]}")
            return
        if settings.PRODUCTION:
            problems = refusals()
            if problems:
                raise CommandError("Refusing to start. " + " ".join(problems))
        else:
            self.stderr.write(
                "Not in production mode (BOOKWARDEN_PRODUCTION is off): fine on a test "
                "machine, never for a library's patrons."
            )
        self.stdout.write(
            f"Serving Bookwarden on http://{options['bind']} with {workers} worker(s)"
            + (f" of {threads} threads." if threads > 1 else ".")
        )
        self.stdout.flush()
        _serve(config)


def _serve(config: dict[str, Any]) -> None:
    class _Application(BaseApplication):
        def load_config(self) -> None:
            for key, value in config.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from bookwarden.wsgi import application

            return application

    try:
        _Application().run()
    except ImproperlyConfigured as exc:
        raise CommandError(str(exc)) from exc
