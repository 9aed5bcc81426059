"""The retention rules of library records (CR-6a): the defaults in
``retention_defaults.yaml``, a library's own rules on top, and the checks that refuse "keep
forever".  Applying them is :mod:`bookwarden.patrons.retention`.

Each library has one rule per record type (``records.RECORD_TYPES``): an action (``unlink``
sets ``patron`` to NULL and keeps the row for statistics; ``delete`` removes the row) and
``after``, a finite duration.  Defaults are checked on every load (an error names the file and
the key); a library overrides one with :func:`set_retention_rule`.  A rule without a duration,
with "never", or longer than :data:`MAX_AFTER` is refused, both when it is set and when a run
reads it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Library
from bookwarden.core.permissions import require
from bookwarden.core.roles import Perm

from .models_retention import RetentionAction, RetentionRule
from .records import RECORD_TYPES

DEFAULTS_PATH = Path(__file__).with_name("retention_defaults.yaml")
#: The longest any rule may keep a record linked: ten years.  Longer is "forever" by accident.
MAX_AFTER = datetime.timedelta(days=3650)
_AFTER_RE = re.compile(r"^\s*(\d+)\s*([hd])\s*$")
_FOREVER_WORDS = {"never", "forever", "keep", "keep forever", "none", "null", "~"}


class RetentionConfigError(Exception):
    """A rule is missing or invalid, or a patron link is unreviewed: nothing was touched."""


@dataclass(frozen=True)
class Rule:
    record_type: str
    action: str
    after: datetime.timedelta
    source: str  # "default" or "library"

    def describe(self) -> str:
        return f"{self.action} after {format_after(self.after)}"


def format_after(after: datetime.timedelta) -> str:
    seconds = int(after.total_seconds())
    if seconds % 86400 == 0:
        return f"{seconds // 86400}d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    return f"{seconds}s"


def _forever_message(where: str) -> str:
    return f"{where}: records may not be kept forever; give a duration up to {MAX_AFTER.days} days"


def parse_after(value: Any, where: str) -> datetime.timedelta:
    """``"24h"``, ``"7d"`` or ``"0d"`` from the YAML file, as a duration."""
    if value is None or (isinstance(value, str) and value.strip().lower() in _FOREVER_WORDS):
        raise RetentionConfigError(_forever_message(where))
    match = _AFTER_RE.match(str(value)) if isinstance(value, str) else None
    if not match:
        raise RetentionConfigError(
            f"{where}: {value!r} is not a duration; write hours or days, like 24h or 30d"
        )
    number, unit = int(match.group(1)), match.group(2)
    after = datetime.timedelta(hours=number) if unit == "h" else datetime.timedelta(days=number)
    check_after(after, where)
    return after


def check_after(after: Any, where: str) -> None:
    if not isinstance(after, datetime.timedelta):
        raise RetentionConfigError(_forever_message(where))
    if after < datetime.timedelta(0):
        raise RetentionConfigError(f"{where}: the duration is negative")
    if after > MAX_AFTER:
        raise RetentionConfigError(_forever_message(where))


def _check_action(action: Any, where: str) -> str:
    if action not in RetentionAction.values:
        raise RetentionConfigError(
            f"{where}: action {action!r} is not one of {', '.join(RetentionAction.values)}"
        )
    return str(action)


def load_defaults(path: Path | str | None = None) -> dict[str, Rule]:
    """The default rule of every record type, checked; raises RetentionConfigError naming the
    file and the key of the first problem."""
    path = Path(path or DEFAULTS_PATH)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RetentionConfigError(f"{path}: cannot read retention defaults: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("rules"), dict):
        raise RetentionConfigError(f"{path}: rules: missing (a mapping of record types)")
    if data.get("version") != 1:
        raise RetentionConfigError(f"{path}: version: expected 1, got {data.get('version')!r}")
    rules_data: dict[str, Any] = data["rules"]
    unknown = sorted(set(rules_data) - set(RECORD_TYPES))
    if unknown:
        raise RetentionConfigError(f"{path}: rules.{unknown[0]}: unknown record type")
    rules: dict[str, Rule] = {}
    for key in RECORD_TYPES:
        where = f"{path}: rules.{key}"
        spec = rules_data.get(key)
        if spec is None:
            raise RetentionConfigError(f"{where}: missing (every record type needs a rule)")
        if not isinstance(spec, dict):
            raise RetentionConfigError(f"{where}: expected action and after")
        extra = sorted(set(spec) - {"action", "after"})
        if extra:
            raise RetentionConfigError(f"{where}.{extra[0]}: unknown setting")
        action = _check_action(spec.get("action"), f"{where}.action")
        if "after" not in spec:
            raise RetentionConfigError(f"{where}.after: missing")
        after = parse_after(spec["after"], f"{where}.after")
        rules[key] = Rule(key, action, after, "default")
    return rules


def effective_rules(library: Library, defaults: dict[str, Rule]) -> dict[str, Rule]:
    """The defaults with the library's own rules on top, each checked again."""
    rules = dict(defaults)
    missing = sorted(set(RECORD_TYPES) - set(rules))
    if missing:
        raise RetentionConfigError(f"No retention rule for {missing[0]}")
    for row in RetentionRule.objects.filter(library=library):
        where = f"Library {library.slug}: retention rule {row.record_type!r} (#{row.pk})"
        if row.record_type not in RECORD_TYPES:
            raise RetentionConfigError(f"{where}: unknown record type")
        action = _check_action(row.action, where)
        check_after(row.after, where)
        rules[row.record_type] = Rule(row.record_type, action, row.after, "library")
    return rules


@transaction.atomic
def set_retention_rule(
    *, actor: Any, library: Library, record_type: str, action: str, days: Any
) -> RetentionRule:
    """A library's own rule for one record type (director only).  ``days`` may be a
    fraction (1/24 is an hour); ``None`` ("keep forever") is refused."""
    require(actor, Perm.MANAGE_RETENTION, library)
    if record_type not in RECORD_TYPES:
        raise ValidationError({"record_type": f"Unknown record type {record_type!r}."})
    if action not in RetentionAction.values:
        raise ValidationError({"action": "Choose unlink or delete."})
    if days is None or isinstance(days, bool):
        raise ValidationError({"days": "Records may not be kept forever."})
    try:
        after = datetime.timedelta(days=float(days))
        check_after(after, "days")
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValidationError({"days": "Give a number of days."}) from exc
    except RetentionConfigError as exc:
        raise ValidationError({"days": str(exc)}) from exc

    current = effective_rules(library, load_defaults())[record_type]
    rule, _ = RetentionRule.objects.update_or_create(
        library=library,
        record_type=record_type,
        defaults={
            "action": action,
            "after": after,
            "changed_at": timezone.now(),
            "changed_by": actor,
        },
    )
    record(
        AuditAction.RETENTION_RULE_CHANGED,
        actor=actor,
        target=rule,
        library=library,
        before={
            "record_type": record_type,
            "action": current.action,
            "after": format_after(current.after),
            "source": current.source,
        },
        after={"record_type": record_type, "action": action, "after": format_after(after)},
    )
    return rule
