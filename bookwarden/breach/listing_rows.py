"""The rows of a breach's list of affected patrons as the listing writes them (CR-6e):
what was found for each patron, and the INSERT of the new rows (see
:func:`bookwarden.breach.actions.list_affected`, which runs it inside its transaction,
with its audit event)."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from bookwarden.patrons.records import RECORD_TYPES

from .models import AffectedPatron, Breach, Source

#: Rows a statement of the listing writes at once (16 values a row: within the limits of
#: both databases on the values of one statement).
BATCH = 1_000


@dataclass
class Found:
    first: datetime.datetime
    count: int = 0
    types: set[str] = field(default_factory=set)


def ordered_types(types: set[str]) -> list[str]:
    return [key for key in RECORD_TYPES if key in types]


def insert_new_rows(breach: Breach, new: list[tuple[int, Found]], added_by: Any) -> None:
    """Write the listing's new rows, ``(patron id, what was found)``: with COPY on
    PostgreSQL, elsewhere a thousand rows an INSERT; the columns the listing sets, the
    others at their defaults.
    A breach of a whole library's staff lists tens of thousands of patrons, where making a
    model instance of each row and ``bulk_create`` preparing each of its fields took most
    of the listing's time."""
    if not new:
        return
    meta = AffectedPatron._meta
    set_here = (
        "breach_id",
        "patron_id",
        "source",
        "first_opened_at",
        "openings",
        "record_types",
        "added_at",
        "added_by_id",
    )
    defaults = {
        f.column: f.get_default()
        for f in meta.concrete_fields
        if not f.primary_key and f.attname not in set_here and not f.null
    }
    adapt = connection.ops.adapt_datetimefield_value
    now, by, rest = adapt(timezone.now()), getattr(added_by, "pk", None), tuple(defaults.values())
    values = [
        (
            breach.pk,
            patron_id,
            Source.AUDIT.value,
            adapt(hit.first),
            hit.count,
            json.dumps(ordered_types(hit.types)),
            now,
            by,
            *rest,
        )
        for patron_id, hit in new
    ]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    names = ", ".join(quote(c) for c in (*set_here, *defaults))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: the rows streamed, each value adapted once (no SQL text to build).
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return
        row_marks = "(" + ", ".join(["%s"] * (len(set_here) + len(defaults))) + ")"
        for start in range(0, len(values), BATCH):
            batch = values[start : start + BATCH]
            marks = ", ".join([row_marks] * len(batch))
            sql = f"INSERT INTO {table} ({names}) VALUES {marks}"  # noqa: S608 (the model's names)
            cursor.execute(sql, [value for row in batch for value in row])
