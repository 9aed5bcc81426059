"""Producing the reports that leave Bookwarden (CC-8, CC-11, CC-12): each is on record in
the audit log.  Board members and auditors (read only) produce them too: they change no
record of the library, the audit event only says who took what away.

The files are made outside the event's transaction (verifying the audit log walks every
event, which must not hold the log's write lock), then the event is appended.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Library
from bookwarden.core.permissions import require
from bookwarden.core.roles import Perm
from bookwarden.core.when import iso_utc

from . import board
from .board_pdf import board_pdf
from .package import Package, build_package

#: The longest range of an auditor's package.
MAX_PACKAGE_DAYS = 3 * 366


def produce_board_pdf(*, actor: Any, library: Library, year: int) -> bytes:
    """CC-11, CC-12: the year's board report as a PDF, on record."""
    require(actor, Perm.VIEW_COMPLIANCE, library)
    first, last = board.year_period(year)
    if last < first:
        raise ValidationError({"year": "That year has not begun."})
    pdf = board_pdf(board.build(library, first, last))
    with transaction.atomic():
        record(
            AuditAction.REPORT_BOARD_PRODUCED,
            actor=actor,
            library=library,
            after={"year": year, "bytes": len(pdf)},
        )
    return pdf


def produce_package(
    *, actor: Any, library: Library, first: datetime.date, last: datetime.date
) -> Package:
    """CC-8: the grant auditor's package for [first, last], on record with its SHA-256 and
    the audit head it verified."""
    require(actor, Perm.VIEW_COMPLIANCE, library)
    if last < first:
        raise ValidationError({"last": "The last day comes before the first."})
    if (last - first).days > MAX_PACKAGE_DAYS:
        raise ValidationError({"last": "A package covers at most three years."})
    package = build_package(library, first, last)
    verification = package.verification
    with transaction.atomic():
        record(
            AuditAction.REPORT_PACKAGE_PRODUCED,
            actor=actor,
            library=library,
            after={
                "from": iso_utc(first),
                "to": iso_utc(last),
                "sha256": package.sha256,
                "files": len(package.files),
                "audit_ok": bool(verification and verification.ok),
                "audit_head_seq": verification.result.head_seq if verification else None,
            },
        )
    return package
