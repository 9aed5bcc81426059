"""Browser-side defences: a strict Content-Security-Policy that pages can live with (no
inline script or style anywhere), no framing, no sniffing, no referrer leaks; and a
production mode that refuses to start half-configured."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

import bookwarden

from .helpers import all_routes, mark_reauthenticated, url_of

PACKAGE_DIR = Path(bookwarden.__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent

TAG = re.compile(r"<[a-zA-Z][^>]*>", re.DOTALL)
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}  # data, never run


def inline_code(html: str) -> list[str]:
    """Tags that a CSP without 'unsafe-inline' would block (or that need it): script
    without src (other than a JSON data block), <style>, style= attributes, on*= handlers,
    javascript: URLs."""
    found = []
    for tag in TAG.findall(html):
        if re.match(r"<script\b", tag, re.I) and not re.search(r"\ssrc\s*=", tag, re.I):
            kind = re.search(r"\stype\s*=\s*[\"']([^\"']+)", tag, re.I)
            if not kind or kind.group(1).lower() not in DATA_SCRIPT_TYPES:
                found.append(tag)
        if re.match(r"<style\b", tag, re.I):
            found.append(tag)
        if re.search(r"\sstyle\s*=", tag, re.I) or re.search(r"\son[a-z]+\s*=", tag, re.I):
            found.append(tag)
        if re.search(r"=\s*[\"']?\s*javascript:", tag, re.I):
            found.append(tag)
    return found


def csp_directives(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_secure_headers(response: Any, what: str) -> None:
    assert "Content-Security-Policy" in response, what
    csp = csp_directives(response)
    script_src = csp.get("script-src", csp.get("default-src"))
    assert script_src is not None, what
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, what
    assert "'unsafe-inline'" not in csp.get("style-src", csp["default-src"]), what
    assert csp["object-src"] == ["'none'"], what
    assert csp["frame-ancestors"] == ["'none'"], what
    assert response["X-Frame-Options"] == "DENY", what
    assert response["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin"), what
    assert response["X-Content-Type-Options"] == "nosniff", what


def test_pages_carry_the_security_headers(people, client_as) -> None:
    anonymous = Client()
    staff = client_as("staff")
    pages = [
        ("health check (no job loop runs here)", anonymous.get(reverse("healthz")), 503),
        ("login page", anonymous.get(reverse("account_login")), 200),
        ("redirect to login", anonymous.get(reverse("home")), 302),
        ("404 page", anonymous.get("/no-such-page/"), 404),
        ("home page", staff.get(reverse("home")), 200),
        ("library page", staff.get(reverse("library_detail", args=["new-madrid"])), 200),
        ("403 page", staff.get(reverse("staff_list", args=["new-madrid"])), 403),
        ("404 page signed in", staff.get("/libraries/nowhere/"), 404),
    ]
    for what, response, status in pages:
        assert response.status_code == status, what
        assert_secure_headers(response, what)
    # Pages of a signed-in person are never cached (a shared workstation's back button).
    assert "no-store" in staff.get(reverse("home"))["Cache-Control"]


def test_no_template_has_inline_script_or_style() -> None:
    """Every HTML template of the project works under the CSP: scripts and styles come
    from files, never from the page."""
    templates = sorted(PACKAGE_DIR.glob("**/templates/**/*.html"))
    assert len(templates) > 10
    offenders = {
        str(path.relative_to(PACKAGE_DIR)): found
        for path in templates
        if (found := inline_code(path.read_text(encoding="utf-8")))
    }
    assert not offenders, f"inline script/style in templates: {offenders}"
    assert inline_code('<p style="color:red" onclick="x()">') != []  # the scanner works
    assert inline_code("<script>alert(1)</script>") != []
    assert inline_code('<script src="/static/app.js"></script>') == []


def test_no_rendered_page_has_inline_script_or_style(people, client_as, ids) -> None:
    """The pages as served, allauth's included, for a director (everything open) and a
    staff member (no second factor): nothing inline for the CSP to block."""
    offenders = {}
    clients = {"anonymous": Client()}
    for who in ("director", "staff"):
        clients[who] = mark_reauthenticated(client_as(who), people[who])
    for route in all_routes():
        url = url_of(route, ids)
        for who, client in clients.items():
            response = client.get(url)
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                found = inline_code(response.content.decode())
                if found:
                    offenders[f"{url} as {who}"] = found
    assert not offenders, offenders


# --- Production mode --------------------------------------------------------------------


def _production_env(tmp: Path, **changes: str | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BOOKWARDEN_", "SECURE_", "SESSION_", "CSRF_"))
        and k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        BOOKWARDEN_PRODUCTION="1",
        SECRET_KEY=secrets.token_urlsafe(45)[:60],
        ALLOWED_HOSTS="library.example.org",
        BOOKWARDEN_DATA_DIR=str(tmp),
    )
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


RUNS: dict[str, tuple[list[str], dict[str, str | None]]] = {
    "deploy check": (["check", "--deploy", "--fail-level", "WARNING"], {}),
    "settings": (["diffsettings"], {}),
    "no secret key": (["check"], {"SECRET_KEY": None}),
    "no allowed hosts": (["check"], {"ALLOWED_HOSTS": None}),
    "insecure cookies": (["check"], {"SESSION_COOKIE_SECURE": "false"}),
    "demo": (["demo"], {}),
}


@pytest.fixture(scope="module")
def production_runs(tmp_path_factory) -> dict[str, subprocess.CompletedProcess[str]]:
    """``python -m bookwarden ...`` in production mode, all started at once (each is a
    fresh Python that imports Django: slow one after another)."""
    started = {}
    for name, (args, changes) in RUNS.items():
        tmp = tmp_path_factory.mktemp("data")
        started[name] = subprocess.Popen(
            [sys.executable, "-m", "bookwarden", *args],
            cwd=REPO_DIR,
            env=_production_env(tmp, **changes),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    done = {}
    for name, process in started.items():
        out, err = process.communicate(timeout=120)
        done[name] = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    return done


def test_production_passes_the_deploy_check(production_runs) -> None:
    run = production_runs["deploy check"]
    assert run.returncode == 0, run.stderr
    assert "no issues" in run.stdout + run.stderr


def test_production_turns_on_hsts_and_secure_cookies(production_runs) -> None:
    run = production_runs["settings"]
    assert run.returncode == 0, run.stderr
    values = dict(re.findall(r"^(\w+) = (.*?)(?:  ###)?$", run.stdout, re.M))
    assert int(values["SECURE_HSTS_SECONDS"]) > 0
    assert values["SECURE_SSL_REDIRECT"] == "True"
    assert values["SESSION_COOKIE_SECURE"] == "True"
    assert values["CSRF_COOKIE_SECURE"] == "True"
    assert values.get("DEBUG", "False") == "False"  # diffsettings omits defaults


@pytest.mark.parametrize(
    ("run", "names"),
    [
        ("no secret key", "SECRET_KEY"),
        ("no allowed hosts", "ALLOWED_HOSTS"),
        ("insecure cookies", "SESSION_COOKIE_SECURE"),
    ],
)
def test_production_refuses_to_start_half_configured(production_runs, run, names) -> None:
    result = production_runs[run]
    assert result.returncode != 0
    assert names in result.stderr
    assert "Refusing to start" in result.stderr


def test_production_refuses_the_demo(production_runs) -> None:
    run = production_runs["demo"]
    assert run.returncode != 0
    assert "production mode" in run.stderr
    assert "Demo loaded" not in run.stdout
