"""Importing patrons and loans from an integrated library system (issue 3, CR-6a).

``bookwarden import patrons|loans FILE.csv --library SLUG [--format ...]`` calls
:func:`import_file`.  The design, the formats and the ILS quirks are in ``docs/import.md``.

* The file is streamed: bytes are read line by line, decoded one line at a time (so a bad
  byte is reported with its line number) and parsed by the ``csv`` module.  Rows are
  handled in batches of :data:`BATCH_SIZE`.  Memory holds one batch, whatever the size of
  the file (issue 16): the ids and card numbers seen so far (to report a duplicate inside
  the file) and the guardian links wait in temporary tables of the import's own
  transaction (:mod:`.seen`).
* All or nothing: everything runs in one transaction.  The first bad row stops the writing
  but not the checking, so every bad row is reported (line, column, reason); at the end the
  transaction is rolled back and :class:`ImportFailed` carries the list.
* Upsert by the ILS's own ids: patrons by (library, ils_source, ils_id), loans by
  (library, ils_id).  A row equal to what is stored is counted unchanged, so a second run
  of the same file reports 0 created and 0 changed.
* Retention: the library's own ``loans`` rule (:class:`ImportRetention`, read and checked by
  :mod:`bookwarden.patrons.retention`) is applied before a loan is written, so a history
  that is past its rule never lands linked to the patron.  A missing or invalid rule
  refuses the file before anything is read.
* One ``IMPORT_RUN`` audit event per file with counts only: no names, no titles.

Modules: :mod:`.parsing` (results, errors, reading, values), :mod:`.formats` (columns and
the Koha / Evergreen mappings), :mod:`.patrons`, :mod:`.loans` (and :mod:`.writers`, the
set-based writing of patrons, cards and loans).
"""

from __future__ import annotations

import csv
import datetime
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import reset_queries, transaction
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Library

from ..retention_rules import RetentionConfigError
from .base import _Importer
from .formats import FORMATS, KINDS, LOAN_COLUMNS, PATRON_COLUMNS, REQUIRED
from .loans import ImportRetention, _LoanImporter
from .parsing import (
    BATCH_SIZE,
    MAX_REPORTED_ERRORS,
    ImportFailed,
    ImportResult,
    RowError,
    _Errors,
    _RowInvalid,
    _Skip,
    _Source,
    control_character_problem,
)
from .patrons import _PatronImporter

__all__ = [
    "BATCH_SIZE",
    "FORMATS",
    "IMPORTERS",
    "KINDS",
    "LOAN_COLUMNS",
    "MAX_REPORTED_ERRORS",
    "PATRON_COLUMNS",
    "ImportFailed",
    "ImportResult",
    "ImportRetention",
    "RowError",
    "check_readable",
    "import_file",
]

IMPORTERS: dict[str, type[_Importer]] = {"patrons": _PatronImporter, "loans": _LoanImporter}
PROGRESS_EVERY = 1024  # rows between two looks at the clock for the progress line


class _Rollback(Exception):
    pass


def unreadable_reason(exc: OSError) -> str:
    """Why a file cannot be imported, in plain words, from the error of opening or reading."""
    if isinstance(exc, FileNotFoundError):
        return "there is no such file"
    if isinstance(exc, IsADirectoryError):
        return "it is a folder: give the path of one CSV file"
    if isinstance(exc, PermissionError):
        return "permission denied: this user may not read the file"
    return f"it cannot be read ({exc.strerror or exc})"


def check_readable(path: str | os.PathLike[str]) -> int:
    """The size of ``path`` in bytes if it is a file that opens for reading; else
    :class:`ImportFailed` with the reason (a missing file, a folder, no permission)."""
    path = Path(path)
    try:
        with path.open("rb"):
            return path.stat().st_size
    except OSError as exc:
        raise ImportFailed([], reason=unreadable_reason(exc)) from None


def import_file(
    kind: str,
    path: str | os.PathLike[str],
    library: Library,
    *,
    fmt: str = "bookwarden",
    source: str | None = None,
    time_zone: datetime.tzinfo | None = None,
    skip_unknown_patrons: bool = False,
    progress: Callable[[int, int, int], None] | None = None,
    actor: Any = None,
) -> ImportResult:
    """Import one file, all or nothing.  Raises :class:`ImportFailed` with every bad row,
    or with a ``reason`` when the file cannot be read (nothing is recorded: nothing was
    read) or the library's retention rules cannot be applied."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    path = Path(path)
    total_bytes = check_readable(path)
    source_name = source or fmt
    tz = time_zone or timezone.get_current_timezone()
    result = ImportResult(kind=kind, format=fmt)
    errors = _Errors()
    options: dict[str, Any] = {"skip_unknown_patrons": skip_unknown_patrons}
    if kind == "loans":
        try:
            retention = ImportRetention.for_library(library)
        except RetentionConfigError as exc:
            record(
                AuditAction.IMPORT_RUN,
                actor=actor,
                library=library,
                after={"kind": kind, "format": fmt, "ok": False, "bad_rows": 0, "error": str(exc)},
            )
            raise ImportFailed(
                [], reason=f"the library's loans retention rule cannot be applied: {exc}"
            ) from exc
        options["retention"] = retention
        result.retention_rule = f"{retention.rule.describe()} ({retention.rule.source})"
    try:
        with path.open("rb") as raw, transaction.atomic():
            src = _Source(raw)
            importer = IMPORTERS[kind](library, fmt, source_name, tz, errors, result, options)
            _run(src, importer, kind, fmt, errors, result, progress, total_bytes)
            importer.finish()
            if errors:
                raise _Rollback
            importer.close()
            record(
                AuditAction.IMPORT_RUN,
                actor=actor,
                library=library,
                after={**result.as_dict(), "ok": True, "sha256": src.digest.hexdigest()},
            )
    except _Rollback:
        record(
            AuditAction.IMPORT_RUN,
            actor=actor,
            library=library,
            after={
                "kind": kind,
                "format": fmt,
                "ok": False,
                "bad_rows": len(errors.items) + errors.more,
            },
        )
        raise ImportFailed(errors.items, errors.more) from None
    except OSError as exc:  # the file stopped being readable half-way: rolled back
        raise ImportFailed([], reason=unreadable_reason(exc)) from None
    return result


def _run(
    src: _Source,
    importer: _Importer,
    kind: str,
    fmt: str,
    errors: _Errors,
    result: ImportResult,
    progress: Callable[[int, int, int], None] | None,
    total_bytes: int,
) -> None:
    reader = csv.reader(src, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        errors.add(1, "", "the file is empty: a header row is expected")
        return
    except csv.Error as exc:
        errors.add(1, "", f"unreadable header: {exc}")
        return
    if src.bad_lines:
        errors.add(1, "", "bad encoding: the header is not UTF-8")
        return
    if src.control_lines:
        errors.add(1, "", f"the header {control_character_problem(','.join(header))}")
        return
    header = [name.strip() for name in header]
    missing = [name for name in REQUIRED[(kind, fmt)] if name not in header]
    for name in missing:
        errors.add(1, name, "required column missing from the header")
    duplicated = {name for name in header if header.count(name) > 1 and name}
    for name in sorted(duplicated):
        errors.add(1, name, "column appears twice in the header")
    if missing or duplicated:
        return
    if fmt == "bookwarden":
        known = PATRON_COLUMNS if kind == "patrons" else LOAN_COLUMNS
        for name in header:
            if name not in known:
                errors.add(1, name, "unknown column (see docs/import.md)")
        if errors:
            return
    importer.begin(header)
    width = len(header)
    batch_size = BATCH_SIZE  # read at each import: tests make it small
    parse, bad_lines, control_lines = importer.parse, src.bad_lines, src.control_lines
    batch: list[Any] = []
    unflushed = 0  # rows read since the last batch was handed over, good or bad
    last_line = 1
    last_report = 0.0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.add(last_line + 1, "", f"malformed CSV: {exc}")
            break
        line = last_line + 1
        last_line = reader.line_num
        if bad_lines and bad_lines[-1] >= line:
            bad = [n for n in bad_lines if n >= line]
            errors.add(bad[0], "", "bad encoding: the line is not valid UTF-8")
            bad_lines.clear()
            continue
        if control_lines and control_lines[-1] >= line:
            # A NUL (or another control character) in any field refuses the file, named by
            # line and column: never stored, never sent to the database to fail there.
            control_lines.clear()
            result.rows += 1
            columns = [*header, *[""] * (len(fields) - width)]
            found = [
                (column, problem)
                for column, value in zip(columns, fields, strict=False)
                if (problem := control_character_problem(value))
            ]
            for column, problem in found or [("", "contains a control character")]:
                errors.add(line, column, problem)
            continue
        if len(fields) != width:
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue  # a blank line
            result.rows += 1
            errors.add(line, "", f"expected {width} fields, found {len(fields)}")
            continue
        if width == 1 and not fields[0].strip():
            continue  # a blank line
        result.rows += 1
        unflushed += 1
        try:
            batch.append(parse(line, fields))
        except _Skip as skip:
            result.skip(skip.reason)
        except _RowInvalid as exc:
            errors.add(line, exc.column, exc.reason)
        if unflushed >= batch_size:
            # Called after an error too: the importer still checks the batch against the
            # file's earlier rows and the database (duplicates, unknown patrons, card
            # numbers) but writes nothing.  Counted in rows read, so that the keys noted
            # by rows refused while parsing are checked (and let go) as often.
            importer.flush(batch)
            batch = []
            unflushed = 0
            reset_queries()  # with DEBUG on, Django keeps every query: memory would grow
        if progress is not None and result.rows % PROGRESS_EVERY == 0:
            now = time.monotonic()
            if now - last_report >= 0.2:
                last_report = now
                progress(src.bytes_read, total_bytes, result.rows)
    importer.flush(batch)
    if progress is not None:
        progress(src.bytes_read, total_bytes, result.rows)
