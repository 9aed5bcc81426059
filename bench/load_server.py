"""The server under load and the people signing in to it (``bench/load.py``).

``bookwarden serve`` (gunicorn) in production mode on a free loopback port, as a
subprocess; a browser behind the TLS proxy (its ``X-Forwarded-Proto`` header, its cookies,
one keep-alive connection); the demo's people signing in through the real pages, and
copies of their sessions for the clients.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from harness import ROOT

HOST = "library.example.org"
REQUEST_TIMEOUT = 30.0
#: The session cookie's name in production mode (``__Host-``: secure, this host only).
SESSION_COOKIE = "__Host-sessionid"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(data_dir: Path, secret_key: str, workers: int, threads: int) -> dict[str, str]:
    """A production install's environment (as deploy/bookwarden.env.example sets it)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BOOKWARDEN_", "SECURE_", "SESSION_", "CSRF_"))
        and k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        BOOKWARDEN_PRODUCTION="1",
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS=HOST,
        BOOKWARDEN_BEHIND_TLS_PROXY="1",
        BOOKWARDEN_DATA_DIR=str(data_dir),
        BOOKWARDEN_WEB_WORKERS=str(workers),
        BOOKWARDEN_WEB_THREADS=str(threads),
        PYTHONPATH=str(ROOT),
    )
    return env


#: A line of the access log (serve.ACCESS_LOG_FORMAT): the path, the status, the time taken.
ACCESS_LINE = re.compile(r'"GET (?P<path>\S+) [^"]*" (?P<status>\d{3}) \S+ (?P<ms>\d+)ms')


def server_times(lines: Sequence[str]) -> dict[str, list[float]]:
    """The time the server spent on each path (in its worker, the queue before excluded),
    from its access log."""
    times: dict[str, list[float]] = {}
    for line in lines:
        found = ACCESS_LINE.search(line)
        if found:
            times.setdefault(found["path"], []).append(float(found["ms"]))
    return times


def collect_static(env: dict[str, str]) -> None:
    collected = subprocess.run(
        [sys.executable, "-m", "bookwarden", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if collected.returncode:
        raise SystemExit(f"collectstatic failed: {collected.stderr}")


@contextlib.contextmanager
def serving(env: dict[str, str], access_log: Path) -> Iterator[tuple[int, int]]:
    """``bookwarden serve`` on a free loopback port until the block ends (SIGTERM); yields
    the port and the server's process id."""
    port = free_port()
    with access_log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "bookwarden", "serve", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                if server.poll() is not None:
                    raise SystemExit(f"the server stopped: {access_log.read_text()[-2000:]}")
                with contextlib.suppress(OSError):
                    socket.create_connection(("127.0.0.1", port), 0.2).close()
                    break
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not listen within 120 s")
                time.sleep(0.1)
            yield port, server.pid
        finally:
            server.terminate()
            try:
                server.wait(timeout=40)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@dataclass
class Browser:
    """One person's browser behind the TLS proxy: one keep-alive connection, its cookies."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    conn: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, form: dict[str, Any] | None = None
    ) -> tuple[int, str, str]:
        """(status, Location, body); one retry when a reused connection was closed by the
        server before it answered (as a browser does)."""
        headers = {"Host": HOST, "X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{HOST}"
            headers["Referer"] = f"https://{HOST}{path}"
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, REQUEST_TIMEOUT)
        conn = self.conn
        for attempt in (1, 2):
            reused = conn.sock is not None
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                conn.close()
                if not reused or attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        if response.will_close:
            conn.close()
        text = content.decode("utf-8", "replace")
        return response.status, response.headers.get("Location", ""), text

    def post_form(self, path: str, form: dict[str, Any]) -> tuple[int, str]:
        _, _, page = self.request("GET", path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not token:
            raise SystemExit(f"no form on {path}")
        status, where, _ = self.request("POST", path, {"csrfmiddlewaretoken": token[1], **form})
        return status, where


def totp_code(secret: str) -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return str(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))


def sign_in(port: int, username: str) -> dict[str, Any]:
    """Sign ``username`` in through the real pages (password, then the second factor
    when the person has one);
    returns the session's data as the server stored it."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore

    from bookwarden.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET

    browser = Browser(port)
    login = {"login": username, "password": DEMO_PASSWORD}
    status, where = browser.post_form("/accounts/login/", login)
    if status != 302:
        raise SystemExit(f"{username}: the password step answered {status}")
    if where.endswith("/accounts/2fa/authenticate/"):
        code = {"code": totp_code(DEMO_TOTP_SECRET)}
        status, where = browser.post_form("/accounts/2fa/authenticate/", code)
        if status != 302:
            raise SystemExit(f"{username}: the code step answered {status}")
    status, _, _ = browser.request("GET", "/")
    if status != 200:
        raise SystemExit(f"{username}: the home page answered {status} after signing in")
    key = browser.cookies[SESSION_COOKIE]
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        raise SystemExit(f"sessions in {settings.SESSION_ENGINE}: copy them another way")
    return dict(SessionStore(session_key=key).load())


def production_passwords(usernames: Sequence[str]) -> None:
    """The scale set hashes the demo's password with a fast hasher the production server
    does not know; those who sign in here get it hashed with the production hasher (as the
    production server's own test does), once."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    from bookwarden.core.demo import DEMO_PASSWORD
    from bookwarden.core.models import User

    argon2 = Argon2PasswordHasher()
    for user in User.objects.filter(username__in=usernames):
        if not user.password.startswith("argon2$"):
            user.password = argon2.encode(DEMO_PASSWORD, argon2.salt())
            user.save(update_fields=["password"])


def copy_session(data: dict[str, Any]) -> str:
    """A new session (its own key) holding ``data``; returns its key."""
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store.update(data)
    store.create()
    return str(store.session_key)
