"""What an import remembers of the whole file, kept in the database rather than in memory.

A consortium's export has millions of rows (issue 16, CC-6): a Python set of every id seen
would cost about 90 bytes a row, a gigabyte at 10,000,000 rows.  So the ids and card numbers
seen so far (:class:`SeenKeys`, to refuse a duplicate inside the file with its line and
column) and the patrons' guardian links (:class:`GuardianLinks`, resolved once every row is
written, since a guardian may come later in the file) go into temporary tables of the
import's own connection, a batch at a time.  Memory holds one batch, whatever the size of
the file.

The tables are temporary (seen by this connection only) and written inside the import's
transaction: a failed or killed import leaves nothing of them behind, and
:meth:`SeenKeys.drop` removes them when the import ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import connections, router

from ..models import Patron
from .parsing import _Errors

#: The message of a duplicate, by kind of key.
DUPLICATE = {
    "ids": "duplicate id {key!r} inside the file",
    "cards": "duplicate card number {key!r}",
}


def _connection() -> Any:
    return connections[router.db_for_write(Patron)]


class _TempTables:
    """Temporary tables named ``bw_import_<name>`` on the import's connection."""

    def __init__(self, definitions: dict[str, str]) -> None:
        self.connection = _connection()
        self.postgres = self.connection.vendor == "postgresql"
        schema = "pg_temp" if self.postgres else "temp"
        self.tables = {name: f"{schema}.bw_import_{name}" for name in definitions}
        suffix = "" if self.postgres else " WITHOUT ROWID"
        with self.connection.cursor() as cursor:
            for name, columns in definitions.items():
                table = self.tables[name]
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
                short = table.split(".", 1)[1]
                cursor.execute(f"CREATE TEMPORARY TABLE {short} ({columns}){suffix}")

    def drop(self) -> None:
        with self.connection.cursor() as cursor:
            for table in self.tables.values():
                cursor.execute(f"DROP TABLE IF EXISTS {table}")

    def in_list(self, column: str, values: list[Any]) -> tuple[str, list[Any]]:
        """``column IN (values)`` as SQL and parameters, for either database."""
        if self.postgres:
            return f"{column} = ANY(%s)", [values]
        return f"{column} IN ({', '.join(['%s'] * len(values))})", values


class SeenKeys(_TempTables):
    """The keys of one file seen so far, by kind ("ids", "cards").

    :meth:`note` records a row's key while it is parsed; :meth:`resolve`, once a batch is
    read, adds a "duplicate" error for every key met earlier in the file (in this batch or
    in an earlier one) and returns the lines of those rows.  A row whose key is a duplicate
    is reported once, at the line of its second (third, ...) appearance, as before."""

    def __init__(self, kinds: tuple[str, ...]) -> None:
        # ``line`` is where the key was first met: what an earlier batch wrote has a
        # smaller line than any row of the current batch.
        super().__init__({kind: "key text PRIMARY KEY, line integer NOT NULL" for kind in kinds})
        self.pending: dict[str, list[tuple[int, str, str]]] = {kind: [] for kind in kinds}
        if self.postgres:
            self.insert_sql = {
                kind: f"INSERT INTO {table} (key, line) SELECT * FROM unnest(%s::text[], "  # noqa: S608
                "%s::integer[]) ON CONFLICT DO NOTHING"
                for kind, table in self.tables.items()
            }
        else:
            self.insert_sql = {
                kind: f"INSERT INTO {table} (key, line) VALUES (%s, %s) ON CONFLICT DO NOTHING"  # noqa: S608
                for kind, table in self.tables.items()
            }

    def note(self, kind: str, line: int, key: str, column: str) -> None:
        self.pending[kind].append((line, key, column))

    def resolve(self, errors: _Errors) -> set[int]:
        bad: set[int] = set()
        for kind, pending in self.pending.items():
            if not pending:
                continue
            message = DUPLICATE[kind]
            first: dict[str, int] = {}
            columns: dict[str, str] = {}
            for line, key, column in pending:
                if key in first:
                    errors.add(line, column, message.format(key=key))
                    bad.add(line)
                else:
                    first[key] = line
                    columns[key] = column
            pending.clear()
            for key in self._met_before(kind, first):
                line = first[key]
                errors.add(line, columns[key], message.format(key=key))
                bad.add(line)
        return bad

    def _met_before(self, kind: str, first: dict[str, int]) -> list[str]:
        """Stores this batch's new keys; returns those an earlier batch had already stored
        (one statement when there are none, the usual case)."""
        keys = list(first)
        lines = list(first.values())
        with self.connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(self.insert_sql[kind], [keys, lines])
            else:
                cursor.executemany(self.insert_sql[kind], list(zip(keys, lines, strict=True)))
            if cursor.rowcount == len(keys):
                return []
            where, params = self.in_list("key", keys)
            cursor.execute(
                f"SELECT key FROM {self.tables[kind]} WHERE {where} AND line < %s",  # noqa: S608
                [*params, min(lines)],
            )
            return [key for (key,) in cursor.fetchall()]

    def known(self, kind: str, keys: list[str]) -> set[str]:
        """Which of ``keys`` the file holds (in a row already read)."""
        if not keys:
            return set()
        where, params = self.in_list("key", keys)
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT key FROM {self.tables[kind]} WHERE {where}", params)  # noqa: S608
            return {key for (key,) in cursor.fetchall()}


class GuardianLinks(_TempTables):
    """The (line, ward, guardian) links of a patrons file, and whether the ward's row was
    created or changed already (so that a link alone counts it as updated, once)."""

    def __init__(self) -> None:
        super().__init__(
            {
                "links": "line integer PRIMARY KEY, ward text NOT NULL, guardian text NOT NULL, "
                "touched boolean NOT NULL"
            }
        )
        table = self.tables["links"]
        self.insert_sql = (
            f"INSERT INTO {table} (line, ward, guardian, touched) VALUES (%s, %s, %s, %s)"  # noqa: S608
        )
        self.select_sql = (
            f"SELECT line, ward, guardian, touched FROM {table} "  # noqa: S608
            "WHERE line > %s ORDER BY line LIMIT %s"
        )

    def add(self, rows: list[tuple[int, str, str, bool]]) -> None:
        if rows:
            with self.connection.cursor() as cursor:
                cursor.executemany(self.insert_sql, rows)

    def chunks(self, size: int) -> Iterator[list[tuple[int, str, str, bool]]]:
        """Every link, in the order of the file, ``size`` at a time."""
        after = 0
        while True:
            with self.connection.cursor() as cursor:
                cursor.execute(self.select_sql, [after, size])
                chunk = [(line, ward, guardian, bool(t)) for line, ward, guardian, t in cursor]
            if not chunk:
                return
            yield chunk
            after = chunk[-1][0]
