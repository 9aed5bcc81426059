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
    branch = (
        values.pop("branch", None) or Branch.objects.filter(library=library).order_by("pk").first()
    )
    values.setdefault("kind", DeviceKind.PUBLIC_COMPUTER)
    values.setdefault("last_patched_on", timezone.localdate() - datetime.timedelta(days=3))
    return actions.create_device(actor=None, library=library, branch=branch, name=name, **values)


def isolated_device(library: Library) -> Device:
    """A device of ``library`` marked isolated (for returning it to service)."""
    device = a_device(library, "MATRIX-PC-02")
    if not device.is_isolated:
        device = actions.isolate_device(actor=None, device=device, reason="Test.")
    return device


def matrix_ids(people: dict[str, User], library: Library) -> dict[str, Any]:
    """URL arguments of every devices page, by URL key (for ``new_madrid_ids``)."""
    device = a_device(library, "MATRIX-PC-01")
    by_device = {"device_id": device.pk}
    return {
        "devices:return": {"device_id": isolated_device(library).pk},
        **{
            key: by_device
            for key in (
                "devices:detail",
                "devices:edit",
                "devices:retire",
                "devices:isolate",
                "devices:patched",
            )
        },
    }
