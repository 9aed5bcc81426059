"""Sign-in with the library's accounts, read from the environment (docs/sso.md).

``bookwarden/settings.py`` calls :func:`openid_connect_settings` and :func:`ldap_settings`
with its own readers of variables (``NAME`` or, for secrets, the file named by
``NAME_FILE``), and adds what they return only when something is configured: with none of
these variables set, sign-in is exactly the password and the second factor.

This module is read while the settings load: it imports no model and nothing of Django's
apps.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

Reader = Callable[..., Any]

#: How the outside identity is matched to a Bookwarden account (docs/sso.md, "Matching").
MATCH_EMAIL = "email"
MATCH_USERNAME = "username"

#: ``amr`` values (RFC 8176) that say the provider checked more than a password.
DEFAULT_SECOND_FACTOR_AMR = ["mfa", "otp", "hwk"]

#: Active Directory: a person account, by its sign-in name, not disabled (bit 2 of
#: userAccountControl, tested with the bitwise-AND matching rule).
ACTIVE_DIRECTORY_FILTER = (
    "(&(objectCategory=person)(objectClass=user)(sAMAccountName={username})"
    "(!(userAccountControl:1.2.840.113556.1.4.803:=2)))"
)
DEFAULT_LDAP_FILTER = "(&(objectClass=inetOrgPerson)(uid={username}))"

_PROVIDER_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}$")


def _required(env_str: Reader, name: str) -> str:
    value: str | None = env_str(name)
    if not value:
        raise ImproperlyConfigured(f"{name} must be set (docs/sso.md). Refusing to start.")
    return value


def _origin(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.netloc:
        raise ImproperlyConfigured(f"{url!r} is not an http(s) address (docs/sso.md).")
    return f"{parts.scheme}://{parts.netloc}"


def openid_connect_settings(env_str: Reader, env_list: Reader) -> dict[str, Any]:
    """The OpenID Connect providers named by ``BOOKWARDEN_OIDC_PROVIDERS`` (for example
    ``google,entra``), each configured by ``BOOKWARDEN_OIDC_<NAME>_...``.

    Returns the settings to add: allauth's ``SOCIALACCOUNT_PROVIDERS`` apps, Bookwarden's
    rules per provider (``SSO_OPENID_CONNECT``) and the providers' addresses that the
    sign-in form may be sent on to (the CSP's ``form-action``).  Empty when none is named.
    """
    apps: list[dict[str, Any]] = []
    rules: dict[str, dict[str, Any]] = {}
    origins: list[str] = []
    for name in env_list("BOOKWARDEN_OIDC_PROVIDERS"):
        provider_id = name.lower()
        if not _PROVIDER_NAME.match(provider_id):
            raise ImproperlyConfigured(
                f"BOOKWARDEN_OIDC_PROVIDERS: {name!r} must be letters, digits and dashes, "
                "starting with a letter (for example google or entra)."
            )
        prefix = f"BOOKWARDEN_OIDC_{provider_id.upper().replace('-', '_')}_"
        server_url = _required(env_str, prefix + "SERVER_URL")
        match = (env_str(prefix + "MATCH") or MATCH_EMAIL).lower()
        if match not in {MATCH_EMAIL, MATCH_USERNAME}:
            raise ImproperlyConfigured(f"{prefix}MATCH must be email or username, not {match!r}.")
        apps.append(
            {
                "provider_id": provider_id,
                "name": env_str(prefix + "TITLE") or name,
                "client_id": _required(env_str, prefix + "CLIENT_ID"),
                "secret": _required(env_str, prefix + "SECRET"),
                "settings": {"server_url": server_url},
            }
        )
        domain = (env_str(prefix + "DOMAIN") or "").lower().lstrip("@")
        rules[provider_id] = {
            "match": match,
            "username_claim": env_str(prefix + "USERNAME_CLAIM") or "preferred_username",
            "domain": domain,
            "second_factor_amr": [
                value.lower()
                for value in env_list(prefix + "SECOND_FACTOR_AMR", DEFAULT_SECOND_FACTOR_AMR)
            ],
            "second_factor_acr": env_list(prefix + "SECOND_FACTOR_ACR"),
        }
        origins.append(_origin(server_url))
        origins.extend(_origin(url) for url in env_list(prefix + "FORM_ACTION_ORIGINS"))
    if not apps:
        return {}
    return {
        "SOCIALACCOUNT_PROVIDERS": {"openid_connect": {"APPS": apps}},
        "SSO_OPENID_CONNECT": rules,
        "form_action_origins": sorted(set(origins)),
    }


def ldap_settings(env_str: Reader, env_list: Reader, env_bool: Reader) -> dict[str, Any]:
    """The LDAP or Active Directory server of ``BOOKWARDEN_LDAP_URL``, as the settings of
    django-python3-ldap (``LDAP_AUTH_*``: how to reach and bind to the server) and
    Bookwarden's own (``SSO_LDAP``: how a person is found and matched).  Empty when no
    server is named."""
    urls = env_list("BOOKWARDEN_LDAP_URL")
    if not urls:
        return {}
    for url in urls:
        if urlsplit(url).scheme not in {"ldap", "ldaps"}:
            raise ImproperlyConfigured(f"BOOKWARDEN_LDAP_URL: {url!r} is not ldap:// or ldaps://.")
    user_filter = env_str("BOOKWARDEN_LDAP_USER_FILTER") or DEFAULT_LDAP_FILTER
    if "{username}" not in user_filter:
        raise ImproperlyConfigured("BOOKWARDEN_LDAP_USER_FILTER must contain {username}.")
    start_tls = env_bool("BOOKWARDEN_LDAP_START_TLS", False)
    tls_args: dict[str, Any] = {"validate": ssl.CERT_REQUIRED}
    if ca_file := env_str("BOOKWARDEN_LDAP_CA_FILE"):
        tls_args["ca_certs_file"] = ca_file
    connect_args: dict[str, Any] = {}
    if any(url.startswith("ldaps://") for url in urls) and not start_tls:
        import ldap3

        connect_args["tls"] = ldap3.Tls(**tls_args)
    return {
        "LDAP_AUTH_URL": urls,
        "LDAP_AUTH_USE_TLS": start_tls,
        "LDAP_AUTH_TLS_ARGS": tls_args,
        "LDAP_AUTH_CONNECT_ARGS": connect_args,
        "LDAP_AUTH_CONNECTION_USERNAME": env_str("BOOKWARDEN_LDAP_BIND_DN"),
        "LDAP_AUTH_CONNECTION_PASSWORD": env_str("BOOKWARDEN_LDAP_BIND_PASSWORD"),
        # Bookwarden binds with whole names (the bind DN, then the DN the search found).
        "LDAP_AUTH_FORMAT_USERNAME": "bookwarden.sso.directory.bind_name",
        "LDAP_AUTH_SEARCH_BASE": _required(env_str, "BOOKWARDEN_LDAP_SEARCH_BASE"),
        "LDAP_AUTH_CONNECT_TIMEOUT": 5,
        "LDAP_AUTH_RECEIVE_TIMEOUT": 10,
        # Try each server once: ldap3's default pool waits for one forever, holding the
        # sign-in page while the directory is down.
        "LDAP_AUTH_POOL_ACTIVE": 1,
        "SSO_LDAP": {
            "user_filter": user_filter,
            "username_attribute": env_str("BOOKWARDEN_LDAP_USERNAME_ATTRIBUTE") or "uid",
            "local_password_accounts": [
                name.casefold() for name in env_list("BOOKWARDEN_LDAP_LOCAL_PASSWORD_ACCOUNTS")
            ],
        },
    }
