"""Every write of the shared logins (IT-2, IT-3, IT-4): add and change a credential, record
a rotation, mark one to change now (an outside party's access, a holder who left, an
incident that names it), the library's rotation period, and the record of an export.

Every text field goes through :func:`.secrets_check.refuse_passwords` here, not only in the
forms: Bookwarden never keeps a secret (IT-3)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bookwarden.audit.actions import changes, record
from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Library, Membership, User
from bookwarden.core.permissions import require
from bookwarden.core.roles import Perm, Role
from bookwarden.core.when import day
from bookwarden.devices.models import Device
from bookwarden.operations.models import INCIDENT_KINDS, LogEntry

from .models import (
    MAX_ROTATION_DAYS,
    Credential,
    CredentialKind,
    CredentialSettings,
    ManagerKind,
    Rotation,
)
from .secrets_check import refuse_passwords

#: The roles that may hold a shared login: library IT staff.
IT_ROLES = (Role.TECH_COORDINATOR, Role.IT_STAFF)

#: Why a credential must change now (the words the pages show).
REASON_OUTSIDE = "{who} had access to {what} on {day}."
REASON_HOLDER_LEFT = "A holder left or lost the role that gave it: {names}."
REASON_COMPROMISED = "Named as compromised by security incident #{id}: {title}."

_AUDITED = ["system", "kind", "account_name", "manager_kind", "last_changed_on", "retired_at"]


def _ids(credential: Credential) -> dict[str, Any]:
    return {
        "holders": sorted(u.pk for u in credential.holders.all()),
        "devices": sorted(d.pk for d in credential.devices.all()),
    }


def it_staff_ids(library: Library | int, users: Iterable[User] | None = None) -> set[int]:
    """The people who hold an IT role at ``library`` today (active accounts only)."""
    found = Membership.objects.active().filter(library=library, role__in=IT_ROLES)
    if users is not None:
        found = found.filter(user__in=list(users))
    return set(found.values_list("user_id", flat=True))


def _check(
    library: Library,
    *,
    system: str,
    account_name: str,
    manager_item: str,
    kind: str,
    manager_kind: str,
    last_changed_on: datetime.date,
    holders: list[User],
    devices: list[Device],
) -> None:
    refuse_passwords(system=system, account_name=account_name, manager_item=manager_item)
    errors: dict[str, str] = {}
    if not system.strip():
        errors["system"] = "Name the system this login opens."
    if not account_name.strip():
        errors["account_name"] = "Write the account name (the login, never the password)."
    if not manager_item.strip():
        errors["manager_item"] = "Write where the password is kept in the password manager."
    if kind not in CredentialKind.values:
        errors["kind"] = "Choose what kind of system this is."
    if manager_kind not in ManagerKind.values:
        errors["manager_kind"] = "Choose the password manager."
    if last_changed_on > timezone.localdate():
        errors["last_changed_on"] = "The last change cannot be in the future."
    if any(d.library_id != library.pk for d in devices):
        errors["devices"] = "Choose devices of this library."
    if set(u.pk for u in holders) - it_staff_ids(library, holders):
        errors["holders"] = "Only the library's IT staff may hold a shared login."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_credential(
    *,
    actor: User | None,
    library: Library,
    system: str,
    kind: str,
    account_name: str,
    manager_kind: str,
    manager_item: str,
    last_changed_on: datetime.date,
    last_changed_by: User | None = None,
    holders: Iterable[User] = (),
    devices: Iterable[Device] = (),
) -> Credential:
    """IT-2: a shared login in the inventory, with where its secret is kept (never the
    secret, IT-3)."""
    require(actor, Perm.MANAGE_IT_INVENTORY, library)
    people, opened = list(holders), list(devices)
    _check(
        library,
        system=system,
        account_name=account_name,
        manager_item=manager_item,
        kind=kind,
        manager_kind=manager_kind,
        last_changed_on=last_changed_on,
        holders=people,
        devices=opened,
    )
    credential = Credential.objects.create(
        library=library,
        system=system.strip(),
        kind=kind,
        account_name=account_name.strip(),
        manager_kind=manager_kind,
        manager_item=manager_item.strip(),
        last_changed_on=last_changed_on,
        last_changed_by=last_changed_by,
    )
    credential.holders.set(people)
    credential.devices.set(opened)
    record(
        AuditAction.CREDENTIAL_ADDED,
        actor=actor,
        target=credential,
        library=library,
        after={**changes(credential, _AUDITED), **_ids(credential)},
    )
    return credential


@transaction.atomic
def update_credential(
    *,
    actor: User | None,
    credential: Credential,
    system: str,
    kind: str,
    account_name: str,
    manager_kind: str,
    manager_item: str,
    holders: Iterable[User] = (),
    devices: Iterable[Device] = (),
    retired: bool = False,
) -> Credential:
    """IT-2: change what the inventory says of a login; the last change moves only by
    recording a rotation (:func:`record_rotation`)."""
    require(actor, Perm.MANAGE_IT_INVENTORY, credential.library_id)
    credential = (
        Credential.objects.select_for_update().select_related("library").get(pk=credential.pk)
    )
    people, opened = list(holders), list(devices)
    _check(
        credential.library,
        system=system,
        account_name=account_name,
        manager_item=manager_item,
        kind=kind,
        manager_kind=manager_kind,
        last_changed_on=credential.last_changed_on,
        holders=people,
        devices=opened,
    )
    before = {**changes(credential, _AUDITED), **_ids(credential)}
    credential.system = system.strip()
    credential.kind = kind
    credential.account_name = account_name.strip()
    credential.manager_kind = manager_kind
    credential.manager_item = manager_item.strip()
    if retired and credential.retired_at is None:
        credential.retired_at = timezone.now()
    elif not retired:
        credential.retired_at = None
    credential.save()
    credential.holders.set(people)
    credential.devices.set(opened)
    after = {**changes(credential, _AUDITED), **_ids(credential)}
    record(
        AuditAction.CREDENTIAL_CHANGED,
        actor=actor,
        target=credential,
        library=credential.library_id,
        before={k: v for k, v in before.items() if after.get(k) != v},
        after={k: v for k, v in after.items() if before.get(k) != v},
    )
    return credential


@transaction.atomic
def record_rotation(
    *,
    actor: User | None,
    credential: Credential,
    changed_on: datetime.date,
    changed_by: User | None,
    note: str = "",
) -> Rotation:
    """IT-2: the secret was changed (in the password manager), by whom and when.  Clears
    "change now"; holders who no longer hold an IT role are taken off (the new secret is
    not theirs to know).  The history is kept."""
    require(actor, Perm.MANAGE_IT_INVENTORY, credential.library_id)
    refuse_passwords(note=note)
    credential = (
        Credential.objects.select_for_update().select_related("library").get(pk=credential.pk)
    )
    if credential.retired_at is not None:
        raise ValidationError("This login is retired: put it back in use first.")
    if changed_on > timezone.localdate():
        raise ValidationError({"changed_on": "The change cannot be in the future."})
    if changed_on < credential.last_changed_on:
        raise ValidationError({"changed_on": "A later change is already recorded: check the date."})
    if changed_by is not None and changed_by.pk not in it_staff_ids(
        credential.library, [changed_by]
    ):
        raise ValidationError({"changed_by": "Choose a member of the library's IT staff."})
    rotation = Rotation.objects.create(
        credential=credential,
        changed_on=changed_on,
        changed_by=changed_by,
        recorded_by=actor,
        reason=credential.due_reason if credential.due_now_since else "Regular change.",
        note=note.strip(),
    )
    holders = list(credential.holders.all())
    gone = [u for u in holders if u.pk not in it_staff_ids(credential.library, holders)]
    if gone:
        credential.holders.remove(*gone)
    credential.last_changed_on = changed_on
    credential.last_changed_by = changed_by
    credential.last_recorded_at = rotation.recorded_at
    credential.due_now_since = None
    credential.due_reason = ""
    credential.save()
    record(
        AuditAction.CREDENTIAL_ROTATED,
        actor=actor,
        target=credential,
        library=credential.library_id,
        after={
            "rotation": rotation.pk,
            "changed_on": changed_on.isoformat(),
            "changed_by": changed_by.pk if changed_by else None,
            "holders_removed": sorted(u.pk for u in gone),
        },
    )
    return rotation


def _mark_due(
    credential: Credential, *, actor: User | None, reason: str, cause: dict[str, Any]
) -> bool:
    """Mark ``credential`` (locked by the caller) to change now; False if it already is."""
    if credential.due_now_since is not None or credential.retired_at is not None:
        return False
    credential.due_now_since = timezone.now()
    credential.due_reason = reason[:300]
    credential.save(update_fields=["due_now_since", "due_reason"])
    record(
        AuditAction.CREDENTIAL_DUE_NOW,
        actor=actor,
        target=credential,
        library=credential.library_id,
        after=cause,
    )
    return True


@transaction.atomic
def mark_compromised(
    *, actor: User | None, credential: Credential, incident: LogEntry
) -> Credential:
    """IT-4: a security incident names this login as compromised: it changes now."""
    require(actor, Perm.MANAGE_IT_INVENTORY, credential.library_id)
    credential = Credential.objects.select_for_update().get(pk=credential.pk)
    if incident.library_id != credential.library_id or incident.kind not in INCIDENT_KINDS:
        raise ValidationError({"incident": "Choose a security incident of this library."})
    if credential.due_now_since is not None:
        raise ValidationError("This login is already to be changed now.")
    _mark_due(
        credential,
        actor=actor,
        reason=REASON_COMPROMISED.format(id=incident.pk, title=incident.title),
        cause={"cause": "incident", "entry": incident.pk},
    )
    return credential


# --- change now: outside access and holders who left (IT-4) ----------------------------------


def _names_of(credential: Credential) -> set[str]:
    return {credential.system.casefold(), *(d.name.casefold() for d in credential.devices.all())}


def names_credential(entry: LogEntry, credential: Credential) -> bool:
    """IT-4: an entry names a login when one of its device lines is the system or a device
    the login opens (or is written in the system's name, "NMM-PRN-01" in "Staff printer
    NMM-PRN-01"), or its title names the system ("... the staff network printer")."""
    names = _names_of(credential)
    lines = [line.casefold() for line in entry.device_list]
    system = credential.system.casefold()
    title = entry.title.casefold()
    return (
        any(line in names for line in lines)
        or any(len(line) >= 3 and line in system for line in lines)
        or (len(system) >= 4 and system in title)
    )


def _after_last_change(entry: LogEntry, credential: Credential) -> bool:
    on = timezone.localdate(entry.occurred_at)
    return on > credential.last_changed_on or (
        on == credential.last_changed_on and entry.recorded_at > credential.last_recorded_at
    )


def _outside_reason(entry: LogEntry, credential: Credential) -> str:
    return REASON_OUTSIDE.format(
        who=entry.outside_party_name or "Someone outside library IT",
        what=credential.system,
        day=day(entry.occurred_at),
    )


def mark_due_after_outside_access(entry: LogEntry) -> int:
    """IT-4, at once: the operations log calls this when an entry records an outside
    party's access; every login of the library that the entry names changes now."""
    if not entry.outside_party:
        return 0
    marked = 0
    candidates = (
        Credential.objects.in_use()
        .filter(library_id=entry.library_id, due_now_since__isnull=True)
        .prefetch_related("devices")
    )
    for credential in candidates:
        if names_credential(entry, credential) and _after_last_change(entry, credential):
            with transaction.atomic():
                locked = Credential.objects.select_for_update().get(pk=credential.pk)
                marked += _mark_due(
                    locked,
                    actor=None,
                    reason=_outside_reason(entry, credential),
                    cause={"cause": "outside_access", "entry": entry.pk},
                )
    return marked


def mark_due_from_changes() -> int:
    """The ``credentials`` job (IT-4): every login in use and not yet due now is marked to
    change now when an outside-access entry since its last change names it, or when one of
    its holders no longer holds an IT role at its library (left, or lost the role).
    Idempotent: a login already due now is left alone.  Returns how many were marked."""
    marked = 0
    oldest = timezone.now() - datetime.timedelta(days=MAX_ROTATION_DAYS + 1)
    candidates = list(
        Credential.objects.in_use()
        .filter(due_now_since__isnull=True)
        .prefetch_related("devices", "holders")
        .order_by("pk")
    )
    if not candidates:
        return 0
    # The job acts for the installation: every library's entries and IT staff.
    entries: dict[int, list[LogEntry]] = {}
    for entry in LogEntry.objects.filter(outside_party=True, occurred_at__gte=oldest).order_by(
        "occurred_at", "pk"
    ):
        entries.setdefault(entry.library_id, []).append(entry)
    it_staff: dict[int, set[int]] = {}
    for library_id, user_id in (
        Membership.objects.active().filter(role__in=IT_ROLES).values_list("library_id", "user_id")
    ):
        it_staff.setdefault(library_id, set()).add(user_id)
    for credential in candidates:
        reason, cause = "", {}
        for entry in entries.get(credential.library_id, []):
            if names_credential(entry, credential) and _after_last_change(entry, credential):
                reason = _outside_reason(entry, credential)
                cause = {"cause": "outside_access", "entry": entry.pk}
                break
        if not reason:
            gone = [
                u
                for u in credential.holders.all()
                if u.pk not in it_staff.get(credential.library_id, set())
            ]
            if gone:
                reason = REASON_HOLDER_LEFT.format(names=", ".join(str(u) for u in gone))
                cause = {"cause": "holder_left", "users": sorted(u.pk for u in gone)}
        if reason:
            with transaction.atomic():
                locked = Credential.objects.select_for_update().get(pk=credential.pk)
                marked += _mark_due(locked, actor=None, reason=reason, cause=cause)
    return marked


# --- the library's period, the export ---------------------------------------------------------


@transaction.atomic
def save_settings(
    *, actor: User | None, library: Library, rotation_days: int
) -> CredentialSettings:
    """IT-2: the library's rotation period, 1 to 180 days (it may only be shorter)."""
    require(actor, Perm.MANAGE_SETTINGS, library)
    if not 1 <= rotation_days <= MAX_ROTATION_DAYS:
        raise ValidationError({"rotation_days": f"Choose between 1 and {MAX_ROTATION_DAYS} days."})
    row, _ = CredentialSettings.objects.select_for_update().get_or_create(library=library)
    before = row.rotation_days
    row.rotation_days = rotation_days
    row.save()
    record(
        AuditAction.CREDENTIAL_SETTINGS_CHANGED,
        actor=actor,
        target=row,
        library=library,
        before={"rotation_days": before},
        after={"rotation_days": rotation_days},
    )
    return row


def record_export(
    *, actor: User, library: Library, start: datetime.date, end: datetime.date, rows: int
) -> None:
    """IT-2, IT-4: the CSV of rotations an auditor asks for; its export is an audit event."""
    require(actor, Perm.VIEW_IT_INVENTORY, library)
    record(
        AuditAction.CREDENTIAL_ROTATIONS_EXPORTED,
        actor=actor,
        library=library,
        after={"from": start.isoformat(), "to": end.isoformat(), "rows": rows},
    )
