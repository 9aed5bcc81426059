"""Objects the authorization matrix names (``core/tests/helpers.py`` ``new_madrid_ids``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from bookwarden.core.models import Library, User
from bookwarden.credentials import actions
from bookwarden.credentials.models import Credential


def a_credential_of(library: Library) -> Credential:
    """A shared login of ``library``, added if it has none."""
    found = Credential.objects.filter(library=library).order_by("pk").first()
    if found is None:
        found = actions.add_credential(
            actor=None,
            library=library,
            system="Main router",
            kind="router",
            account_name="admin",
            manager_kind="bitwarden",
            manager_item="Network / Main router",
            last_changed_on=timezone.localdate() - datetime.timedelta(days=30),
        )
    return found


def matrix_ids(people: dict[str, User], library: Library) -> dict[str, Any]:
    return {"credential_id": a_credential_of(library).pk}
