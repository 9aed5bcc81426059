"""What every import shares: the results, the errors, reading the file, parsing values."""

from __future__ import annotations

import datetime
import decimal
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils import timezone

BATCH_SIZE = 2000
MAX_REPORTED_ERRORS = 10_000

# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.reason}"


class ImportFailed(Exception):
    """The file was refused; nothing was written.  ``errors`` lists every bad row;
    ``reason`` is set instead when the import was refused as a whole: the file cannot be
    read (missing, a folder, no permission, a read error), or the library's retention
    rules are missing or invalid."""

    def __init__(self, errors: list[RowError], more: int = 0, *, reason: str = "") -> None:
        self.errors = sorted(errors, key=lambda e: (e.line, e.column))
        self.more = more
        self.reason = reason
        if reason:
            super().__init__(f"{reason}; nothing was imported")
        else:
            super().__init__(f"{len(errors) + more} bad row(s); nothing was imported")


@dataclass
class ImportResult:
    kind: str
    format: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    cards_created: int = 0
    unlinked_by_retention: int = 0
    deleted_by_retention: int = 0
    retention_rule: str = ""  # loans: the library's loans rule applied, e.g. "unlink after 0d"
    unmatched_branches: int = 0

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "format": self.format,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped_total,
            "skipped_by_reason": dict(sorted(self.skipped.items())),
            "cards_created": self.cards_created,
            "unlinked_by_retention": self.unlinked_by_retention,
            "deleted_by_retention": self.deleted_by_retention,
            "retention_rule": self.retention_rule,
            "unmatched_branches": self.unmatched_branches,
        }


class _RowInvalid(Exception):
    def __init__(self, column: str, reason: str) -> None:
        self.column = column
        self.reason = reason


class _Skip(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


# --------------------------------------------------------------------------- reading

#: Characters no field may hold: NUL, which PostgreSQL cannot store in text (and SQLite
#: would store silently), and the other control characters except tab, line feed and
#: carriage return.  In an export they are a sign of damage, never of data.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character_problem(value: str) -> str | None:
    """Why ``value`` cannot be imported because of a control character, or None."""
    found = CONTROL_CHARACTERS.search(value)
    if found is None:
        return None
    code = ord(found.group())
    what = "a NUL byte" if code == 0 else "a control character"
    return f"contains {what} (U+{code:04X}), which cannot be stored: remove it from the export"


class _Source:
    """Yields decoded text lines of a binary file, noting bad bytes, lines with control
    characters, and progress."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.line = 0
        self.bytes_read = 0
        self.bad_lines: list[int] = []
        self.control_lines: list[int] = []
        self.digest = hashlib.sha256()

    def __iter__(self) -> Iterator[str]:
        for chunk in self.raw:
            self.line += 1
            self.bytes_read += len(chunk)
            self.digest.update(chunk)
            if self.line == 1 and chunk.startswith(b"\xef\xbb\xbf"):
                chunk = chunk[3:]
            try:
                text = chunk.decode("utf-8")
            except UnicodeDecodeError:
                self.bad_lines.append(self.line)
                text = chunk.decode("utf-8", errors="replace")
            if CONTROL_CHARACTERS.search(text):
                self.control_lines.append(self.line)
            yield text


class _Errors:
    def __init__(self) -> None:
        self.items: list[RowError] = []
        self.more = 0

    def add(self, line: int, column: str, reason: str) -> None:
        if len(self.items) < MAX_REPORTED_ERRORS:
            self.items.append(RowError(line, column, reason))
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.items)


# --------------------------------------------------------------------------- parsing values


def _parse_date(value: str, column: str) -> datetime.date | None:
    value = value.strip()
    if not value:
        return None
    text = value[:10]
    try:
        if len(text) != 10:
            raise ValueError
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise _RowInvalid(column, f"not a date (YYYY-MM-DD): {value!r}") from None


def _parse_datetime(value: str, column: str, tz: datetime.tzinfo) -> datetime.datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise _RowInvalid(
            column, f"not a date and time (YYYY-MM-DD HH:MM:SS[+HH[:MM]]): {value!r}"
        ) from None
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(datetime.UTC)


def _parse_bool(value: str, column: str) -> bool:
    text = value.strip().lower()
    if text in ("", "0", "f", "false", "n", "no"):
        return False
    if text in ("1", "t", "true", "y", "yes"):
        return True
    raise _RowInvalid(column, f"not a yes/no value: {value!r}")


def _parse_amount(value: str, column: str) -> decimal.Decimal:
    text = value.strip()
    if not text:
        return decimal.Decimal("0.00")
    try:
        amount = decimal.Decimal(text)
    except decimal.InvalidOperation:
        raise _RowInvalid(column, f"not an amount: {value!r}") from None
    if not amount.is_finite() or amount < 0 or amount >= 1_000_000:
        raise _RowInvalid(column, f"amount out of range: {value!r}")
    return amount.quantize(decimal.Decimal("0.01"))


def _text(row: dict[str, str], column: str, max_length: int, *, required: bool = False) -> str:
    value = (row.get(column) or "").strip()
    if required and not value:
        raise _RowInvalid(column, "required value is empty")
    if len(value) > max_length:
        raise _RowInvalid(column, f"longer than {max_length} characters")
    return value
