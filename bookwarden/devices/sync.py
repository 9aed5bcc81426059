"""What other apps say about devices, brought into the inventory by the ``devices`` job:

- a patching entry of the operations log names devices (one name a line): each is
  recorded as patched on the entry's day, once (CC-7);
- an enforcement case whose device was isolated (step 3, IT-9), or a suspension of a
  workstation (LV-12), names a device of the library: it shows as isolated from that time,
  unless it was returned to service since; when the suspension ends, a device isolated
  for it alone is returned to service.

Names match the inventory's case-insensitively; a name that matches no device is left
alone.  Every change goes through :mod:`bookwarden.devices.actions` as the installation.
"""

from __future__ import annotations

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from . import actions
from .models import Device


def _apply_patching_entries() -> int:
    from bookwarden.operations.models import EntryKind, LogEntry

    entries = LogEntry.objects.filter(kind=EntryKind.PATCHING).exclude(devices="")
    count = 0
    for entry in entries.select_related("library"):
        count += len(actions.apply_patching_entry(actor=None, entry=entry))
    return count


def _devices_by_name() -> dict[tuple[int, str], Device]:
    # The job acts for the installation: every library's devices in service.
    found = Device.objects.in_service().select_related("library")
    return {(d.library_id, d.name.lower()): d for d in found}


def _isolate_named() -> tuple[int, int]:
    from bookwarden.enforcement.models import CaseStatus, EnforcementCase, Suspension

    today = timezone.localdate()
    cases = list(
        EnforcementCase.objects.filter(status=CaseStatus.OPEN, device_isolated_at__isnull=False)
        .exclude(device="")
        .values_list("library_id", Lower("device"), "device_isolated_at", "pk")
    )
    suspensions = list(
        Suspension.objects.filter(ended_at__isnull=True, ends_on__gt=today)
        .exclude(workstation="")
        .values_list("library_id", Lower("workstation"), "starts_at", "pk")
    )
    devices = _devices_by_name() if cases or suspensions else {}
    isolated = 0
    for rows, reason in (
        (cases, "Isolated by an enforcement case."),
        (suspensions, actions.SUSPENSION_REASON),
    ):
        for library_id, name, since, _pk in rows:
            device = devices.get((library_id, name.strip()))
            if device is None or device.isolated_at is not None:
                continue
            if device.returned_at and device.returned_at >= since:
                continue  # returned to service after it: not isolated again
            device = actions.isolate_device(actor=None, device=device, reason=reason, at=since)
            devices[(library_id, name.strip())] = device
            isolated += 1
    # A device isolated only for a suspension that is over goes back into service.
    active = {(lib, name.strip()) for lib, name, _s, _p in suspensions}
    returned = 0
    for device in Device.objects.in_service().filter(
        Q(isolated_at__isnull=False), isolation_reason=actions.SUSPENSION_REASON
    ):
        if (device.library_id, device.name.lower()) not in active:
            actions.return_to_service(actor=None, device=device)
            returned += 1
    return isolated, returned


def sync_from_other_apps() -> tuple[int, int, int]:
    patched = _apply_patching_entries()
    isolated, returned = _isolate_named()
    return patched, isolated, returned
