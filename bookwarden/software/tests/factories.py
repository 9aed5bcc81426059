"""Objects of New Madrid for the software tests and the authorization matrix
(bookwarden/core/tests): devices (made directly when the demo has none), a catalog entry
and a request waiting for a decision, made through the actions."""

from __future__ import annotations

from typing import Any

from bookwarden.core.models import Library, User
from bookwarden.devices.models import Device, DeviceKind

from .. import actions
from ..models import LicenseKind, RequestKind, RequestStatus, Software, SoftwareRequest

MATRIX_SOFTWARE = "Matrix PDF reader"


def device(library: Library, name: str, kind: str = DeviceKind.STAFF_COMPUTER) -> Device:
    """A device of ``library`` in service named ``name`` (the devices app's own pages make
    them; here a plain save is enough)."""
    found = Device.objects.filter(library=library, name=name).in_service().first()
    if found is None:
        found = Device.objects.create(library=library, name=name, kind=kind)
    return found


def software(library: Library, name: str = MATRIX_SOFTWARE, **values: Any) -> Software:
    """A catalog entry of ``library`` (free, unless ``values`` say otherwise)."""
    found = Software.objects.filter(library=library, name=name).first()
    if found is None:
        values.setdefault("license_kind", LicenseKind.FREE)
        found = actions.add_software(actor=None, library=library, name=name, **values)
    return found


def pending_request(library: Library, requester: User) -> SoftwareRequest:
    """``requester``'s request to install :func:`software` on a staff computer."""
    entry = software(library)
    pc = device(library, "MATRIX-PC-01")
    found = SoftwareRequest.objects.filter(
        software=entry, device=pc, status=RequestStatus.PENDING
    ).first()
    if found is None:
        found = actions.request_software(
            actor=requester, device=pc, kind=RequestKind.INSTALL, software=entry, reason="Forms."
        )
    return found


def matrix_ids(people: dict[str, User], library: Library) -> dict[str, Any]:
    """URL arguments of the software pages: a catalog entry, the staff member's request."""
    return {
        "software_id": software(library).pk,
        "software_request_id": pending_request(library, people["staff"]).pk,
    }
