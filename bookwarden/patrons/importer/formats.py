"""The file formats: the columns of each, and the mapping of a raw row onto the native one.

Patron rows are mapped as dicts by header name (:data:`MAPPINGS`).  Loan files are large, so
a loan row is mapped by position: :func:`loan_layout` reads the header once and returns a
function from a row's fields to the nine native values (see ``docs/import.md``).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from ..models import CONTACT_FIELDS
from .parsing import _parse_date, _Skip

FORMATS = ("bookwarden", "koha", "evergreen")
KINDS = ("patrons", "loans")

# Evergreen permission groups whose members are patrons.  Every other profile (Circulators,
# Catalogers, System Administrator, ...) is a staff account: skipped and counted.
EVERGREEN_PATRON_GROUPS = frozenset({"Patrons"})
EVERGREEN_PATRON_GROUP_PREFIX = "Patron - "

# --------------------------------------------------------------------------- mappings
#
# Each format maps a raw row (dict by header name) onto the native row: a dict with the
# native column names.  ``*_REQUIRED`` are header columns a file of that format must have.

PATRON_COLUMNS = (
    "ils_id",
    "card_number",
    *CONTACT_FIELDS,
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


PatronMapping = Callable[[dict[str, str]], tuple[dict[str, str], dict[str, str]]]

MAPPINGS: dict[str, PatronMapping] = {
    "bookwarden": _native,
    "koha": _koha_patron,
    "evergreen": _evergreen_patron,
}


# --------------------------------------------------------------------------- loans, by position
#
# Where each native loan column (LOAN_COLUMNS order) comes from in each format; None: not
# in that format (the value is empty).  Koha: see _loan_sources for the patron and barcode.
_LOAN_SOURCES: dict[str, tuple[str | None, ...]] = {
    "bookwarden": LOAN_COLUMNS,
    "koha": (
        "issue_id",
        "borrowernumber",
        "itemnumber",
        "title",
        "issuedate",
        "date_due",
        "returndate",
        None,  # fines live in accountlines
        "branchcode",
    ),
    "evergreen": (
        "id",
        "usr",
        "target_copy_barcode",
        None,
        "xact_start",
        "due_date",
        "checkin_time",
        None,  # balances live in money.*
        "circ_lib_shortname",
    ),
}


@dataclass(frozen=True)
class LoanLayout:
    """How to read the loan columns out of one file's rows.

    ``values(fields)`` takes a row's fields with one empty string appended (the value of
    every column the file lacks) and returns the nine raw values in LOAN_COLUMNS order.
    ``column(name, fields)`` is the file's column a native value came from, for errors."""

    values: Callable[[list[str]], tuple[str, ...]]
    sources: dict[str, str]
    barcode_fallback: tuple[int, int] | None = None  # Koha: (barcode, itemnumber) positions

    def column(self, name: str, fields: list[str] | None = None) -> str:
        if name == "item_barcode" and self.barcode_fallback and fields is not None:
            barcode = self.barcode_fallback[0]
            return self.sources[name] if fields[barcode] else "itemnumber"
        return self.sources.get(name, name)


def loan_layout(fmt: str, header: list[str]) -> LoanLayout:
    """The :class:`LoanLayout` of a loans file of format ``fmt`` with this header (its
    required columns already checked)."""
    sources = list(_LOAN_SOURCES[fmt])
    fallback: tuple[str, str] | None = None
    if fmt == "koha":
        # old_issues holds a borrowernumber, which Koha's patron-import format does not
        # carry (the patrons were imported by card number).  A report that adds the
        # borrower's ``cardnumber`` column links the loans; without it, borrowernumber is
        # used as is.  A report that joins items gives ``barcode``, else ``itemnumber``.
        if "cardnumber" in header:
            sources[1] = "cardnumber"
        if "barcode" in header:
            sources[2] = "barcode"
            fallback = ("barcode", "itemnumber")
    position = {name: i for i, name in enumerate(header)}
    missing = len(header)  # the appended empty string
    indexes = [position.get(name, missing) if name else missing for name in sources]
    getter: Callable[[list[str]], tuple[str, ...]] = operator.itemgetter(*indexes)
    names = {native: src for native, src in zip(LOAN_COLUMNS, sources, strict=True) if src}
    if fallback is None:
        return LoanLayout(getter, names)
    barcode = position[fallback[0]]
    itemnumber = position.get(fallback[1], missing)

    def with_fallback(fields: list[str]) -> tuple[str, ...]:
        values = getter(fields)
        if values[2]:
            return values
        return (*values[:2], fields[itemnumber], *values[3:])

    return LoanLayout(with_fallback, names, (barcode, itemnumber))
