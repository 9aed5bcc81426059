"""The device inventory from a CSV file (CC-7; docs/devices.md).

``bookwarden import devices FILE.csv --library SLUG`` and the import page both call
:func:`import_devices`.  Header row first; names in any case and order, spaces or
underscores: ``name`` and ``kind`` are required; ``branch``, ``operating_system``,
``antivirus``, ``firewall``, ``intrusion_detection``, ``last_patched_on``,
``remote_access``, ``remote_access_authenticated``, ``remote_access_encrypted``,
``reset_mechanism`` and ``notes`` are optional.

All or nothing: every row is checked first and any bad row refuses the whole file, each
reported as ``line N, column C: reason``.  A row names a device by its name within the
library (case does not matter): a new name adds a device; a known one whose values
differ is updated (only the columns the file has), and one whose values are the same is
left alone and counted as unchanged, so a second run of the same file changes nothing.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Branch, Library, User
from bookwarden.core.permissions import require
from bookwarden.core.roles import Perm
from bookwarden.core.wording import counted
from bookwarden.patrons.importer.parsing import ImportFailed, RowError
from bookwarden.patrons.importer.small_files import column_index, decode

from .actions import DEVICE_FIELDS, create_device, library_today, update_device
from .models import Device, DeviceKind

REQUIRED = ("name", "kind")
COLUMNS = ("branch", *DEVICE_FIELDS)
BOOLEANS = {
    "antivirus",
    "firewall",
    "intrusion_detection",
    "remote_access_authenticated",
    "remote_access_encrypted",
}
_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0", ""}


@dataclass
class ImportSummary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    sha256: str = ""

    @property
    def text(self) -> str:
        return (
            f"{counted(self.rows, 'row')}: {self.created} added, {self.updated} changed, "
            f"{self.unchanged} unchanged."
        )


def _header(names: list[str]) -> dict[str, int]:
    index, errors = column_index(names, COLUMNS)
    errors += [RowError(1, name, "missing column") for name in REQUIRED if name not in index]
    if errors:
        raise ImportFailed(errors)
    return index


class _Lookup:
    def __init__(self, library: Library) -> None:
        self.library = library
        self.today = library_today(library)
        self.branches: dict[str, Branch] = {}
        for branch in Branch.objects.filter(library=library):
            self.branches[branch.name.strip().lower()] = branch
            self.branches[branch.slug.lower()] = branch
        self.kinds = {v: v for v in DeviceKind.values}
        self.kinds.update({str(label).lower(): v for v, label in DeviceKind.choices})
        self.devices = {
            d.name.lower(): d for d in Device.objects.in_service().filter(library=library)
        }


def _value(name: str, raw: str, lookup: _Lookup) -> tuple[Any, str]:
    """The cell's value, or a reason it is wrong."""
    if name in BOOLEANS:
        word = raw.lower()
        if word in _YES:
            return True, ""
        if word in _NO:
            return False, ""
        return None, "write yes or no"
    if name == "kind":
        kind = lookup.kinds.get(raw.lower().replace("_", " ")) or lookup.kinds.get(raw.lower())
        if kind is None:
            return None, "unknown kind: " + ", ".join(str(lbl) for lbl in DeviceKind.labels)
        return kind, ""
    if name == "branch":
        if not raw:
            return None, ""
        branch = lookup.branches.get(raw.lower())
        if branch is None:
            return None, f"no branch of {lookup.library.name} has this name"
        return branch, ""
    if name == "last_patched_on":
        if not raw:
            return None, ""
        try:
            day = datetime.date.fromisoformat(raw)
        except ValueError:
            return None, "not a date: write it as YYYY-MM-DD"
        if day > lookup.today:
            return None, "the day is in the future"
        return day, ""
    if name == "name" and not raw:
        return None, "empty: name the device"
    limit = {"name": 120, "operating_system": 120, "remote_access": 200, "reset_mechanism": 200}
    if name in limit and len(raw) > limit[name]:
        return None, f"longer than {limit[name]} characters"
    return raw, ""


def _parse(text: str, lookup: _Lookup) -> tuple[list[tuple[int, dict[str, Any]]], int]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFailed([], reason="the file is empty") from None
    index = _header(header)
    errors: list[RowError] = []
    rows: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    count = 0
    for fields in reader:
        line = reader.line_num
        if not any(f.strip() for f in fields):
            continue
        count += 1
        if len(fields) != len(header):
            errors.append(
                RowError(line, "", f"{len(fields)} values where the header names {len(header)}")
            )
            continue
        values: dict[str, Any] = {}
        bad = False
        for name, position in index.items():
            value, reason = _value(name, fields[position].strip(), lookup)
            if reason:
                errors.append(RowError(line, name, reason))
                bad = True
            values[name] = value
        if bad:
            continue
        key = values["name"].lower()
        if key in seen:
            errors.append(RowError(line, "name", f"the same device is on line {seen[key]}"))
            continue
        seen[key] = line
        rows.append((line, values))
    if errors:
        raise ImportFailed(errors)
    if not count:
        raise ImportFailed([], reason="the file has no rows under its header")
    return rows, count


@transaction.atomic
def import_devices(
    *, actor: User | None, library: Library, content: bytes, filename: str = ""
) -> ImportSummary:
    """Import one file of devices for ``library``, all or nothing (see the module)."""
    require(actor, Perm.MANAGE_IT_INVENTORY, library)
    lookup = _Lookup(library)
    rows, count = _parse(decode(content), lookup)
    summary = ImportSummary(rows=count, sha256=hashlib.sha256(content).hexdigest())
    for _line, values in rows:
        existing = lookup.devices.get(values["name"].lower())
        if existing is None:
            branch = values.pop("branch", None)
            create_device(actor=actor, library=library, branch=branch, **values)
            summary.created += 1
            continue
        branch = values.pop("branch") if "branch" in values else existing.branch
        values.pop("name")  # matched case-insensitively: the inventory's spelling stays
        _, changed = update_device(actor=actor, device=existing, branch=branch, **values)
        if changed:
            summary.updated += 1
        else:
            summary.unchanged += 1
    record(
        AuditAction.DEVICES_IMPORTED,
        actor=actor,
        library=library,
        after={
            "rows": summary.rows,
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "sha256": summary.sha256,
            "file": filename[:200],
        },
    )
    return summary
