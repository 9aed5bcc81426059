"""Tokens and alert sources for the API tests and the authorization matrix, made through
the actions."""

from __future__ import annotations

from typing import Any

from bookwarden.core.models import Library, User
from bookwarden.devices.tests.factories import a_device

from .. import actions
from ..models import AlertSource, ApiToken, Scope

#: The secret of the matrix's alert source (its hash is what is stored).
MATRIX_SOURCE_NAME = "Matrix firewall"


def a_token(
    user: User, *, scope: str = Scope.WRITE, libraries: list[Library] | None = None, **kw: Any
) -> tuple[ApiToken, str]:
    """A token of ``user`` (for all their libraries unless named) and its text."""
    chosen = libraries if libraries is not None else list(Library.objects.for_user(user))
    shown = actions.create_token(
        actor=user,
        name=kw.pop("name", "Test token"),
        scope=scope,
        libraries=chosen,
        second_factor_used=True,
        **kw,
    )
    assert isinstance(shown.obj, ApiToken)
    return shown.obj, shown.secret


def an_alert_source(library: Library, actor: User | None = None) -> tuple[AlertSource, str]:
    shown = actions.create_alert_source(actor=actor, library=library, name=MATRIX_SOURCE_NAME)
    assert isinstance(shown.obj, AlertSource)
    return shown.obj, shown.secret


def matrix_ids(people: dict[str, User], library: Library) -> dict[str, Any]:
    """URL arguments of every API page and endpoint, by URL key (for ``new_madrid_ids``): a
    token of the staff member, an alert source of New Madrid, a device."""
    token = ApiToken.objects.filter(user=people["staff"]).order_by("pk").first()
    if token is None:
        token, _ = a_token(people["staff"], libraries=[library])
    source = AlertSource.objects.filter(library=library).order_by("pk").first()
    if source is None:
        source, _ = an_alert_source(library)
    device = a_device(library, "MATRIX-PC-01")
    return {
        "api:token": {"token_id": token.pk},
        "api:token_revoke": {"token_id": token.pk},
        "api:alert_source": {"source_id": source.pk},
        "api:alert_source_revoke": {"source_id": source.pk},
        "api:alert": {"source_key": source.key},
        "api:device": {"device_id": device.pk},
    }
