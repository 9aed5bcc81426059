"""What a patron looks for first on "My records": what they have out and when it is due,
their holds, and what they owe, counted from the records just opened (no other read)."""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from bookwarden.patrons.models import HoldStatus


@dataclass(frozen=True)
class AtAGlance:
    out_now: int
    overdue: int
    next_due: datetime.datetime | None
    holds_ready: int
    holds_waiting: int
    owed: decimal.Decimal


def at_a_glance(records: dict[str, list[Any]]) -> AtAGlance:
    now = timezone.now()
    out = [loan for loan in records.get("loans", []) if loan.returned_at is None]
    dues = sorted(loan.due_at for loan in out if loan.due_at is not None)
    holds = records.get("holds", [])
    return AtAGlance(
        out_now=len(out),
        overdue=sum(1 for due in dues if due < now),
        next_due=next((due for due in dues if due >= now), None),
        holds_ready=sum(1 for hold in holds if hold.status == HoldStatus.READY),
        holds_waiting=sum(1 for hold in holds if hold.status == HoldStatus.WAITING),
        owed=sum(
            (decimal.Decimal(loan.amount_owed or 0) for loan in records.get("loans", [])),
            decimal.Decimal(0),
        ),
    )
