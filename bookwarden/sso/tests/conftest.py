"""Fixtures of the sign-in tests: a real OpenLDAP server and a real OpenID Connect provider on
loopback (started once per test process), and Bookwarden configured for them through the same
reader of variables as bookwarden/settings.py."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from bookwarden.sso import config

from .servers import (
    BIND_DN,
    BIND_PASSWORD,
    CLIENT_ID,
    CLIENT_SECRET,
    PEOPLE,
    PROVIDER_ID,
    Directory,
    Provider,
    oidc_provider,
    openldap,
)


class Env:
    """The variables of docs/sso.md, read as bookwarden/settings.py reads them."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def str(self, name: str, default: str | None = None) -> str | None:
        return self.values.get(name) or default

    def list(self, name: str, default: list[str] | None = None) -> list[str]:
        value = self.values.get(name)
        if value is None:
            return list(default or [])
        return [item.strip() for item in value.split(",") if item.strip()]

    def bool(self, name: str, default: bool) -> bool:
        value = self.values.get(name)
        return default if value is None else value.lower() in {"1", "true", "yes", "on"}


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Directory]:
    with openldap(tmp_path_factory.mktemp("slapd")) as server:
        yield server


@pytest.fixture(scope="session")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    with oidc_provider(tmp_path_factory.mktemp("oidc") / "provider") as server:
        yield server


def directory_env(directory: Directory, **more: str) -> dict[str, str]:
    return {
        "BOOKWARDEN_LDAP_URL": directory.url,
        "BOOKWARDEN_LDAP_BIND_DN": BIND_DN,
        "BOOKWARDEN_LDAP_BIND_PASSWORD": BIND_PASSWORD,
        "BOOKWARDEN_LDAP_SEARCH_BASE": PEOPLE,
        # The Active Directory filter of docs/sso.md, word for word.
        "BOOKWARDEN_LDAP_USER_FILTER": config.ACTIVE_DIRECTORY_FILTER,
        "BOOKWARDEN_LDAP_USERNAME_ATTRIBUTE": "sAMAccountName",
        **more,
    }


def apply_directory(settings: Any, env: dict[str, str]) -> None:
    """What the LDAP part of the settings block does with these variables."""
    reader = Env(env)
    for name, value in config.ldap_settings(reader.str, reader.list, reader.bool).items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "bookwarden.sso.directory.DirectoryBackend",
        "allauth.account.auth_backends.AuthenticationBackend",
    ]


@pytest.fixture
def with_directory(settings: Any, directory: Directory) -> Directory:
    """Bookwarden signs in against the test directory."""
    apply_directory(settings, directory_env(directory))
    return directory


def provider_env(provider: Provider, **more: str) -> dict[str, str]:
    prefix = f"BOOKWARDEN_OIDC_{PROVIDER_ID.upper()}_"
    return {
        "BOOKWARDEN_OIDC_PROVIDERS": PROVIDER_ID,
        prefix + "TITLE": "the library's test sign-in",
        prefix + "SERVER_URL": provider.server_url,
        prefix + "CLIENT_ID": CLIENT_ID,
        prefix + "SECRET": CLIENT_SECRET,
        **{prefix + key: value for key, value in more.items()},
    }


def apply_provider(settings: Any, env: dict[str, str]) -> None:
    """What the OpenID Connect part of the settings block does with these variables."""
    reader = Env(env)
    found = config.openid_connect_settings(reader.str, reader.list)
    settings.SOCIALACCOUNT_PROVIDERS = found["SOCIALACCOUNT_PROVIDERS"]
    settings.SSO_OPENID_CONNECT = found["SSO_OPENID_CONNECT"]
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"] += found["form_action_origins"]
    settings.CONTENT_SECURITY_POLICY = policy


@pytest.fixture
def with_provider(settings: Any, provider: Provider) -> Provider:
    """Bookwarden offers sign-in with the test provider, matching by verified e-mail."""
    apply_provider(settings, provider_env(provider, DOMAIN="new-madrid.example.org"))
    return provider
