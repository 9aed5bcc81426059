"""Timeliness targets (IT-7: requests and incidents are answered and closed in good time).

Every entry falls in a *category* (incident, violation, change, ...); the target is a number
of days per category and severity, counted from when the entry was recorded.  The defaults
are the table below; a library overrides any of them on its settings page
(:class:`bookwarden.operations.models.OperationsSettings.target_days`).
"""

from __future__ import annotations

import datetime
from typing import Any

from .models import (
    INCIDENT_KINDS,
    VIOLATION_KINDS,
    EntryKind,
    EntryStatus,
    LogEntry,
    OperationsSettings,
    Severity,
)

CATEGORIES: dict[str, str] = {
    "incident": "Security incidents",
    "violation": "Policy violations",
    "change": "Changes, backups, patching and maintenance",
    "interruption": "Network interruptions",
    "followup": "Interactions needing follow-up",
    "concern": "Reported concerns not yet classified",
}

_CHANGE_KINDS = frozenset(
    {
        EntryKind.SERVER_CHANGE,
        EntryKind.SOFTWARE_CHANGE,
        EntryKind.BACKUP,
        EntryKind.FIREWALL_CHANGE,
        EntryKind.ROUTER_CHANGE,
        EntryKind.PATCHING,
        EntryKind.MAINTENANCE,
    }
)

#: Days to close an entry, by category and severity.
DEFAULT_TARGET_DAYS: dict[str, dict[str, int]] = {
    "incident": {Severity.CRITICAL: 1, Severity.HIGH: 3, Severity.MEDIUM: 7, Severity.LOW: 14},
    "violation": {Severity.CRITICAL: 3, Severity.HIGH: 7, Severity.MEDIUM: 14, Severity.LOW: 30},
    "change": {Severity.CRITICAL: 2, Severity.HIGH: 3, Severity.MEDIUM: 7, Severity.LOW: 14},
    "interruption": {Severity.CRITICAL: 1, Severity.HIGH: 1, Severity.MEDIUM: 3, Severity.LOW: 7},
    "followup": {Severity.CRITICAL: 2, Severity.HIGH: 5, Severity.MEDIUM: 10, Severity.LOW: 14},
    "concern": {Severity.CRITICAL: 1, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3},
}
MAX_TARGET_DAYS = 365


def category_of(kind: str) -> str:
    if kind in INCIDENT_KINDS:
        return "incident"
    if kind in VIOLATION_KINDS:
        return "violation"
    if kind in _CHANGE_KINDS:
        return "change"
    if kind == EntryKind.NETWORK_INTERRUPTION:
        return "interruption"
    if kind in (EntryKind.CUSTOMER_FOLLOWUP, EntryKind.STAFF_FOLLOWUP):
        return "followup"
    return "concern"


def effective_targets(overrides: dict[str, Any] | None) -> dict[str, dict[str, int]]:
    """The defaults with a library's overrides applied (unknown keys are ignored)."""
    table = {cat: {str(k): v for k, v in row.items()} for cat, row in DEFAULT_TARGET_DAYS.items()}
    for cat, row in (overrides or {}).items():
        if cat in table and isinstance(row, dict):
            for severity, days in row.items():
                if severity in table[cat] and isinstance(days, int) and 0 < days <= MAX_TARGET_DAYS:
                    table[cat][severity] = days
    return table


def settings_of(entry: LogEntry) -> OperationsSettings | None:
    """The library's settings row, if any (read with ``select_related`` where listed)."""
    # A missing one-to-one row raises RelatedObjectDoesNotExist, an AttributeError.
    settings_row: OperationsSettings | None = getattr(entry.library, "operations_settings", None)
    return settings_row


def target_days(entry: LogEntry, overrides: dict[str, Any] | None = None) -> int:
    if overrides is None:
        row = settings_of(entry)
        overrides = row.target_days if row else {}
    return effective_targets(overrides)[category_of(entry.kind)][entry.severity]


def due_at(entry: LogEntry, overrides: dict[str, Any] | None = None) -> datetime.datetime:
    return entry.recorded_at + datetime.timedelta(days=target_days(entry, overrides))


def is_overdue(
    entry: LogEntry, now: datetime.datetime, overrides: dict[str, Any] | None = None
) -> bool:
    return entry.status != EntryStatus.CLOSED and now > due_at(entry, overrides)


def shortest_target() -> datetime.timedelta:
    """No entry can be overdue sooner than this after it was recorded (a cheap prefilter)."""
    return datetime.timedelta(days=1)
