"""Who calls the API: a person's token, sent as ``Authorization: Bearer bw_...`` (LV-3,
CC-7); or, on the alerts webhook, an alert source's secret.

Checked on every request, with nothing kept between requests: the token exists, its secret
matches (constant time), it is neither revoked nor expired, its owner's account is active
and the owner still holds a role at one of its libraries.  The person's roles are read
afresh and narrowed to the token's libraries (:class:`~.models.TokenUser`).  The idle lock
and the second-factor rules of the pages do not apply: a token was made by a person who
had signed in with their second factor where their role needs one.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from . import secret_keys
from .models import AlertSource, ApiToken, TokenUser

REFUSED = "This token is unknown, expired or revoked, or its owner's access has ended."
#: ``last_used_at`` is written at most this often, not on every request.
LAST_USED_EVERY = datetime.timedelta(minutes=1)


def _bearer(request: Request) -> str | None:
    """The bearer credential of the request; None when it sends none."""
    header = get_authorization_header(request)
    if not header:
        return None
    try:
        kind, _, value = header.decode("latin-1").strip().partition(" ")
    except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
        value = kind = ""
    if kind.lower() != "bearer" or not value.strip():
        raise AuthenticationFailed("Send the token as: Authorization: Bearer <token>.")
    return value.strip()


def user_of_token(text: str) -> tuple[TokenUser, ApiToken]:
    """The person a token acts for, with their roles at its libraries; refused otherwise."""
    parts = secret_keys.split_token(text)
    token = ApiToken.objects.filter(prefix=parts[0]).first() if parts else None
    if (
        parts is None
        or token is None
        or not secret_keys.matches(parts[1], token.secret_hash)
        or not token.is_live
    ):
        raise AuthenticationFailed(REFUSED)
    user = TokenUser.objects.filter(pk=token.user_id, is_active=True).first()
    if user is None:
        raise AuthenticationFailed(REFUSED)
    user.installation_role = ""
    user.token_library_ids = frozenset(token.libraries.values_list("pk", flat=True))
    if not user.active_memberships():
        raise AuthenticationFailed(REFUSED)
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return user, token


class TokenAuthentication(BaseAuthentication):
    """A person's API token (docs/api.md, "Tokens")."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        text = _bearer(request)
        return None if text is None else user_of_token(text)

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class AlertSourceAuthentication(BaseAuthentication):
    """The alerts webhook: the source named by the URL and its secret as a bearer token
    (docs/api.md, "Alerts").  The request acts as nobody: the entry is recorded by the
    installation on behalf of the source."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        text = _bearer(request)
        if text is None:
            return None
        key = request.parser_context["kwargs"].get("source_key", "")
        source = AlertSource.objects.filter(key=key, revoked_at__isnull=True).first()
        if source is None or not secret_keys.matches(text, source.secret_hash):
            raise AuthenticationFailed("Unknown alert source, wrong secret, or disconnected.")
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser(), source

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="alerts"'
