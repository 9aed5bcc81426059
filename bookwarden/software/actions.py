"""Every write of software and its requests (CC-4, LV-6, LV-10).

- The catalog: :func:`add_software`, :func:`change_software` (MANAGE_IT_INVENTORY).
- Requests: :func:`request_software` (REQUEST_SOFTWARE: everyone who works at the library)
  and :func:`decide_request` (APPROVE_SOFTWARE: the technology coordinator, the director).
- An installation is recorded only by the approval of an install request, and ended only by
  the approval of a removal request: there is no other way to write one (CC-4, LV-6).
- An approver may decide their own request (in a small library the coordinator is often the
  only IT person); the request then says so (``self_approved``) and so does its audit event.
- An approval is refused, nothing written, when the software is not in the catalog, its
  license has expired, or a per-seat license has no free seat (LV-10): the approver refuses
  the request with that reason, or fixes the license in the catalog first.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Library, User
from bookwarden.core.permissions import require
from bookwarden.core.roles import Perm
from bookwarden.core.when import day
from bookwarden.core.wording import counted
from bookwarden.devices.models import Device

from .models import Installation, LicenseKind, RequestKind, RequestStatus, Software, SoftwareRequest

CATALOG_FIELDS = ("name", "publisher", "version", "license_kind", "seats", "license_expires_on")


def seats_used(software: Software) -> int:
    """How many devices have ``software`` installed now."""
    return Installation.objects.filter(software=software, removed_on__isnull=True).count()


def refusal_reason(software: Software | None, today: datetime.date | None = None) -> str:
    """Why ``software`` may not be installed on one more device, in words for the person
    who asked (LV-10), or "": not in the catalog, an expired license, or a per-seat license
    with every seat in use."""
    if software is None:
        return "Not licensed: this software is not in the library's catalog of approved software."
    today = today or timezone.localdate()
    if software.expired(today):
        expired_on = day(software.license_expires_on)
        return f"Not licensed: the license of {software} expired on {expired_on}."
    if software.license_kind == LicenseKind.PER_SEAT:
        used = seats_used(software)
        if used >= (software.seats or 0):
            return (
                f"No free seat: every seat of {software}'s license is in use "
                f"({counted(used, 'device')} of {software.seats or 0})."
            )
    return ""


def license_problem(software: Software | None, today: datetime.date | None = None) -> str:
    """:func:`refusal_reason` with what the approver can do about it, or ""."""
    reason = refusal_reason(software, today)
    if not reason:
        return ""
    if software is None:
        fix = "Add it to the catalog with its license first, or refuse the request."
    elif software.expired(today or timezone.localdate()):
        fix = "Renew the license in the catalog first, or refuse the request."
    else:
        fix = "Buy more seats and change the catalog first, or refuse the request."
    return f"{reason} {fix}"


def _clean_catalog(library: Library, values: dict[str, Any], exclude: int | None = None) -> None:
    values["name"] = (values.get("name") or "").strip()
    if not values["name"]:
        raise ValidationError({"name": "Give the software's name."})
    if values.get("license_kind") not in LicenseKind.values:
        raise ValidationError({"license_kind": "Choose the kind of license."})
    if values["license_kind"] == LicenseKind.PER_SEAT:
        if not values.get("seats"):
            raise ValidationError({"seats": "Say how many seats the license has."})
    else:
        values["seats"] = None
    same_name = Software.objects.filter(library=library, name__iexact=values["name"])
    if exclude is not None:
        same_name = same_name.exclude(pk=exclude)
    if same_name.exists():
        raise ValidationError({"name": "This software is already in the catalog."})


@transaction.atomic
def add_software(
    *,
    actor: User | None,
    library: Library,
    name: str,
    license_kind: str,
    publisher: str = "",
    version: str = "",
    seats: int | None = None,
    license_expires_on: datetime.date | None = None,
    notes: str = "",
) -> Software:
    """CC-4: add software to the library's catalog of approved software, with its license."""
    require(actor, Perm.MANAGE_IT_INVENTORY, library)
    values: dict[str, Any] = {
        "name": name,
        "publisher": publisher.strip(),
        "version": version.strip(),
        "license_kind": license_kind,
        "seats": seats,
        "license_expires_on": license_expires_on,
    }
    _clean_catalog(library, values)
    software = Software.objects.create(
        library=library, notes=notes.strip(), created_by=actor, **values
    )
    record(
        AuditAction.SOFTWARE_ADDED,
        actor=actor,
        target=software,
        library=library,
        after=_catalog_event(software),
    )
    return software


@transaction.atomic
def change_software(*, actor: User | None, software: Software, **changes: Any) -> Software:
    """CC-4, LV-10: change a catalog entry (a renewed license, more seats).  The seats may
    not go below the devices where it is installed now."""
    require(actor, Perm.MANAGE_IT_INVENTORY, software.library)
    software = Software.objects.select_for_update().get(pk=software.pk)
    values = {f: changes.get(f, getattr(software, f)) for f in CATALOG_FIELDS}
    values["publisher"] = (values["publisher"] or "").strip()
    values["version"] = (values["version"] or "").strip()
    _clean_catalog(software.library, values, exclude=software.pk)
    used = seats_used(software)
    if values["license_kind"] == LicenseKind.PER_SEAT and values["seats"] < used:
        raise ValidationError(
            {"seats": f"It is installed on {counted(used, 'device')}: ask for removals first."}
        )
    before = _catalog_event(software)
    for field, value in values.items():
        setattr(software, field, value)
    software.notes = (changes.get("notes", software.notes) or "").strip()
    software.save()
    record(
        AuditAction.SOFTWARE_CHANGED,
        actor=actor,
        target=software,
        library=software.library,
        before=before,
        after=_catalog_event(software),
    )
    return software


def _catalog_event(software: Software) -> dict[str, Any]:
    return {
        "name": software.name,
        "version": software.version,
        "license_kind": software.license_kind,
        "seats": software.seats,
        "license_expires_on": (
            software.license_expires_on.isoformat() if software.license_expires_on else None
        ),
    }


@transaction.atomic
def request_software(
    *,
    actor: User,
    device: Device,
    kind: str,
    reason: str,
    software: Software | None = None,
    new_software_name: str = "",
) -> SoftwareRequest:
    """LV-6: ask to install or remove software on a device, with the reason.

    For an install, choose catalog software or name software not in the catalog yet; a
    removal names software installed on the device.
    """
    library = device.library
    require(actor, Perm.REQUEST_SOFTWARE, library)
    reason = reason.strip()
    new_software_name = new_software_name.strip()
    if device.retired_at is not None:
        raise ValidationError({"device": "This device is no longer in service."})
    if not reason:
        raise ValidationError({"reason": "Say why it is needed."})
    if software is not None and software.library_id != library.pk:
        raise ValidationError({"software": "Choose software of the device's library."})
    if software is not None and new_software_name:
        raise ValidationError(
            {"new_software_name": "Choose software from the list or name new software, not both."}
        )
    installed = software is not None and (
        Installation.objects.current().filter(software=software, device=device).exists()
    )
    if kind == RequestKind.INSTALL:
        if software is None and not new_software_name:
            raise ValidationError(
                {"software": "Choose the software, or name it if it is not in the list."}
            )
        if installed:
            raise ValidationError({"software": f"{software} is already installed on {device}."})
    elif kind == RequestKind.REMOVE:
        if software is None:
            raise ValidationError({"software": "Choose the software to remove."})
        if not installed:
            raise ValidationError({"software": f"{software} is not installed on {device}."})
    else:
        raise ValidationError({"kind": "Choose install or remove."})
    waiting = SoftwareRequest.objects.filter(device=device, kind=kind, status=RequestStatus.PENDING)
    if software is not None and waiting.filter(software=software).exists():
        raise ValidationError("The same request is already waiting for a decision.")
    request = SoftwareRequest.objects.create(
        library=library,
        kind=kind,
        software=software,
        new_software_name=new_software_name,
        device=device,
        reason=reason,
        requested_by=actor,
    )
    record(
        AuditAction.SOFTWARE_REQUESTED,
        actor=actor,
        target=request,
        library=library,
        after={
            "kind": kind,
            "software_id": software.pk if software else None,
            "new_software": bool(new_software_name),
            "device_id": device.pk,
        },
    )
    return request


@transaction.atomic
def decide_request(
    *,
    actor: User | None,
    request: SoftwareRequest,
    approve: bool,
    note: str = "",
    software: Software | None = None,
) -> SoftwareRequest:
    """CC-4, LV-6, LV-10: approve or refuse a request, with a note.

    ``software`` links a request for software not in the catalog to the entry the approver
    added.  Approving an install records the installation; approving a removal ends it.
    Approval is refused (nothing written) for unlicensed software or a license without a
    free seat; a refusal needs its reason in the note.
    """
    require(actor, Perm.APPROVE_SOFTWARE, request.library)
    request = SoftwareRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
    if request.status != RequestStatus.PENDING:
        raise ValidationError("This request has already been decided.")
    note = note.strip()
    if software is not None and software.pk != request.software_id:
        if request.software_id is not None:
            raise ValidationError({"software": "This request already names its software."})
        if software.library_id != request.library_id:
            raise ValidationError({"software": "Choose software of the request's library."})
        request.software = software
    today = timezone.localdate()
    if approve:
        _approve(request, today)
    elif not note:
        raise ValidationError({"note": "Say why the request is refused."})
    request.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note
    request.self_approved = actor is not None and actor.pk == request.requested_by_id
    request.save()
    record(
        AuditAction.SOFTWARE_REQUEST_APPROVED if approve else AuditAction.SOFTWARE_REQUEST_REFUSED,
        actor=actor,
        target=request,
        library=request.library,
        after={
            "software_id": request.software_id,
            "device_id": request.device_id,
            "self_approved": request.self_approved,
        },
    )
    if approve:
        _record_installation_change(actor, request, today)
    return request


def _approve(request: SoftwareRequest, today: datetime.date) -> None:
    """Refuse (ValidationError) an approval the license or the device does not allow."""
    if request.kind == RequestKind.INSTALL:
        # Lock the catalog entry, so that two approvals at once cannot take the last seat.
        if request.software_id is not None:
            Software.objects.select_for_update().filter(pk=request.software_id).first()
        if problem := license_problem(request.software, today):
            raise ValidationError(problem)
        if (
            Installation.objects.current()
            .filter(software=request.software, device=request.device)
            .exists()
        ):
            raise ValidationError(f"{request.software} is already installed on {request.device}.")
    elif not _current_installation(request):
        raise ValidationError(f"{request.software} is no longer installed on {request.device}.")


def _current_installation(request: SoftwareRequest) -> Installation | None:
    return (
        Installation.objects.current()
        .select_for_update()
        .filter(software=request.software, device=request.device)
        .first()
    )


def _record_installation_change(
    actor: User | None, request: SoftwareRequest, today: datetime.date
) -> None:
    assert request.software is not None
    if request.kind == RequestKind.INSTALL:
        installation = Installation.objects.create(
            library=request.library,
            software=request.software,
            device=request.device,
            installed_on=today,
            request=request,
        )
        action = AuditAction.SOFTWARE_INSTALLATION_RECORDED
    else:
        found = _current_installation(request)
        assert found is not None
        installation = found
        installation.removed_on = today
        installation.removal_request = request
        installation.save(update_fields=["removed_on", "removal_request"])
        action = AuditAction.SOFTWARE_INSTALLATION_REMOVED
    record(
        action,
        actor=actor,
        target=installation,
        library=request.library,
        after={
            "software_id": installation.software_id,
            "device_id": installation.device_id,
            "request_id": request.pk,
        },
    )
