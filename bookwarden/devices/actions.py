"""Every write of the devices app (CC-7, CC-3, CR-6d, CC-4): the inventory, patches, the
weekly check of public computers, isolation.  Each is atomic, checks permission first and
records its audit event in the same transaction (docs/devices.md)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from bookwarden.audit.actions import changes, record
from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Branch, Library
from bookwarden.core.permissions import require
from bookwarden.core.roles import Perm
from bookwarden.core.when import zone_of

from .models import (
    DEFAULT_PATCH_TARGET_DAYS,
    Device,
    DeviceKind,
    DeviceSettings,
    PatchRecord,
    PublicComputerCheck,
)

if TYPE_CHECKING:
    from bookwarden.core.models import User
    from bookwarden.operations.models import LogEntry

#: The fields a person edits, in the form's order (``branch`` apart).
DEVICE_FIELDS = [
    "kind",
    "name",
    "operating_system",
    "antivirus",
    "firewall",
    "intrusion_detection",
    "last_patched_on",
    "remote_access",
    "remote_access_authenticated",
    "remote_access_encrypted",
    "reset_mechanism",
    "notes",
]
_AUDITED = ["branch", *DEVICE_FIELDS]
#: The reason given to a device isolated because an enforcement suspension names it.
SUSPENSION_REASON = "Its workstation is suspended by an enforcement case."


# --- the time rules ---------------------------------------------------------------------


def library_today(library: Library) -> datetime.date:
    return timezone.localtime(timezone.now(), zone_of(library)).date()


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of the week (Monday to Sunday) that holds ``day``."""
    return day - datetime.timedelta(days=day.weekday())


def patch_target_days(library: Library) -> int:
    # A missing reverse one-to-one raises an AttributeError: no settings, the default.
    row = getattr(library, "device_settings", None)
    return DEFAULT_PATCH_TARGET_DAYS if row is None else row.patch_target_days


def patch_due_on(device: Device, target_days: int) -> datetime.date | None:
    """The day after which the device is overdue; ``None``: never patched (overdue now)."""
    if device.last_patched_on is None:
        return None
    return device.last_patched_on + datetime.timedelta(days=target_days)


def is_overdue(device: Device, target_days: int, today: datetime.date) -> bool:
    due = patch_due_on(device, target_days)
    return due is None or due < today


# --- the inventory ----------------------------------------------------------------------


def _check_device(device: Device, branch: Branch | None) -> None:
    if branch is not None and branch.library_id != device.library_id:
        raise ValidationError({"branch": "Choose a branch of this library."})
    device.branch = branch
    device.name = device.name.strip()
    if not device.name:
        raise ValidationError({"name": "Give the device its name."})
    if device.kind not in DeviceKind.values:
        raise ValidationError({"kind": "Choose what kind of device it is."})
    if device.last_patched_on and device.last_patched_on > library_today(device.library):
        raise ValidationError({"last_patched_on": "The day of the last patch is in the future."})
    if not device.remote_access:
        device.remote_access_authenticated = device.remote_access_encrypted = False
    taken = (
        Device.objects.in_service()
        .filter(library_id=device.library_id, name__iexact=device.name)
        .exclude(pk=device.pk)
    )
    if taken.exists():
        raise ValidationError({"name": "Another device of this library has this name."})


@transaction.atomic
def create_device(
    *, actor: User | None, library: Library, branch: Branch | None = None, **values: Any
) -> Device:
    """CC-7: add a device to the library's inventory."""
    require(actor, Perm.MANAGE_IT_INVENTORY, library)
    unknown = set(values) - set(DEVICE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown device fields: {sorted(unknown)}")
    device = Device(library=library, created_by=actor, **values)
    _check_device(device, branch)
    device.save()
    record(
        AuditAction.DEVICE_ADDED,
        actor=actor,
        target=device,
        library=library,
        after=changes(device, _AUDITED),
    )
    return device


def _locked(device: Device) -> Device:
    return (
        Device.objects.select_for_update(of=("self",)).select_related("library").get(pk=device.pk)
    )


@transaction.atomic
def update_device(
    *, actor: User | None, device: Device, branch: Branch | None = None, **values: Any
) -> tuple[Device, bool]:
    """CC-7: change a device; ``(device, changed)``, with no event when nothing changed."""
    require(actor, Perm.MANAGE_IT_INVENTORY, device.library_id)
    device = _locked(device)
    if device.retired_at:
        raise ValidationError("This device is retired.")
    before = changes(device, _AUDITED)
    for name, value in values.items():
        if name not in DEVICE_FIELDS:
            raise TypeError(f"Unknown device field: {name}")
        setattr(device, name, value.strip() if isinstance(value, str) else value)
    _check_device(device, branch)
    after = changes(device, _AUDITED)
    if after == before:
        return device, False
    device.save()
    record(
        AuditAction.DEVICE_CHANGED,
        actor=actor,
        target=device,
        library=device.library,
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
    )
    return device, True


@transaction.atomic
def retire_device(*, actor: User | None, device: Device) -> Device:
    """The device left service: it stays in the history, off the lists and the tasks."""
    require(actor, Perm.MANAGE_IT_INVENTORY, device.library_id)
    device = _locked(device)
    if device.retired_at:
        raise ValidationError("This device is already retired.")
    device.retired_at = timezone.now()
    device.save(update_fields=["retired_at"])
    record(AuditAction.DEVICE_RETIRED, actor=actor, target=device, library=device.library)
    return device


@transaction.atomic
def update_settings(*, actor: User | None, library: Library, patch_target_days: int) -> None:
    """The director sets how old a patch may be before a device is overdue (CC-7)."""
    require(actor, Perm.MANAGE_SETTINGS, library)
    if not 1 <= patch_target_days <= 365:
        raise ValidationError({"patch_target_days": "Choose between 1 and 365 days."})
    row, _ = DeviceSettings.objects.select_for_update().get_or_create(library=library)
    before = row.patch_target_days
    row.patch_target_days = patch_target_days
    row.changed_at, row.changed_by = timezone.now(), actor
    row.save()
    record(
        AuditAction.DEVICE_SETTINGS_CHANGED,
        actor=actor,
        target=row,
        library=library,
        before={"patch_target_days": before},
        after={"patch_target_days": patch_target_days},
    )


# --- patching ---------------------------------------------------------------------------


@transaction.atomic
def record_patches(
    *,
    actor: User | None,
    devices: Iterable[Device],
    patched_on: datetime.date,
    entry: LogEntry | None = None,
) -> list[PatchRecord]:
    """CC-7: the devices were patched on ``patched_on``; one record and one audit event per
    device.  ``entry``: the operations log entry that recorded the work.  A device already
    patched more recently keeps its later day."""
    chosen = list(devices)
    if not chosen:
        raise ValidationError({"devices": "Choose at least one device."})
    libraries = {d.library_id for d in chosen}
    if len(libraries) != 1:
        raise ValidationError({"devices": "Choose devices of one library at a time."})
    library = Library.objects.get(pk=libraries.pop())
    require(actor, Perm.MANAGE_IT_INVENTORY, library)
    if entry is not None and entry.library_id != library.pk:
        raise ValidationError({"entry": "Choose an entry of this library's operations log."})
    if patched_on > library_today(library):
        raise ValidationError({"patched_on": "The day is in the future."})
    locked = Device.objects.select_for_update(of=("self",)).filter(pk__in=[d.pk for d in chosen])
    records = []
    for device in locked:
        if device.retired_at:
            raise ValidationError({"devices": f"{device.name} is retired."})
        patch = PatchRecord.objects.create(
            device=device, patched_on=patched_on, entry=entry, recorded_by=actor
        )
        if device.last_patched_on is None or device.last_patched_on < patched_on:
            device.last_patched_on = patched_on
            device.save(update_fields=["last_patched_on"])
        record(
            AuditAction.DEVICE_PATCHED,
            actor=actor,
            target=device,
            library=library,
            after={
                "patched_on": patched_on,
                "patch": patch.pk,
                "entry": entry.pk if entry else None,
                "last_patched_on": device.last_patched_on,
            },
        )
        records.append(patch)
    return records


def devices_named_by(entry: LogEntry) -> list[Device]:
    """The library's devices in service whose names are lines of the entry's devices."""
    names = {name.lower() for name in entry.device_list}
    if not names:
        return []
    found = Device.objects.in_service().filter(library_id=entry.library_id)
    return [d for d in found if d.name.lower() in names]


@transaction.atomic
def apply_patching_entry(*, actor: User | None, entry: LogEntry) -> list[PatchRecord]:
    """A patching entry of the operations log updates the devices it names (one name a
    line, as written on the entry), each once: a second run changes nothing."""
    from bookwarden.operations.models import EntryKind

    if entry.kind != EntryKind.PATCHING:
        raise ValidationError("Only a patching entry updates devices.")
    done = set(PatchRecord.objects.filter(entry=entry).values_list("device_id", flat=True))
    todo = [d for d in devices_named_by(entry) if d.pk not in done]
    if not todo:
        return []
    day = timezone.localtime(entry.occurred_at, zone_of(entry.library)).date()
    return record_patches(actor=actor, devices=todo, patched_on=day, entry=entry)


# --- public computers (CC-3, CR-6d) -----------------------------------------------------


@transaction.atomic
def record_public_check(
    *,
    actor: User | None,
    branch: Branch,
    no_history: bool,
    no_cookies: bool,
    no_files: bool,
    no_sessions: bool,
    note: str = "",
    at: datetime.datetime | None = None,
) -> PublicComputerCheck:
    """CC-3, CR-6d: the weekly check of a branch's public computers after logging out of a
    test session.  It passes when nothing was left; a failure opens a maintenance entry on
    the operations log for those who run it."""
    library = branch.library
    require(actor, Perm.CHECK_PUBLIC_COMPUTERS, library)
    if at is not None and actor is not None:
        raise PermissionDenied("Only the command line and the demo record a past check.")
    passed = no_history and no_cookies and no_files and no_sessions
    note = note.strip()
    if not passed and not note:
        raise ValidationError({"note": "Say what was left behind and on which computer."})
    now = at or timezone.now()
    check = PublicComputerCheck(
        library=library,
        branch=branch,
        week_of=week_of(timezone.localtime(now, zone_of(library)).date()),
        checked_at=now,
        checked_by=actor,
        no_history=no_history,
        no_cookies=no_cookies,
        no_files=no_files,
        no_sessions=no_sessions,
        passed=passed,
        note=note,
    )
    if not passed:
        from bookwarden.operations.actions import create_entry
        from bookwarden.operations.models import EntryKind

        left = [
            what
            for ok, what in (
                (no_history, "browsing history"),
                (no_cookies, "cookies"),
                (no_files, "files"),
                (no_sessions, "open sessions"),
            )
            if not ok
        ]
        # The person checking may not run the log: the entry is written for them.
        check.followup = create_entry(
            actor=None,
            reported_by=actor,
            library=library,
            branch=branch,
            kind=EntryKind.MAINTENANCE,
            title=f"Public computers at {branch.name} kept a user's traces",
            narrative=f"The weekly check found {', '.join(left)} left after logging out. {note}",
            occurred_at=now,
            recorded_at=at,
            devices="\n".join(
                Device.objects.in_service()
                .filter(branch=branch, kind=DeviceKind.PUBLIC_COMPUTER)
                .values_list("name", flat=True)
            ),
        )
    check.save()
    record(
        AuditAction.PUBLIC_COMPUTERS_CHECKED,
        actor=actor,
        target=check,
        library=library,
        after={
            "branch": branch.pk,
            "week_of": check.week_of,
            "passed": passed,
            "followup": check.followup_id,
        },
    )
    return check


# --- isolation (IT-9) -------------------------------------------------------------------


@transaction.atomic
def isolate_device(
    *,
    actor: User | None,
    device: Device,
    reason: str,
    at: datetime.datetime | None = None,
) -> Device:
    """The device is taken off the network until it is returned to service; ``at``: when,
    if earlier than now (an enforcement case's isolation, found by the job)."""
    require(actor, Perm.MANAGE_IT_INVENTORY, device.library_id)
    device = _locked(device)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why it is isolated."})
    if device.retired_at:
        raise ValidationError("This device is retired.")
    if device.isolated_at:
        raise ValidationError("This device is already isolated.")
    device.isolated_at, device.isolation_reason = (
        min(at or timezone.now(), timezone.now()),
        reason[:300],
    )
    device.save(update_fields=["isolated_at", "isolation_reason"])
    record(
        AuditAction.DEVICE_MARKED_ISOLATED,
        actor=actor,
        target=device,
        library=device.library,
        after={"isolated_at": device.isolated_at},
    )
    return device


@transaction.atomic
def return_to_service(*, actor: User | None, device: Device) -> Device:
    require(actor, Perm.MANAGE_IT_INVENTORY, device.library_id)
    device = _locked(device)
    if not device.isolated_at:
        raise ValidationError("This device is not isolated.")
    since = device.isolated_at
    device.isolated_at, device.isolation_reason = None, ""
    device.returned_at = timezone.now()
    device.save(update_fields=["isolated_at", "isolation_reason", "returned_at"])
    record(
        AuditAction.DEVICE_RETURNED,
        actor=actor,
        target=device,
        library=device.library,
        before={"isolated_at": since},
    )
    return device
