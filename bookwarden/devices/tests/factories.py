"""Devices for the tests and the authorization matrix, built through the actions."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from bookwarden.core.models import Branch, Library, User

from .. import actions
from ..models import Device, DeviceKind


def a_device(library: Library, name: str = "TEST-PC-01", **values: Any) -> Device:
    """A device of ``library`` (the first branch), added as the installation."""
    found = Device.objects.filter(library=library, name=name, retired_at__isnull=True).first()
    if found is not None:
        return found
    branch = values.pop("branch", None) or Branch.objects.filter(library=library).order_by("pk").first()
    values.setdefault("kind", DeviceKind.PUBLIC_COMPUTER)
    values.setdefault("last_patched_on", timezone.localdate() - datetime.timedelta(days=3))
    return actions.create_device(actor=None, library=library, branch=branch, name=name, **values)


def matrix_ids(people: dict[str, User], library: Library) -> dict[str, Any]:
    """URL arguments of every devices page, by URL key (for ``new_madrid_ids``)."""
    device = a_device(library, "MATRIX-PC-01")
    by_device = {"device_id": device.pk}
    return {
        key: by_device
        for key in (
            "devices:detail",
            "devices:edit",
            "devices:retire",
            "devices:isolate",
            "devices:return",
            "devices:patched",
        )
    }
