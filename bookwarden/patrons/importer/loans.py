"""Importing loans: rows read by position, the library's loans rule applied before anything
is written (CR-6a), and each batch written set-based (:mod:`.writers`)."""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from ..models import Loan, Patron
from ..models_retention import RetentionAction
from ..retention_rules import Rule, effective_rules, load_defaults
from .base import _Importer
from .formats import LoanLayout, loan_layout
from .parsing import _parse_amount, _parse_datetime, _RowInvalid
from .writers import VALUE_FIELDS, LoanWriter

UTC = datetime.UTC
_ZERO = decimal.Decimal("0.00")
_fromisoformat = datetime.datetime.fromisoformat
#: Patrons remembered between batches (ils_id -> pk and consent); cleared when full, so that
#: memory stays flat whatever the number of patrons.
PATRON_CACHE_SIZE = 100_000
# A parsed row: (line, ils_id, patron_ils_id, item_barcode, title, branch_id,
#                checked_out_at, due_at, returned_at, amount_owed)
ParsedLoan = tuple[Any, ...]


@dataclass(frozen=True)
class ImportRetention:
    """The library's ``loans`` retention rule as the import applies it (CR-6a).

    The rule is read and checked by :func:`bookwarden.patrons.retention_rules.effective_rules`,
    the same code as the retention run, so a missing or invalid rule refuses the import
    (``RetentionConfigError``).  A loan qualifies as in :mod:`~bookwarden.patrons.retention`:
    returned at or before ``now - after``, nothing owed, and its patron has not opted in to
    keeping their reading history.  A qualifying loan is written unlinked (``unlink``) or not
    at all (``delete``); a younger one is written linked and the retention run handles it
    once its time comes."""

    rule: Rule
    cutoff: datetime.datetime

    @classmethod
    def for_library(cls, library: Any, now: datetime.datetime | None = None) -> ImportRetention:
        rule = effective_rules(library, load_defaults())["loans"]
        return cls(rule, (now or timezone.now()) - rule.after)

    @property
    def deletes(self) -> bool:
        return self.rule.action == RetentionAction.DELETE

    def applies(
        self,
        returned_at: datetime.datetime | None,
        amount_owed: decimal.Decimal,
        keeps_reading_history: bool,
    ) -> bool:
        return (
            returned_at is not None
            and returned_at <= self.cutoff
            and amount_owed <= 0
            and not keeps_reading_history
        )


def _text_problem(value: str, max_length: int, required: bool) -> str | None:
    if required and not value:
        return "required value is empty"
    if len(value) > max_length:
        return f"longer than {max_length} characters"
    return None


class _LoanImporter(_Importer):
    kind = "loans"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retention: ImportRetention = self.options["retention"]
        self.layout: LoanLayout | None = None
        self.patron_cache: dict[str, tuple[int, bool] | None] = {}
        self.writer = LoanWriter()
        # Nothing of this library stored yet (the usual first import): no lookups needed,
        # since a duplicate id inside the file is caught by ``self.keys``.
        self.any_stored = Loan._unguarded.filter(library=self.library).exclude(ils_id="").exists()

    def begin(self, header: list[str]) -> None:
        super().begin(header)
        self.layout = loan_layout(self.format, header)
        self.branch_column = self.layout.column("branch")
        self.id_column = self.layout.column("ils_id")
        self.note_id = self.keys.pending["ids"].append  # SeenKeys.note, on the hot path

    # -- parsing: the hot path; a problem falls back to the careful code for its message --

    def parse(self, line: int, fields: list[str]) -> ParsedLoan:
        layout = self.layout
        assert layout is not None
        fields.append("")  # the value of every column this format or file lacks
        ils_id, patron, barcode, title, out, due, returned, owed, branch = layout.values(fields)
        ils_id = ils_id.strip()
        if not ils_id or len(ils_id) > 64:
            self.check_id(line, ils_id, self.id_column)
        self.note_id((line, ils_id, self.id_column))
        patron = patron.strip()
        barcode = barcode.strip()
        title = title.strip()
        if not patron or not barcode or len(patron) > 64 or len(barcode) > 64 or len(title) > 300:
            for name, value, length, required in (
                ("patron_ils_id", patron, 64, True),
                ("item_barcode", barcode, 64, True),
                ("title", title, 300, False),
            ):
                problem = _text_problem(value, length, required)
                if problem:
                    raise _RowInvalid(layout.column(name, fields), problem)
        out_at = self.when(out, "checked_out_at")
        if out_at is None:
            raise _RowInvalid(layout.column("checked_out_at"), "required value is empty")
        due_at = self.when(due, "due_at") if due else None
        returned_at = self.when(returned, "returned_at") if returned else None
        if returned_at is not None and returned_at < out_at:
            raise _RowInvalid(layout.column("returned_at"), "returned before it was checked out")
        amount = _parse_amount(owed, layout.column("amount_owed")) if owed else _ZERO
        branch_id = self.branch_id(branch.strip(), self.branch_column) if branch else None
        return (
            line,
            ils_id,
            patron,
            barcode,
            title,
            branch_id,
            out_at,
            due_at,
            returned_at,
            amount,
        )

    @staticmethod
    def line_of(row: ParsedLoan) -> int:
        return int(row[0])

    def when(self, value: str, name: str) -> datetime.datetime | None:
        try:
            parsed = _fromisoformat(value)
        except ValueError:
            assert self.layout is not None
            return _parse_datetime(value, self.layout.column(name), self.tz)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=self.tz)
        return parsed if parsed.tzinfo is UTC else parsed.astimezone(UTC)

    # -- writing ---------------------------------------------------------------------------

    def patrons(self, batch: list[ParsedLoan]) -> dict[str, tuple[int, bool] | None]:
        """ils_id -> (pk, keeps_reading_history), or None for an unknown patron."""
        cache = self.patron_cache
        wanted = {row[2] for row in batch}
        missing = [ils_id for ils_id in wanted if ils_id not in cache]
        if not missing:
            return cache
        if len(cache) + len(missing) > PATRON_CACHE_SIZE:
            cache.clear()
            missing = list(wanted)
        found = {
            ils_id: (pk, keeps)
            for ils_id, pk, keeps in Patron.objects.filter(
                library=self.library, ils_source=self.source_name, ils_id__in=missing
            )
            .exclude(ils_id="")  # matches the partial unique index, so it is used
            .values_list("ils_id", "pk", "keeps_reading_history")
        }
        for ils_id in missing:
            cache[ils_id] = found.get(ils_id)
        return cache

    def stored(self, batch: list[ParsedLoan]) -> dict[str, tuple[Any, ...]]:
        """The stored loans of this batch: ils_id -> (pk, *VALUE_FIELDS)."""
        if not self.any_stored:
            return {}
        return {
            row[2]: row
            for row in Loan._unguarded.filter(
                library=self.library, ils_id__in=[r[1] for r in batch]
            )
            .exclude(ils_id="")  # matches the partial unique index, so it is used
            .values_list("pk", *VALUE_FIELDS)
        }

    def write(self, batch: list[ParsedLoan]) -> None:
        patrons = self.patrons(batch)
        skip_unknown = self.options.get("skip_unknown_patrons")
        rows: list[tuple[ParsedLoan, tuple[int, bool]]] = []
        for row in batch:
            patron = patrons.get(row[2])
            if patron is None:
                if skip_unknown:
                    self.result.skip("patron not imported")
                    continue
                assert self.layout is not None
                self.errors.add(
                    row[0],
                    self.layout.column("patron_ils_id"),
                    f"unknown patron {row[2]!r} (import the patrons first)",
                )
                continue
            rows.append((row, patron))
        if self.errors:
            return
        stored = self.stored(batch)
        retention, deletes = self.retention, self.retention.deletes
        cutoff = retention.cutoff
        db_time = self.writer.db_time
        library_id = self.library.pk
        # What a re-import compares and updates: the patron link, and the columns the file
        # has (ils_id is the key).
        compared = [
            VALUE_FIELDS.index(name) for name in ("patron_id", *self.updatable(VALUE_FIELDS[2:]))
        ]
        new: list[tuple[Any, ...]] = []
        changed: list[tuple[Any, ...]] = []
        dropped: list[int] = []
        unlinked = deleted = 0
        for row, (patron_id, keeps) in rows:
            _, ils_id, _, barcode, title, branch_id, out_at, due_at, returned_at, amount = row
            if stored and ils_id in stored:
                self.reimport(row, patron_id, keeps, stored[ils_id], compared, changed, dropped)
                continue
            link: int | None = patron_id
            # ImportRetention.applies, inlined: this loop is the import's hot path.
            if returned_at is not None and amount <= 0 and not keeps and returned_at <= cutoff:
                if deletes:
                    deleted += 1
                    continue
                link = None
                unlinked += 1
            new.append(
                (
                    library_id,
                    link,
                    ils_id,
                    barcode,
                    title,
                    branch_id,
                    db_time(out_at),
                    db_time(due_at),
                    db_time(returned_at),
                    amount,
                )
            )
        self.writer.insert(new)
        if changed:
            self.writer.update([VALUE_FIELDS[i] for i in compared], changed)
        if dropped:
            self.writer.delete(dropped)
        self.result.created += len(new)
        self.result.updated += len(changed)
        self.result.unlinked_by_retention += unlinked
        self.result.deleted_by_retention += deleted

    def reimport(
        self,
        row: ParsedLoan,
        patron_id: int,
        keeps: bool,
        old: tuple[Any, ...],
        compared: list[int],
        changed: list[tuple[Any, ...]],
        dropped: list[int],
    ) -> None:
        """A loan already stored (``old``: pk, then VALUE_FIELDS): compare, and decide its
        link as a new one would be, from the stored value of any column the file lacks."""
        current: list[Any] = [patron_id, *row[1:2], *row[3:]]
        for i in range(2, len(VALUE_FIELDS)):
            if i not in compared:
                current[i] = old[i + 1]
        returned_at, amount = current[7], current[8]
        closed = returned_at is not None and amount <= 0 and not keeps
        if self.retention.applies(returned_at, amount, keeps):
            if self.retention.deletes:
                self.result.deleted_by_retention += 1
                dropped.append(old[0])
                return
            current[0] = None
            self.result.unlinked_by_retention += 1
        elif closed and old[1] is None:
            current[0] = None  # unlinked by retention: never linked again, unless consent
        if any(old[i + 1] != current[i] for i in compared):
            changed.append((*(current[i] for i in compared), old[0]))
        else:
            self.result.unchanged += 1
