"""Writing batches of loans set-based, inside the import's transaction.

Building a model instance per row costs more than the insert itself, so new loans go in
as tuples: ``COPY ... FROM STDIN`` on PostgreSQL, ``executemany`` of one ``INSERT``
elsewhere (SQLite), through the Django connection (and so inside the same transaction).
The few changed rows of a re-import are updated with one ``executemany`` of an ``UPDATE``
by primary key.  Values are given as the database stores them (:meth:`LoanWriter.db_time`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections, router

from ..models import Loan

UTC = datetime.UTC
#: The columns a loan row sets, in the order of the tuples written (after library_id).
VALUE_FIELDS = (
    "patron_id",
    "ils_id",
    "item_barcode",
    "title",
    "branch_id",
    "checked_out_at",
    "due_at",
    "returned_at",
    "amount_owed",
)


def _sqlite_time(value: datetime.datetime | None) -> str | None:
    """What Django stores on SQLite: naive UTC text.  The importer's times are all in
    ``datetime.UTC``, so this is their ISO form without the "+00:00"."""
    return None if value is None else value.isoformat(" ")[:-6]


def _same(value: Any) -> Any:
    return value


class LoanWriter:
    def __init__(self, library: Any) -> None:
        self.connection = connections[router.db_for_write(Loan)]
        ops = self.connection.ops
        meta = Loan._meta
        self.table = ops.quote_name(meta.db_table)
        self.fields = {f.attname: f for f in meta.concrete_fields}
        names = ["library_id", *VALUE_FIELDS]
        # A column added to Loan later gets its default (computed once per import), so that
        # the insert does not silently miss it.
        self.extra = [
            (f.column, f.get_db_prep_save(f.get_default(), self.connection))
            for f in meta.concrete_fields
            if f.attname not in names and not f.primary_key
        ]
        columns = [self.fields[name].column for name in names] + [c for c, _ in self.extra]
        self.columns = ", ".join(ops.quote_name(c) for c in columns)
        self.vendor = self.connection.vendor
        self.db_time: Callable[[datetime.datetime | None], Any] = _same
        if self.vendor == "sqlite":
            tz = getattr(self.connection, "timezone", UTC)
            self.db_time = _sqlite_time if tz is UTC else self._adapt_time
        marks = ", ".join(["%s"] * len(columns))
        # Names from the model's metadata, quoted; values are always parameters.
        self.insert_sql = f"INSERT INTO {self.table} ({self.columns}) VALUES ({marks})"  # noqa: S608

    def _adapt_time(self, value: datetime.datetime | None) -> Any:
        return self.connection.ops.adapt_datetimefield_value(value)

    def insert(self, rows: list[tuple[Any, ...]]) -> None:
        """New loans: tuples of (library_id, *VALUE_FIELDS), times given by db_time."""
        if not rows:
            return
        if self.extra:
            constants = tuple(value for _, value in self.extra)
            rows = [(*row, *constants) for row in rows]
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                copy_sql = f"COPY {self.table} ({self.columns}) FROM STDIN"
                with cursor.cursor.copy(copy_sql) as copy:
                    write = copy.write_row
                    for row in rows:
                        write(row)
            else:
                cursor.executemany(self.insert_sql, rows)

    def update(self, names: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """Changed loans: tuples of the values of ``names`` (Python values), then the pk."""
        fields = [self.fields[name] for name in names]
        sets = ", ".join(f"{self.connection.ops.quote_name(f.column)} = %s" for f in fields)
        pk = self.connection.ops.quote_name(Loan._meta.pk.column)
        sql = f"UPDATE {self.table} SET {sets} WHERE {pk} = %s"  # noqa: S608
        prepared = [
            (
                *(
                    f.get_db_prep_save(v, self.connection)
                    for f, v in zip(fields, row, strict=False)
                ),
                row[-1],
            )
            for row in rows
        ]
        with self.connection.cursor() as cursor:
            cursor.executemany(sql, prepared)

    def delete(self, pks: list[int]) -> None:
        """Stored loans that the library's rule deletes."""
        Loan._unguarded.filter(pk__in=pks).delete()
