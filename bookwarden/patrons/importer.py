"""Importing patrons and loans from an integrated library system (issue 3, CR-6a).

``bookwarden import patrons|loans FILE.csv --library SLUG [--format ...]`` calls
:func:`import_file`.  The design, the formats and the ILS quirks are in ``docs/import.md``.

* The file is streamed: bytes are read line by line, decoded one line at a time (so a bad
  byte is reported with its line number) and parsed by the ``csv`` module.  Rows are
  handled in batches of :data:`BATCH_SIZE`: one query to find what exists, then
  ``bulk_create`` / ``bulk_update``.  Memory holds one batch plus the set of ids seen
  (needed to report a duplicate id inside the file).
* All or nothing: everything runs in one transaction.  The first bad row stops the writing
  but not the checking, so every bad row is reported (line, column, reason); at the end the
  transaction is rolled back and :class:`ImportFailed` carries the list.
* Upsert by the ILS's own ids: patrons by (library, ils_source, ils_id), loans by
  (library, ils_id).  A row equal to what is stored is counted unchanged, so a second run
  of the same file reports 0 created and 0 changed.
* Retention is applied before a loan is written (:func:`apply_import_retention`), so a
  history that the patron did not consent to keep never lands linked to them.
* One ``IMPORT_RUN`` audit event per file with counts only: no names, no titles.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import reset_queries, transaction
from django.utils import timezone
from django.utils.text import slugify

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Branch, Library

from .models import CONTACT_FIELDS, Card, Loan, Patron

BATCH_SIZE = 2000
FORMATS = ("bookwarden", "koha", "evergreen")
KINDS = ("patrons", "loans")
MAX_REPORTED_ERRORS = 10_000

# Evergreen permission groups whose members are patrons.  Every other profile (Circulators,
# Catalogers, System Administrator, ...) is a staff account: skipped and counted.
EVERGREEN_PATRON_GROUPS = frozenset({"Patrons"})
EVERGREEN_PATRON_GROUP_PREFIX = "Patron - "


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
    """The file was refused; nothing was written.  ``errors`` lists every bad row."""

    def __init__(self, errors: list[RowError], more: int = 0) -> None:
        self.errors = sorted(errors, key=lambda e: (e.line, e.column))
        self.more = more
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


class _Source:
    """Yields decoded text lines of a binary file, noting bad bytes and progress."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.line = 0
        self.bytes_read = 0
        self.bad_lines: list[int] = []
        self.digest = hashlib.sha256()

    def __iter__(self) -> Iterator[str]:
        for chunk in self.raw:
            self.line += 1
            self.bytes_read += len(chunk)
            self.digest.update(chunk)
            if self.line == 1 and chunk.startswith(b"\xef\xbb\xbf"):
                chunk = chunk[3:]
            try:
                yield chunk.decode("utf-8")
            except UnicodeDecodeError:
                self.bad_lines.append(self.line)
                yield chunk.decode("utf-8", errors="replace")


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


# --------------------------------------------------------------------------- mappings
#
# Each format maps a raw row (dict by header name) onto the native row: a dict with the
# native column names.  ``*_REQUIRED`` are header columns a file of that format must have.

PATRON_COLUMNS = (
    "ils_id",
    "card_number",
    "first_name",
    "last_name",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "phone",
    "email",
    "birth_date",
    "home_branch",
    "guardian_ils_id",
    "guardian_name",
    "barred",
    "card_expires_on",
)
LOAN_COLUMNS = (
    "ils_id",
    "patron_ils_id",
    "item_barcode",
    "title",
    "checked_out_at",
    "due_at",
    "returned_at",
    "amount_owed",
    "branch",
)

REQUIRED: dict[tuple[str, str], tuple[str, ...]] = {
    ("patrons", "bookwarden"): ("ils_id", "last_name"),
    ("loans", "bookwarden"): ("ils_id", "patron_ils_id", "item_barcode", "checked_out_at"),
    ("patrons", "koha"): ("cardnumber", "surname", "branchcode", "categorycode"),
    ("loans", "koha"): ("issue_id", "borrowernumber", "itemnumber", "issuedate"),
    ("patrons", "evergreen"): (
        "id",
        "family_name",
        "profile_name",
        "deleted",
        "barred",
        "card_barcode",
    ),
    ("loans", "evergreen"): ("id", "usr", "target_copy_barcode", "xact_start"),
}


def _native(row: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Native rows need no mapping.  Returns (values, source column of each value)."""
    return row, {}


def _koha_patron(row: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    debarred = (row.get("debarred") or "").strip()
    barred = ""
    if debarred:
        # Koha stores the day a restriction ends (9999-12-31 for "indefinitely").
        until = _parse_date(debarred, "debarred")
        barred = "1" if until is None or until >= timezone.localdate() else "0"
    guardian_name = " ".join(
        part
        for part in ((row.get("contactfirstname") or ""), (row.get("contactname") or ""))
        if part
    )
    values = {
        "ils_id": row.get("cardnumber", ""),
        "card_number": row.get("cardnumber", ""),
        "first_name": row.get("firstname", ""),
        "last_name": row.get("surname", ""),
        "address_line1": " ".join(
            p.strip() for p in (row.get("streetnumber", ""), row.get("address", "")) if p.strip()
        ),
        "address_line2": row.get("address2", ""),
        "city": row.get("city", ""),
        "state": row.get("state", ""),
        "postal_code": row.get("zipcode", ""),
        "phone": row.get("phone", ""),
        "email": row.get("email", ""),
        "birth_date": row.get("dateofbirth", ""),
        "home_branch": row.get("branchcode", ""),
        "guardian_ils_id": row.get("guarantor_id", ""),
        "guardian_name": guardian_name,
        "barred": barred,
        "card_expires_on": row.get("dateexpiry", ""),
    }
    columns = {
        "ils_id": "cardnumber",
        "card_number": "cardnumber",
        "first_name": "firstname",
        "last_name": "surname",
        "address_line1": "address",
        "address_line2": "address2",
        "postal_code": "zipcode",
        "birth_date": "dateofbirth",
        "home_branch": "branchcode",
        "guardian_ils_id": "guarantor_id",
        "guardian_name": "contactname",
        "card_expires_on": "dateexpiry",
    }
    return values, columns


def _evergreen_patron(row: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    if (row.get("deleted") or "").strip() in ("1", "t", "true"):
        raise _Skip("deleted in the ILS")
    group = (row.get("profile_name") or "").strip()
    if group not in EVERGREEN_PATRON_GROUPS and not group.startswith(EVERGREEN_PATRON_GROUP_PREFIX):
        raise _Skip("staff account")
    last_name = (row.get("family_name") or "").strip()
    suffix = (row.get("suffix") or "").strip()
    values = {
        "ils_id": row.get("id", ""),
        "card_number": row.get("card_barcode", ""),
        "first_name": row.get("first_given_name", ""),
        "last_name": f"{last_name} {suffix}" if suffix else last_name,
        "address_line1": row.get("mailing_address_street1", ""),
        "address_line2": row.get("mailing_address_street2", ""),
        "city": row.get("mailing_address_city", ""),
        "state": row.get("mailing_address_state", ""),
        "postal_code": row.get("mailing_address_post_code", ""),
        "phone": row.get("day_phone", ""),
        "email": row.get("email", ""),
        "birth_date": row.get("dob", ""),
        "home_branch": row.get("home_ou_shortname", ""),
        "guardian_ils_id": "",
        "guardian_name": row.get("guardian", ""),
        "barred": row.get("barred", ""),
        "card_expires_on": row.get("expire_date", ""),
    }
    columns = {
        "ils_id": "id",
        "card_number": "card_barcode",
        "first_name": "first_given_name",
        "last_name": "family_name",
        "address_line1": "mailing_address_street1",
        "address_line2": "mailing_address_street2",
        "city": "mailing_address_city",
        "state": "mailing_address_state",
        "postal_code": "mailing_address_post_code",
        "phone": "day_phone",
        "birth_date": "dob",
        "home_branch": "home_ou_shortname",
        "guardian_name": "guardian",
        "card_expires_on": "expire_date",
    }
    return values, columns


def _koha_loan(row: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    # old_issues holds a borrowernumber, which Koha's patron-import format does not carry
    # (the patrons were imported by card number).  A report that adds the borrower's
    # ``cardnumber`` column links the loans; without it, borrowernumber is used as is.
    patron_column = "cardnumber" if "cardnumber" in row else "borrowernumber"
    values = {
        "ils_id": row.get("issue_id", ""),
        "patron_ils_id": row.get(patron_column, ""),
        "item_barcode": row.get("barcode") or row.get("itemnumber", ""),
        "title": row.get("title", ""),
        "checked_out_at": row.get("issuedate", ""),
        "due_at": row.get("date_due", ""),
        "returned_at": row.get("returndate", ""),
        "amount_owed": "",
        "branch": row.get("branchcode", ""),
    }
    columns = {
        "ils_id": "issue_id",
        "patron_ils_id": patron_column,
        "item_barcode": "barcode" if row.get("barcode") else "itemnumber",
        "checked_out_at": "issuedate",
        "due_at": "date_due",
        "returned_at": "returndate",
        "branch": "branchcode",
    }
    return values, columns


def _evergreen_loan(row: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    values = {
        "ils_id": row.get("id", ""),
        "patron_ils_id": row.get("usr", ""),
        "item_barcode": row.get("target_copy_barcode", ""),
        "title": "",
        "checked_out_at": row.get("xact_start", ""),
        "due_at": row.get("due_date", ""),
        "returned_at": row.get("checkin_time", ""),
        "amount_owed": "",
        "branch": row.get("circ_lib_shortname", ""),
    }
    columns = {
        "ils_id": "id",
        "patron_ils_id": "usr",
        "item_barcode": "target_copy_barcode",
        "checked_out_at": "xact_start",
        "due_at": "due_date",
        "returned_at": "checkin_time",
        "branch": "circ_lib_shortname",
    }
    return values, columns


MAPPINGS: dict[
    tuple[str, str], Callable[[dict[str, str]], tuple[dict[str, str], dict[str, str]]]
] = {
    ("patrons", "bookwarden"): _native,
    ("loans", "bookwarden"): _native,
    ("patrons", "koha"): _koha_patron,
    ("loans", "koha"): _koha_loan,
    ("patrons", "evergreen"): _evergreen_patron,
    ("loans", "evergreen"): _evergreen_loan,
}


# --------------------------------------------------------------------------- retention


def apply_import_retention(loans: Iterable[Loan], patrons_by_id: dict[int, Patron]) -> int:
    """CR-6a at import: unlink every returned loan with nothing owed from its patron,
    unless that patron keeps their reading history.  Mutates ``loans`` in memory, before
    they are written, and returns how many were unlinked.

    This is the import's hook into retention: the general job (``bookwarden retention
    run``) applies the library's rules to records already stored; the importer calls this
    so that imported history never lands linked against the patron's choice.  If retention
    rules per library come to say more about loans, extend this function (it is given the
    loans and their patrons) rather than the import loop.
    """
    unlinked = 0
    for loan in loans:
        if loan.patron_id is None or loan.returned_at is None or loan.amount_owed:
            continue
        patron = patrons_by_id.get(loan.patron_id)
        if patron is not None and patron.keeps_reading_history:
            continue
        loan.patron_id = None
        unlinked += 1
    return unlinked


# --------------------------------------------------------------------------- the import


@dataclass
class _Row:
    line: int
    values: dict[str, Any]


class _Importer:
    kind: str

    def __init__(
        self,
        library: Library,
        fmt: str,
        source_name: str,
        tz: datetime.tzinfo,
        errors: _Errors,
        result: ImportResult,
        options: dict[str, Any],
    ) -> None:
        self.library = library
        self.format = fmt
        self.source_name = source_name
        self.tz = tz
        self.errors = errors
        self.result = result
        self.options = options
        self.seen_ids: set[str] = set()
        # Native files may leave optional columns out: those fields are left as stored.
        self.present: set[str] | None = None
        self.branches = {
            slugify(b.slug): b.pk for b in Branch.objects.filter(library=library).only("slug")
        }

    def branch_id(self, code: str, column: str) -> int | None:
        if not code:
            return None
        found = self.branches.get(slugify(code))
        if found is None:
            if self.format == "bookwarden":
                raise _RowInvalid(column, f"no branch {code!r} in this library")
            self.result.unmatched_branches += 1
        return found

    def check_id(self, ils_id: str, column: str) -> None:
        if not ils_id:
            raise _RowInvalid(column, "required value is empty")
        if len(ils_id) > 64:
            raise _RowInvalid(column, "longer than 64 characters")
        if ils_id in self.seen_ids:
            raise _RowInvalid(column, f"duplicate id {ils_id!r} inside the file")
        self.seen_ids.add(ils_id)

    def updatable(self, fields: tuple[str, ...]) -> list[str]:
        """The fields this file sets: all of them, except native columns left out."""
        if self.present is None:
            return list(fields)
        # ``home_branch_id`` comes from column ``home_branch``, ``branch_id`` from ``branch``.
        return [name for name in fields if name.removesuffix("_id") in self.present]

    def parse(self, line: int, values: dict[str, str], columns: dict[str, str]) -> _Row:
        raise NotImplementedError

    def write(self, batch: list[_Row]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        pass


class _PatronImporter(_Importer):
    kind = "patrons"
    FIELDS = (*CONTACT_FIELDS, "home_branch_id", "guardian_name", "barred")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.card_numbers: set[str] = set()
        # (line, ward ils_id, guardian ils_id): resolved after every row is written, since
        # a guardian may come later in the file.
        self.guardian_links: list[tuple[int, str, str]] = []
        self.touched: set[str] = set()

    def parse(self, line: int, values: dict[str, str], columns: dict[str, str]) -> _Row:
        def col(name: str) -> str:
            return columns.get(name, name)

        ils_id = _text(values, "ils_id", 64)
        self.check_id(ils_id, col("ils_id"))
        card = _text(values, "card_number", 64)
        if card:
            if card in self.card_numbers:
                raise _RowInvalid(col("card_number"), f"duplicate card number {card!r}")
            self.card_numbers.add(card)
        out: dict[str, Any] = {"ils_id": ils_id, "card_number": card}
        lengths = {
            "first_name": 150,
            "last_name": 150,
            "address_line1": 200,
            "address_line2": 200,
            "city": 100,
            "state": 100,
            "postal_code": 20,
            "phone": 50,
            "email": 254,
            "guardian_name": 200,
        }
        for name, length in lengths.items():
            try:
                out[name] = _text(values, name, length, required=name == "last_name")
            except _RowInvalid as exc:
                raise _RowInvalid(col(name), exc.reason) from None
        if out["email"] and "@" not in out["email"]:
            raise _RowInvalid(col("email"), f"not an e-mail address: {out['email']!r}")
        out["birth_date"] = _parse_date(values.get("birth_date", ""), col("birth_date"))
        if out["birth_date"] and out["birth_date"] > timezone.localdate():
            raise _RowInvalid(col("birth_date"), "birth date is in the future")
        out["card_expires_on"] = _parse_date(
            values.get("card_expires_on", ""), col("card_expires_on")
        )
        out["barred"] = _parse_bool(values.get("barred", ""), col("barred"))
        out["home_branch_id"] = self.branch_id(
            (values.get("home_branch") or "").strip(), col("home_branch")
        )
        guardian = (values.get("guardian_ils_id") or "").strip()
        if guardian:
            if guardian == ils_id:
                raise _RowInvalid(col("guardian_ils_id"), "a patron cannot be their own guardian")
            self.guardian_links.append((line, ils_id, guardian))
        return _Row(line, out)

    def write(self, batch: list[_Row]) -> None:
        ids = [row.values["ils_id"] for row in batch]
        existing = {
            p.ils_id: p
            for p in Patron.objects.filter(
                library=self.library, ils_source=self.source_name, ils_id__in=ids
            ).exclude(ils_id="")  # matches the partial unique index, so it is used
        }
        numbers = [row.values["card_number"] for row in batch if row.values["card_number"]]
        cards = {c.number: c for c in Card.objects.filter(library=self.library, number__in=numbers)}
        new: list[Patron] = []
        changed: list[Patron] = []
        card_rows: list[tuple[dict[str, Any], Card | None]] = []
        fields = self.updatable(self.FIELDS)
        expiry_given = self.present is None or "card_expires_on" in self.present
        for row in batch:
            v = row.values
            patron = existing.get(v["ils_id"])
            card = cards.get(v["card_number"]) if v["card_number"] else None
            if card is not None and (patron is None or card.patron_id != patron.pk):
                self.errors.add(
                    row.line,
                    "card_number",
                    "card number already belongs to another patron in this library",
                )
                continue
            card_changed = bool(v["card_number"]) and (
                card is None or (expiry_given and card.expires_on != v["card_expires_on"])
            )
            if card_changed:
                card_rows.append((v, card))
            if patron is None:
                new.append(
                    Patron(
                        library=self.library,
                        ils_source=self.source_name,
                        ils_id=v["ils_id"],
                        **{name: v[name] for name in self.FIELDS},
                    )
                )
                continue
            diff = [name for name in fields if getattr(patron, name) != v[name]]
            for name in diff:
                setattr(patron, name, v[name])
            if diff:
                changed.append(patron)
            if diff or card_changed:
                self.touched.add(v["ils_id"])
                self.result.updated += 1
            else:
                self.result.unchanged += 1
        if self.errors:
            return
        Patron.objects.bulk_create(new, batch_size=BATCH_SIZE)
        if changed:
            Patron.objects.bulk_update(changed, fields, batch_size=BATCH_SIZE)
        self.result.created += len(new)
        self.touched.update(p.ils_id for p in new)
        if any(p.pk is None for p in new):  # a backend that returns no ids on bulk insert
            pks = dict(
                Patron.objects.filter(
                    library=self.library,
                    ils_source=self.source_name,
                    ils_id__in=[p.ils_id for p in new],
                )
                .exclude(ils_id="")
                .values_list("ils_id", "pk")
            )
            for p in new:
                p.pk = pks[p.ils_id]
        by_id = {p.ils_id: p for p in [*new, *existing.values()]}
        new_cards: list[Card] = []
        changed_cards: list[Card] = []
        for v, card in card_rows:
            if card is None:
                new_cards.append(
                    Card(
                        library=self.library,
                        patron=by_id[v["ils_id"]],
                        number=v["card_number"],
                        expires_on=v["card_expires_on"],
                    )
                )
            else:
                card.expires_on = v["card_expires_on"]
                changed_cards.append(card)
        Card.objects.bulk_create(new_cards, batch_size=BATCH_SIZE)
        if changed_cards:
            Card.objects.bulk_update(changed_cards, ["expires_on"], batch_size=BATCH_SIZE)
        self.result.cards_created += len(new_cards)

    def finish(self) -> None:
        links = self.guardian_links
        if not links:
            return
        wanted = {g for _, _, g in links} | {w for _, w, _ in links}
        # Chunked: the ids of wards and guardians only, not the whole file.
        pks: dict[str, int] = {}
        current: dict[str, int | None] = {}
        ordered = sorted(wanted)
        for start in range(0, len(ordered), BATCH_SIZE):
            chunk = ordered[start : start + BATCH_SIZE]
            for ils_id, pk, guardian_id in (
                Patron.objects.filter(
                    library=self.library, ils_source=self.source_name, ils_id__in=chunk
                )
                .exclude(ils_id="")
                .values_list("ils_id", "pk", "guardian_id")
            ):
                pks[ils_id] = pk
                current[ils_id] = guardian_id
        updates: list[Patron] = []
        for line, ward, guardian in links:
            guardian_pk = pks.get(guardian)
            if guardian_pk is None:
                if self.errors and guardian in self.seen_ids:
                    continue  # in the file, and unwritten only because of another error
                self.errors.add(
                    line, "guardian_ils_id", f"unknown guardian {guardian!r} (not a patron here)"
                )
                continue
            if ward not in pks or current.get(ward) == guardian_pk:
                continue
            updates.append(Patron(pk=pks[ward], guardian_id=guardian_pk))
            if ward not in self.touched:
                self.touched.add(ward)
                self.result.unchanged -= 1
                self.result.updated += 1
        if updates and not self.errors:
            Patron.objects.bulk_update(updates, ["guardian"], batch_size=BATCH_SIZE)


class _LoanImporter(_Importer):
    kind = "loans"
    FIELDS = (
        "patron_id",
        "item_barcode",
        "title",
        "branch_id",
        "checked_out_at",
        "due_at",
        "returned_at",
        "amount_owed",
    )

    def parse(self, line: int, values: dict[str, str], columns: dict[str, str]) -> _Row:
        def col(name: str) -> str:
            return columns.get(name, name)

        ils_id = _text(values, "ils_id", 64)
        self.check_id(ils_id, col("ils_id"))
        out: dict[str, Any] = {"ils_id": ils_id}
        try:
            out["patron_ils_id"] = _text(values, "patron_ils_id", 64, required=True)
        except _RowInvalid as exc:
            raise _RowInvalid(col("patron_ils_id"), exc.reason) from None
        for name, length, required in (("item_barcode", 64, True), ("title", 300, False)):
            try:
                out[name] = _text(values, name, length, required=required)
            except _RowInvalid as exc:
                raise _RowInvalid(col(name), exc.reason) from None
        for name in ("checked_out_at", "due_at", "returned_at"):
            out[name] = _parse_datetime(values.get(name, ""), col(name), self.tz)
        if out["checked_out_at"] is None:
            raise _RowInvalid(col("checked_out_at"), "required value is empty")
        if out["returned_at"] and out["returned_at"] < out["checked_out_at"]:
            raise _RowInvalid(col("returned_at"), "returned before it was checked out")
        out["amount_owed"] = _parse_amount(values.get("amount_owed", ""), col("amount_owed"))
        out["branch_id"] = self.branch_id((values.get("branch") or "").strip(), col("branch"))
        out["_patron_column"] = col("patron_ils_id")
        return _Row(line, out)

    def write(self, batch: list[_Row]) -> None:
        patron_ids = {row.values["patron_ils_id"] for row in batch}
        patrons = {
            p.ils_id: p
            for p in Patron.objects.filter(
                library=self.library, ils_source=self.source_name, ils_id__in=patron_ids
            )
            .exclude(ils_id="")
            .only("pk", "ils_id", "keeps_reading_history")
        }
        loans: list[tuple[_Row, Loan]] = []
        for row in batch:
            v = row.values
            patron = patrons.get(v["patron_ils_id"])
            if patron is None:
                if self.options.get("skip_unknown_patrons"):
                    self.result.skip("patron not imported")
                    continue
                self.errors.add(
                    row.line,
                    v["_patron_column"],
                    f"unknown patron {v['patron_ils_id']!r} (import the patrons first)",
                )
                continue
            loan = Loan(
                library=self.library,
                ils_id=v["ils_id"],
                patron_id=patron.pk,
                **{name: v[name] for name in self.FIELDS if name != "patron_id"},
            )
            loans.append((row, loan))
        if self.errors:
            return
        self.result.unlinked_by_retention += apply_import_retention(
            (loan for _, loan in loans), {p.pk: p for p in patrons.values()}
        )
        existing = {
            loan.ils_id: loan
            for loan in Loan._unguarded.filter(
                library=self.library, ils_id__in=[loan.ils_id for _, loan in loans]
            ).exclude(ils_id="")  # matches the partial unique index, so it is used
        }
        new: list[Loan] = []
        changed: list[Loan] = []
        fields = ["patron_id", *self.updatable(self.FIELDS[1:])]
        for _, loan in loans:
            stored = existing.get(loan.ils_id)
            if stored is None:
                new.append(loan)
                continue
            diff = [name for name in fields if getattr(stored, name) != getattr(loan, name)]
            if diff:
                for name in diff:
                    setattr(stored, name, getattr(loan, name))
                changed.append(stored)
            else:
                self.result.unchanged += 1
        Loan._unguarded.bulk_create(new, batch_size=BATCH_SIZE)
        if changed:
            Loan._unguarded.bulk_update(
                changed, [f.removesuffix("_id") for f in fields], batch_size=BATCH_SIZE
            )
        self.result.created += len(new)
        self.result.updated += len(changed)


IMPORTERS: dict[str, type[_Importer]] = {"patrons": _PatronImporter, "loans": _LoanImporter}


class _Rollback(Exception):
    pass


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
    """Import one file, all or nothing.  Raises :class:`ImportFailed` with every bad row."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    path = Path(path)
    total_bytes = path.stat().st_size
    source_name = source or fmt
    tz = time_zone or timezone.get_current_timezone()
    result = ImportResult(kind=kind, format=fmt)
    errors = _Errors()
    mapping = MAPPINGS[(kind, fmt)]
    try:
        with path.open("rb") as raw, transaction.atomic():
            src = _Source(raw)
            importer = IMPORTERS[kind](
                library,
                fmt,
                source_name,
                tz,
                errors,
                result,
                {"skip_unknown_patrons": skip_unknown_patrons},
            )
            _run(src, importer, mapping, kind, fmt, errors, result, progress, total_bytes)
            importer.finish()
            if errors:
                raise _Rollback
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
    return result


def _run(
    src: _Source,
    importer: _Importer,
    mapping: Callable[[dict[str, str]], tuple[dict[str, str], dict[str, str]]],
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
    if fmt == "bookwarden":
        importer.present = set(header)
    width = len(header)
    batch: list[_Row] = []
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
        if src.bad_lines and src.bad_lines[-1] >= line:
            bad = [n for n in src.bad_lines if n >= line]
            errors.add(bad[0], "", "bad encoding: the line is not valid UTF-8")
            src.bad_lines.clear()
            continue
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue  # a blank line
        result.rows += 1
        if len(fields) != width:
            errors.add(line, "", f"expected {width} fields, found {len(fields)}")
            continue
        row = dict(zip(header, fields, strict=True))
        try:
            values, columns = mapping(row)
            batch.append(importer.parse(line, values, columns))
        except _Skip as skip:
            result.skip(skip.reason)
        except _RowInvalid as exc:
            errors.add(line, exc.column, exc.reason)
        if len(batch) >= BATCH_SIZE:
            # Called after an error too: the importer still checks the batch against the
            # database (unknown patrons, card numbers) but writes nothing.
            importer.write(batch)
            batch = []
            reset_queries()  # with DEBUG on, Django keeps every query: memory would grow
        if progress is not None:
            now = time.monotonic()
            if now - last_report >= 0.2:
                last_report = now
                progress(src.bytes_read, total_bytes, result.rows)
    if batch:
        importer.write(batch)
    if progress is not None:
        progress(src.bytes_read, total_bytes, result.rows)
