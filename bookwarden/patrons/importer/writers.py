"""Writing batches of rows set-based, inside the import's transaction (issue 16, CC-6).

Building a model instance per row costs more than the insert itself, so the importers
write tuples: new rows go in with ``COPY ... FROM STDIN`` on PostgreSQL and one
``executemany`` of an ``INSERT`` elsewhere (SQLite), through the Django connection (and so
inside the same transaction).  The changed rows of a re-import are updated with one
``executemany`` of an ``UPDATE`` by primary key.  One :class:`RowWriter` per model: loans
(:class:`LoanWriter`), patrons and their cards (:mod:`.patrons`).

Inserted values are given as the database stores them (:attr:`RowWriter.db_time`,
:attr:`RowWriter.db_date`).  The columns a row does not give get what a model instance
would have had on save: the field's default, a callable one (a creation time, today)
called once per batch.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections, models, router

from bookwarden.core.stored_defaults import columns_left_out, stored_defaults

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


def _sqlite_date(value: datetime.date | None) -> str | None:
    """What Django stores on SQLite for a date: its ISO text."""
    return None if value is None else value.isoformat()


def _same(value: Any) -> Any:
    return value


class RowWriter:
    """Inserts and updates rows of ``model`` without model instances.

    ``names`` are the attribute names (``library_id``, not ``library``) of the values of
    each inserted tuple, in order; the model's other columns (the key aside) get their
    defaults.  A column added to the model later is so never silently left out."""

    def __init__(self, model: type[models.Model], names: Sequence[str]) -> None:
        self.model = model
        self.connection = connections[router.db_for_write(model)]
        ops = self.connection.ops
        meta = model._meta
        self.table = ops.quote_name(meta.db_table)
        self.fields = {f.attname: f for f in meta.concrete_fields}
        self.others = columns_left_out(model, names)
        columns = [self.fields[name].column for name in names] + [f.column for f in self.others]
        self.columns = ", ".join(ops.quote_name(c) for c in columns)
        self.vendor = self.connection.vendor
        self.db_time: Callable[[datetime.datetime | None], Any] = _same
        self.db_date: Callable[[datetime.date | None], Any] = _same
        if self.vendor == "sqlite":
            tz = getattr(self.connection, "timezone", UTC)
            self.db_time = _sqlite_time if tz is UTC else self._adapt_time
            self.db_date = _sqlite_date
        marks = ", ".join(["%s"] * len(columns))
        # Names from the model's metadata, quoted; values are always parameters.
        self.insert_sql = f"INSERT INTO {self.table} ({self.columns}) VALUES ({marks})"  # noqa: S608

    def _adapt_time(self, value: datetime.datetime | None) -> Any:
        return self.connection.ops.adapt_datetimefield_value(value)

    def defaults(self) -> tuple[Any, ...]:
        """The stored values of the columns a row does not give, as a save would store
        them: each field's default (``timezone.now`` for a creation time: called now)."""
        return stored_defaults(self.others, self.connection)

    def insert(self, rows: list[tuple[Any, ...]]) -> None:
        """New rows: tuples of the values of ``names``, dates and times given by
        :attr:`db_date` and :attr:`db_time`."""
        if not rows:
            return
        if self.others:
            constants = self.defaults()
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
        """Changed rows: tuples of the values of ``names`` (Python values), then the pk."""
        if not rows:
            return
        quote = self.connection.ops.quote_name
        fields = [self.fields[name] for name in names]
        sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        pk = quote(self.model._meta.pk.column)
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


class LoanWriter(RowWriter):
    """Loans: tuples of (library_id, *VALUE_FIELDS)."""

    def __init__(self) -> None:
        super().__init__(Loan, ("library_id", *VALUE_FIELDS))

    def delete(self, pks: list[int]) -> None:
        """Stored loans that the library's rule deletes."""
        Loan._unguarded.filter(pk__in=pks).delete()
