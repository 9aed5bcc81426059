"""The production server for real (CC-7: remote access with authentication over secure
connections): ``bookwarden serve`` (gunicorn) in production mode, with a secret key file,
on a loopback port, on PostgreSQL when the tests run on it (else SQLite).

It talks plain HTTP on loopback as the TLS reverse proxy does, with ``X-Forwarded-Proto:
https`` (``BOOKWARDEN_BEHIND_TLS_PROXY=1``, as in deploy/); every production default stays
on, the redirect to HTTPS included.  A director signs in through the pages with a password
and a code of their authenticator app, opens a patron's records with a purpose, and every
response carries the security headers and cookie flags; static files have hashed names.
"""

from __future__ import annotations

import contextlib
import http.client
import importlib
import os
import pkgutil
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.apps import apps
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

import bookwarden
from bookwarden.core.demo import DEMO_PASSWORD
from bookwarden.patrons.record_access import Purpose

from .helpers import totp_code

REPO_DIR = Path(bookwarden.__file__).resolve().parent.parent
HOST = "library.example.org"
ROSA_CARD = "21000000000011"
OLD_TITLE = "The Old Man and the Sea"  # a loan of every demo patron
HASHED_STATIC = re.compile(r"/static/[\w/.-]+\.[0-9a-f]{12}\.(?:css|js)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def production_env(data_dir: Path, **changes: str) -> dict[str, str]:
    """The environment of a production install, from an empty one: the secret key in a
    file readable by its owner only."""
    key_file = data_dir / "secret_key"
    key_file.write_text(secrets.token_urlsafe(60))
    key_file.chmod(0o600)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BOOKWARDEN_", "SECURE_", "SESSION_", "CSRF_"))
        and k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        BOOKWARDEN_PRODUCTION="1",
        SECRET_KEY_FILE=str(key_file),
        ALLOWED_HOSTS=HOST,
        BOOKWARDEN_BEHIND_TLS_PROXY="1",
        BOOKWARDEN_DATA_DIR=str(data_dir),
        BOOKWARDEN_WEB_WORKERS="2",
    )
    env.update(changes)
    return env


def postgres_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return (
        f"postgres://{s['USER'] or ''}{password}@{s['HOST'] or '127.0.0.1'}:"
        f"{s['PORT'] or 5432}/{s['NAME']}"
    )


def _migrations_on_disk() -> Iterator[tuple[str, str]]:
    """Every app's migrations, read from their folders (tests without migrations hide
    them from Django's loader)."""
    for app in apps.get_app_configs():
        try:
            package = importlib.import_module(f"{app.name}.migrations")
        except ModuleNotFoundError:
            continue
        for module in pkgutil.iter_modules(package.__path__):
            if not module.ispkg and not module.name.startswith("_"):
                yield app.label, module.name


def share_the_test_database(data_dir: Path) -> dict[str, str]:
    """What another process needs to work on the test's database: on PostgreSQL its URL;
    on SQLite (in memory here) a file copy where the settings look for it.  Tests made
    without migrations have them recorded as applied, as ``bookwarden serve`` asks."""
    recorder = MigrationRecorder(connection)
    recorder.ensure_schema()
    applied = recorder.applied_migrations()
    for key in _migrations_on_disk():
        if key not in applied:
            recorder.record_applied(*key)
    if connection.vendor == "postgresql":
        return {"DATABASE_URL": postgres_url()}
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(data_dir / "bookwarden.sqlite3")) as file_db:
        connection.connection.backup(file_db)
    return {}


@contextlib.contextmanager
def serving(env: dict[str, str], command: tuple[str, ...] = ()) -> Iterator[int]:
    """``bookwarden serve`` (or ``command``, given ``--bind``) on a free loopback port
    until the block ends (SIGTERM)."""
    port = free_port()
    server = subprocess.Popen(
        [
            *(command or (sys.executable, "-m", "bookwarden", "serve")),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=REPO_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.communicate()[0]
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            assert time.monotonic() < deadline, "the server did not listen within 120 s"
            time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        log = server.communicate(timeout=30)[0]
    assert server.returncode == 0, log
    # The access log: paths only, never a query string.
    assert "?" not in "".join(line for line in log.splitlines() if '"GET ' in line)


@dataclass
class Browser:
    """What the TLS proxy passes on: plain HTTP with the proxy's header; cookies kept as a
    browser on https:// would (Secure ones included)."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    set_cookies: list[str] = field(default_factory=list)
    #: Every response through the proxy: (path, response).
    responses: list[tuple[str, http.client.HTTPResponse]] = field(default_factory=list)

    def request(
        self, method: str, path: str, form: dict | None = None, *, proxied: bool = True
    ) -> tuple[http.client.HTTPResponse, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": HOST}
        if proxied:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{HOST}"
            headers["Referer"] = f"https://{HOST}{path}"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read()
        conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.set_cookies.append(header)
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        if proxied:
            self.responses.append((path, response))
        return response, content.decode("utf-8", "replace")

    def get(self, path: str) -> tuple[http.client.HTTPResponse, str]:
        return self.request("GET", path)

    def post(self, path: str, form: dict) -> tuple[http.client.HTTPResponse, str]:
        _, page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, f"no form on {path}"
        return self.request("POST", path, {"csrfmiddlewaretoken": token.group(1), **form})


def location(response: http.client.HTTPResponse) -> str:
    return urlsplit(response.headers["Location"]).path


def post_form_of(browser: Browser, page_path: str, form: dict) -> http.client.HTTPResponse:
    response, _ = browser.post(page_path, form)
    assert response.status == 302, (page_path, response.status)
    return response


@pytest.mark.django_db(transaction=True)
def test_the_production_server_signs_in_with_two_factors_and_opens_records(
    demo_patrons, people, tmp_path
) -> None:
    director = people["director"]
    # The tests hash passwords fast; the server knows only the production hashers.
    argon2 = Argon2PasswordHasher()
    director.password = argon2.encode(DEMO_PASSWORD, argon2.salt())
    director.save(update_fields=["password"])
    rosa = demo_patrons["parent"]

    env = production_env(tmp_path)
    env.update(share_the_test_database(tmp_path))
    collected = subprocess.run(
        [sys.executable, "-m", "bookwarden", "collectstatic", "--noinput", "-v", "0"],
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert collected.returncode == 0, collected.stderr

    with serving(env) as port:
        browser = Browser(port)
        # Without the proxy's header (plain HTTP straight to the server): sent to HTTPS.
        plain, _ = browser.request("GET", "/accounts/login/", proxied=False)
        assert plain.status == 301
        assert plain.headers["Location"] == f"https://{HOST}/accounts/login/"

        signed_in = post_form_of(
            browser, "/accounts/login/", {"login": director.username, "password": DEMO_PASSWORD}
        )
        assert location(signed_in) == "/accounts/2fa/authenticate/"
        second = post_form_of(browser, "/accounts/2fa/authenticate/", {"code": totp_code()})
        home, page = browser.get(location(second))
        assert home.status == 200, page
        assert "My tasks" in page or "Sign out" in page

        _, detail = browser.get(f"/patrons/{rosa.pk}/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', detail)
        assert token
        opening, _ = browser.request(
            "POST",
            f"/patrons/{rosa.pk}/records/",
            {
                "csrfmiddlewaretoken": token.group(1),
                "purpose": Purpose.DESK,
                "card_number": ROSA_CARD,
                "record_types": ["loans"],
            },
        )
        assert opening.status == 302
        records, page = browser.get(location(opening))
        assert records.status == 200 and OLD_TITLE in page
        assert "no-store" in records.headers["Cache-Control"]

        stylesheets = HASHED_STATIC.findall(page)
        assert stylesheets, "no static file with a hashed name on the page"
        static, _ = browser.get(stylesheets[0])
        assert static.status == 200
        assert "immutable" in static.headers["Cache-Control"]
        unhashed = re.sub(r"\.[0-9a-f]{12}\.", ".", stylesheets[0])
        assert browser.get(unhashed)[0].status == 200  # still served, but never cached long

    pages = [(p, r) for p, r in browser.responses if not p.startswith("/static/")]
    assert len(pages) >= 8
    for path, response in pages:
        h = response.headers
        assert h["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        assert "frame-ancestors 'none'" in h["Content-Security-Policy"], path
        assert "'unsafe-inline'" not in h["Content-Security-Policy"], path
        assert h["X-Frame-Options"] == "DENY", path
        assert h["Referrer-Policy"] == "same-origin", path
        assert h["X-Content-Type-Options"] == "nosniff", path

    set_cookies = {c.partition("=")[0]: c.lower() for c in browser.set_cookies}
    assert {"__Host-sessionid", "__Host-csrftoken"} <= set(set_cookies)
    for name, header in set_cookies.items():
        flags = {part.strip() for part in header.split(";")[1:]}
        assert {"secure", "httponly", "samesite=lax"} <= flags, name
        assert "path=/" in flags and not any(f.startswith("domain") for f in flags), name


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"SECRET_KEY_FILE": "/nonexistent/secret"}, "SECRET_KEY_FILE names /nonexistent"),
        ({"ALLOWED_HOSTS": ""}, "Production mode needs ALLOWED_HOSTS"),
        ({}, "run `bookwarden collectstatic --noinput` first"),
    ],
)
def test_serve_refuses_a_half_configured_production_naming_what_is_missing(
    tmp_path, changes, said
) -> None:
    env = production_env(tmp_path, **changes)
    result = subprocess.run(
        [sys.executable, "-m", "bookwarden", "serve", "--bind", f"127.0.0.1:{free_port()}"],
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert said in result.stderr
    assert "Refusing to start" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_access_log_masks_the_keys_of_mailed_links() -> None:
    from bookwarden.core.management.commands.serve import masked_path

    assert masked_path("/accounts/password/reset/key/3k-abc123def/") == (
        "/accounts/password/reset/key/…/"
    )
    assert masked_path("/accounts/confirm-email/MQ:1v:xyz/") == "/accounts/confirm-email/…/"
    assert masked_path("/patrons/12/records/") == "/patrons/12/records/"


def printed_config(env: dict[str, str]) -> str:
    """What ``bookwarden serve --print-config`` prints with ``env`` (on SQLite)."""
    env = {k: v for k, v in env.items() if k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "bookwarden", "serve", "--print-config"],
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_workers_default_to_two_per_processor_plus_one_at_most_eight(tmp_path) -> None:
    from bookwarden.core.management.commands.serve import MAX_WORKERS, default_workers

    assert default_workers() == min(2 * (os.cpu_count() or 1) + 1, MAX_WORKERS)
    printed = printed_config(
        {
            **os.environ,
            "BOOKWARDEN_WEB_WORKERS": "3",
            "BOOKWARDEN_BIND": "127.0.0.1:9",
            "BOOKWARDEN_DATA_DIR": str(tmp_path),
        }
    )
    assert "workers = 3" in printed and "bind = ['127.0.0.1:9']" in printed
    # One request at a time per worker unless threads are asked for.
    assert "worker_class = sync" in printed and "threads = 1" in printed


def test_threads_per_worker_use_gunicorns_threaded_worker(tmp_path) -> None:
    printed = printed_config(
        {**os.environ, "BOOKWARDEN_WEB_THREADS": "4", "BOOKWARDEN_DATA_DIR": str(tmp_path)}
    )
    assert "worker_class = gthread" in printed and "threads = 4" in printed
