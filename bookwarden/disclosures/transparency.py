"""The yearly transparency report of requests for records (NM-4, CC-5, CR-1).

An aggregate a library can publish: requests for records received in a calendar year,
counted by requester type, instrument and outcome; the open-records requests for public
records, counted by kind of record; how many of the custodian's decisions went against the
rule outcome, and how many requests had the required steps overridden in an emergency.
Releases are also counted by how much they held (in full, or only the overdue items, only
the contact information and amount owed, only an identity, only a parent's identity: the
finer outcomes of the rule packs).  Only counts and the names of categories: no names, no
patron, no identifier, no free text.
Viewing or exporting it is an audit event.
"""

from __future__ import annotations

import datetime
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.files import csv_writer
from bookwarden.core.models import Library
from bookwarden.core.permissions import has_perm
from bookwarden.core.roles import Perm

from .models import (
    INSTRUMENT_CHOICES,
    RECORD_CHOICES,
    REQUESTER_CHOICES,
    DisclosureRequest,
    OpenRecordsRequest,
    Status,
)

#: The outcome columns, in order: the custodian's verdict, else still open, else closed
#: without a decision.
OUTCOMES: tuple[tuple[str, str], ...] = (
    ("release_all", "Released all"),
    ("release_part", "Released part"),
    ("refuse", "Refused"),
    ("pending", "Pending"),
    ("closed_undecided", "Closed without a decision"),
)
#: Who may read the report: the audit readers (board, auditor) and the custodian.
#: What a release held, in order: in full, then the finer outcomes (see scopes.py).
SCOPES: tuple[tuple[str, str], ...] = (
    ("full", "In full (the kinds of records released)"),
    ("release_overdue_only", "Only the overdue items and the amount owed"),
    ("release_contact_and_amount_owed", "Only name, contact information and amount owed"),
    ("release_identity_only", "Only the identity of a person"),
    ("release_parent_identity_only", "Only the identity of a minor's parent or guardian"),
)
READ_PERMS = (Perm.VIEW_AUDIT, Perm.OPEN_RECORDS_AS_CUSTODIAN)
CSV_HEADER = ["year", "library", "section", "requester_type", "instrument", "record_type"]

_REQUESTERS = dict(REQUESTER_CHOICES)
_INSTRUMENTS = dict(INSTRUMENT_CHOICES)
_RECORDS = dict(RECORD_CHOICES)


def may_read(user: Any, library: Library) -> bool:
    return any(has_perm(user, perm, library) for perm in READ_PERMS)


@dataclass
class Row:
    requester_type: str
    instrument: str
    counts: dict[str, int]

    @property
    def requester_label(self) -> str:
        return str(_REQUESTERS.get(self.requester_type, self.requester_type))

    @property
    def instrument_label(self) -> str:
        return str(_INSTRUMENTS.get(self.instrument, self.instrument))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def cells(self) -> list[int]:
        return [self.counts.get(key, 0) for key, _ in OUTCOMES]


@dataclass
class Report:
    library: Library
    year: int
    rows: list[Row] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    against_rule: int = 0
    overrides: int = 0
    open_records: dict[str, int] = field(default_factory=dict)
    scopes: dict[str, int] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return sum(self.totals.values())

    @property
    def open_records_total(self) -> int:
        return sum(self.open_records.values())

    def total_cells(self) -> list[int]:
        return [self.totals.get(key, 0) for key, _ in OUTCOMES]

    @property
    def releases(self) -> int:
        return sum(self.scopes.values())

    def scope_rows(self) -> list[tuple[str, int]]:
        return [(label, self.scopes.get(key, 0)) for key, label in SCOPES]

    def open_records_rows(self) -> list[tuple[str, int]]:
        return [(str(_RECORDS.get(k, k)), n) for k, n in sorted(self.open_records.items())]


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The calendar year in the installation's time zone, as [start, end)."""
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime(year, 1, 1, tzinfo=tz),
        datetime.datetime(year + 1, 1, 1, tzinfo=tz),
    )


def _outcome(verdict: str, status: str) -> str:
    if verdict:
        return verdict
    return "closed_undecided" if status == Status.CLOSED else "pending"


def build(library: Library, year: int) -> Report:
    """Count the requests of ``library`` received in ``year`` (no personal data is read)."""
    start, end = year_bounds(year)
    report = Report(library=library, year=year)
    received = DisclosureRequest.objects.filter(
        library=library, received_at__gte=start, received_at__lt=end
    )
    grouped = received.values(
        "requester_type", "instrument", "verdict", "status", "release_scope", "overdue_only"
    ).annotate(n=Count("pk"))
    cells: dict[tuple[str, str], Counter[str]] = {}
    totals: Counter[str] = Counter()
    scopes: Counter[str] = Counter()
    for g in grouped:
        outcome = _outcome(g["verdict"], g["status"])
        cells.setdefault((g["requester_type"], g["instrument"]), Counter())[outcome] += g["n"]
        totals[outcome] += g["n"]
        if g["verdict"] and g["verdict"] != "refuse":
            scope = g["release_scope"] or ("release_overdue_only" if g["overdue_only"] else "full")
            scopes[scope] += g["n"]
    report.rows = [
        Row(requester, instrument, dict(counts))
        for (requester, instrument), counts in sorted(cells.items())
    ]
    report.totals = dict(totals)
    report.scopes = dict(scopes)
    report.against_rule = received.filter(against_rule=True).count()
    report.overrides = received.filter(override_at__isnull=False).count()
    report.open_records = {
        g["record_type"]: g["n"]
        for g in OpenRecordsRequest.objects.filter(
            library=library, received_at__gte=start, received_at__lt=end
        )
        .values("record_type")
        .annotate(n=Count("pk"))
    }
    return report


def as_csv(report: Report) -> str:
    """The report as CSV: one line per count, only category codes and numbers."""
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow([*CSV_HEADER, "outcome", "count"])
    base = [report.year, report.library.slug]
    for row in report.rows:
        for key, _ in OUTCOMES:
            if row.counts.get(key):
                cells = [row.requester_type, row.instrument, "", key, row.counts[key]]
                writer.writerow([*base, "requests_for_records", *cells])
    for key, _ in OUTCOMES:
        writer.writerow(
            [*base, "requests_for_records_total", "", "", "", key, report.totals.get(key, 0)]
        )
    for key, _ in SCOPES:
        writer.writerow(
            [*base, "releases_by_what_they_held", "", "", "", key, report.scopes.get(key, 0)]
        )
    writer.writerow([*base, "decisions_against_rule_outcome", "", "", "", "", report.against_rule])
    writer.writerow([*base, "steps_overridden", "", "", "", "", report.overrides])
    for record_type, n in sorted(report.open_records.items()):
        writer.writerow(
            [*base, "open_records_requests", "public", "open_records_request", record_type, "", n]
        )
    writer.writerow(
        [*base, "open_records_requests_total", "", "", "", "", report.open_records_total]
    )
    return out.getvalue()


def log_report(*, actor: Any, library: Library, year: int, fmt: str) -> None:
    """Viewing (``page``) or exporting (``csv``) the report is on record."""
    with transaction.atomic():
        record(
            AuditAction.DISCLOSURE_TRANSPARENCY_REPORT,
            actor=actor,
            library=library,
            after={"year": year, "format": fmt},
        )
