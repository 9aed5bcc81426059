"""What ships in deploy/, the Dockerfile and compose.yaml: the files they name exist, no
secret is written in them, the services are hardened, and the container's entry point
works (run here without a container: this machine has no container engine)."""

from __future__ import annotations

import configparser
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from .test_production_server import HOST, REPO_DIR, production_env, serving

DEPLOY = REPO_DIR / "deploy"


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((DEPLOY / name).read_text())
    return parser


def _compose() -> dict:
    return yaml.safe_load((REPO_DIR / "compose.yaml").read_text())


def test_the_dockerfile_builds_from_the_lock_file_as_a_non_root_user() -> None:
    text = (REPO_DIR / "Dockerfile").read_text()
    assert text.splitlines()[3:4] == ["FROM python:3.11-slim"] or "FROM python:3.11-slim" in text
    assert "pip install --require-hashes -r requirements.lock" in text
    assert "bookwarden collectstatic --noinput" in text
    assert re.search(r"^USER bookwarden$", text, re.M)
    assert 'ENTRYPOINT ["/usr/local/bin/bookwarden-entrypoint"]' in text
    for line in re.findall(r"^COPY (.+) \S+$", text, re.M):
        for source in line.split():
            assert (REPO_DIR / source).exists(), f"the Dockerfile copies {source}, not here"
    ignored = (REPO_DIR / ".dockerignore").read_text().split()
    assert {".git", ".venv", "data", "secrets", "bookwarden.env"} <= set(ignored)


def test_compose_runs_the_app_the_loop_and_postgresql_with_no_secret_in_the_file() -> None:
    compose = _compose()
    services = compose["services"]
    assert set(services) == {"db", "web", "jobs"}
    assert services["db"]["image"] == "postgres:15"
    assert services["web"]["command"] == ["web"] and services["jobs"]["command"] == ["jobs"]
    assert set(compose["volumes"]) == {"data", "pgdata"}
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    for name in ("web", "jobs"):
        assert "bookwarden-healthcheck" in " ".join(services[name]["healthcheck"]["test"])
    # Every secret is a file named by a *_FILE variable; the files are not in the repository.
    for service in services.values():
        for key, value in (service.get("environment") or {}).items():
            if re.search(r"PASSWORD|SECRET|DATABASE_URL", key):
                assert key.endswith("_FILE") and str(value).startswith("/run/secrets/"), key
    for secret in compose["secrets"].values():
        assert secret["file"].startswith("./secrets/")
    gitignore = (REPO_DIR / ".gitignore").read_text().split()
    assert "/secrets/" in gitignore and "/bookwarden.env" in gitignore
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (REPO_DIR / source).exists(), source


@pytest.mark.parametrize(
    ("unit", "command"),
    [
        ("bookwarden-web.service", "bookwarden serve"),
        ("bookwarden-jobs.service", "bookwarden jobs run"),
        ("bookwarden-migrate.service", "entrypoint.sh migrate"),
    ],
)
def test_the_systemd_units_are_hardened(unit, command) -> None:
    service = _unit(unit)["Service"]
    assert service["User"] == "bookwarden"
    assert service["EnvironmentFile"] == "/etc/bookwarden/bookwarden.env"
    assert service["ExecStart"].endswith(command)
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert service["ReadWritePaths"] == "/var/lib/bookwarden"
    assert service["CapabilityBoundingSet"] == ""
    if unit != "bookwarden-migrate.service":
        assert service["Restart"] == "on-failure"
    # The units run what the repository ships.
    assert (DEPLOY / "entrypoint.sh").exists()


def test_the_proxy_sends_the_header_the_app_trusts() -> None:
    caddy = (DEPLOY / "Caddyfile").read_text()
    assert "reverse_proxy 127.0.0.1:8000" in caddy
    assert "header_up X-Forwarded-Proto {scheme}" in caddy
    env = (DEPLOY / "bookwarden.env.example").read_text()
    assert "BOOKWARDEN_BEHIND_TLS_PROXY=1" in env and "BOOKWARDEN_BIND=127.0.0.1:8000" in env
    assert not re.search(r"^(SECRET_KEY|DATABASE_URL|EMAIL_HOST_PASSWORD)=", env, re.M)


def _health(port: int) -> tuple[int, dict]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": HOST})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_entry_point_migrates_serves_and_runs_the_loop(tmp_path: Path) -> None:
    """The container's entry point on an empty SQLite database: ``web`` migrates and serves
    (the health check answers, down until the loop runs); ``jobs --once`` runs the loop;
    then the health check is up, and the container's health check script agrees."""
    static = tmp_path / "static"
    env = production_env(
        tmp_path,
        BOOKWARDEN_STATIC_ROOT=str(static),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    )
    # What the image's build does.
    subprocess.run(
        [sys.executable, "-m", "bookwarden", "collectstatic", "--noinput", "-v", "0"],
        cwd=REPO_DIR,
        env=env,
        check=True,
        capture_output=True,
    )
    entrypoint = str(DEPLOY / "entrypoint.sh")
    with serving(env, (entrypoint, "web")) as port:
        code, answer = _health(port)
        assert code == 503 and answer["database"] == {"ok": True}
        assert answer["job_loop"]["ok"] is False

        def check(part: str) -> int:
            return subprocess.run(
                [sys.executable, str(DEPLOY / "healthcheck.py"), part],
                env={**env, "BOOKWARDEN_HEALTH_URL": f"http://127.0.0.1:{port}/healthz"},
                capture_output=True,
                check=False,
            ).returncode

        assert (check("web"), check("jobs")) == (0, 1)
        loop = subprocess.run(
            [entrypoint, "jobs", "--once"], env=env, capture_output=True, text=True, check=False
        )
        assert loop.returncode == 0, loop.stderr
        code, answer = _health(port)
        assert code == 200 and answer["job_loop"]["ok"] is True, answer
        assert all(job["ok"] for job in answer["jobs"]), answer["jobs"]
        assert (check("web"), check("jobs")) == (0, 0)
    # Nothing was created by itself: no library, no account (bookwarden setup does that).
    count = subprocess.run(
        [
            entrypoint,
            "shell",
            "-c",
            "from bookwarden.core.models import Library, User; "
            "print(Library.objects.count(), User.objects.count())",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert count.stdout.split()[-2:] == ["0", "0"]
