"""The variables of docs/sso.md reach the settings (bookwarden/settings.py's block), secrets
through *_FILE; with none set, sign-in is unchanged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from bookwarden.sso import config

from .conftest import Env

SHOW = """
import json
from django.conf import settings
print(json.dumps({
    "backends": settings.AUTHENTICATION_BACKENDS,
    "apps": settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"],
    "rules": settings.SSO_OPENID_CONNECT,
    "ldap": settings.SSO_LDAP,
    "bind_password": getattr(settings, "LDAP_AUTH_CONNECTION_PASSWORD", None),
    "form_action": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"],
}))
"""


def _settings_with(tmp_path: Path, **env: str) -> dict:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BOOKWARDEN_OIDC", "BOOKWARDEN_LDAP"))
    }
    clean |= {"DJANGO_SETTINGS_MODULE": "bookwarden.settings", "BOOKWARDEN_DATA_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + SHOW],
        env=clean | env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_nothing_changes_when_nothing_is_configured(tmp_path):
    found = _settings_with(tmp_path)
    assert found["backends"] == [
        "axes.backends.AxesStandaloneBackend",
        "allauth.account.auth_backends.AuthenticationBackend",
    ]
    assert (found["apps"], found["rules"], found["ldap"]) == ([], {}, {})
    assert found["form_action"] == ["'self'"]


def test_variables_and_secret_files_reach_the_settings(tmp_path):
    (tmp_path / "google").write_text("google-secret\n")
    (tmp_path / "bind").write_text("bind-secret\n")
    found = _settings_with(
        tmp_path,
        BOOKWARDEN_OIDC_PROVIDERS="google",
        BOOKWARDEN_OIDC_GOOGLE_TITLE="Google Workspace",
        BOOKWARDEN_OIDC_GOOGLE_SERVER_URL="https://accounts.google.com",
        BOOKWARDEN_OIDC_GOOGLE_CLIENT_ID="client",
        BOOKWARDEN_OIDC_GOOGLE_SECRET_FILE=str(tmp_path / "google"),
        BOOKWARDEN_OIDC_GOOGLE_DOMAIN="newmadridlibrary.org",
        BOOKWARDEN_LDAP_URL="ldaps://dc1.newmadrid.local",
        BOOKWARDEN_LDAP_SEARCH_BASE="OU=Staff,DC=newmadrid,DC=local",
        BOOKWARDEN_LDAP_BIND_PASSWORD_FILE=str(tmp_path / "bind"),
        BOOKWARDEN_LDAP_USER_FILTER=config.ACTIVE_DIRECTORY_FILTER,
    )
    [app] = found["apps"]
    assert app == {
        "provider_id": "google",
        "name": "Google Workspace",
        "client_id": "client",
        "secret": "google-secret",
        "settings": {"server_url": "https://accounts.google.com"},
    }
    assert found["rules"]["google"]["match"] == "email"
    assert found["rules"]["google"]["domain"] == "newmadridlibrary.org"
    assert found["backends"][1] == "bookwarden.sso.directory.DirectoryBackend"
    assert found["bind_password"] == "bind-secret"
    assert found["ldap"]["user_filter"] == config.ACTIVE_DIRECTORY_FILTER
    assert "https://accounts.google.com" in found["form_action"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BOOKWARDEN_OIDC_PROVIDERS": "bad name"}, "letters, digits and dashes"),
        (
            {
                "BOOKWARDEN_OIDC_PROVIDERS": "x",
                "BOOKWARDEN_OIDC_X_SERVER_URL": "https://idp.example.org",
                "BOOKWARDEN_OIDC_X_CLIENT_ID": "c",
                "BOOKWARDEN_OIDC_X_SECRET": "s",
                "BOOKWARDEN_OIDC_X_MATCH": "name",
            },
            "MATCH must be email or username",
        ),
    ],
)
def test_mistakes_stop_the_start(env, message):
    reader = Env(env)
    with pytest.raises(ImproperlyConfigured, match=message):
        config.openid_connect_settings(reader.str, reader.list)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BOOKWARDEN_LDAP_URL": "http://dc1"}, "not ldap:// or ldaps://"),
        ({"BOOKWARDEN_LDAP_URL": "ldap://dc1"}, "BOOKWARDEN_LDAP_SEARCH_BASE must be set"),
        (
            {
                "BOOKWARDEN_LDAP_URL": "ldap://dc1",
                "BOOKWARDEN_LDAP_SEARCH_BASE": "dc=x",
                "BOOKWARDEN_LDAP_USER_FILTER": "(uid=someone)",
            },
            "must contain {username}",
        ),
    ],
)
def test_directory_mistakes_stop_the_start(env, message):
    reader = Env(env)
    with pytest.raises(ImproperlyConfigured, match=message):
        config.ldap_settings(reader.str, reader.list, reader.bool)
