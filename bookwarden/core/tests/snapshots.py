"""Build test data once per session, put it back in each test in milliseconds.

The personas, the demo patrons and the objects every URL of the authorization matrix names
are built through the real actions (audit events and all).  Building them for every test
took most of the suite's time, so each is built once per test process, inside a transaction
that is rolled back, and the rows it inserted or changed are kept.  A test that asks for it
gets those same rows written again inside its own transaction (rolled back at its end, like
any test's writes): the database holds exactly what the build wrote, ids and hashes included.

Only rows are restored: anything a build leaves outside the database (an uploaded file)
must live somewhere that outlasts the test, such as the session's media folder.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.test import override_settings

#: Tests hash with MD5 (bookwarden/conftest.py); the rows built once must match.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class _Rollback(Exception):
    pass


def _table_models() -> dict[str, type[models.Model]]:
    return {
        m._meta.db_table: m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    }


def _hashable(value: Any) -> Any:
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def _read_tables() -> dict[str, tuple[list[str], dict[Any, tuple[Any, ...]]]]:
    """Every table's rows, keyed by the whole row (made hashable)."""
    out = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in sorted(_table_models()):
            cursor.execute(f"SELECT * FROM {quote(table)}")
            columns = [d[0] for d in cursor.description]
            rows = {tuple(_hashable(v) for v in row): tuple(row) for row in cursor.fetchall()}
            out[table] = (columns, rows)
    return out


@dataclass
class Rows:
    """The rows one build inserted, and the rows it changed (by primary key), per table."""

    tables: list[tuple[str, list[str], list[tuple[Any, ...]]]] = field(default_factory=list)
    changed: list[tuple[str, list[str], list[tuple[Any, ...]]]] = field(default_factory=list)

    def insert(self) -> None:
        quote = connection.ops.quote_name
        models_of = _table_models()
        with transaction.atomic(), connection.cursor() as cursor:
            for table, columns, rows in self.tables:
                names = ", ".join(quote(c) for c in columns)
                marks = ", ".join(["%s"] * len(columns))
                insert = f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"
                cursor.executemany(insert, rows)
            for table, columns, rows in self.changed:
                pk = models_of[table]._meta.pk.column
                sets = ", ".join(f"{quote(c)} = %s" for c in columns)
                update = f"UPDATE {quote(table)} SET {sets} WHERE {quote(pk)} = %s"
                cursor.executemany(update, [(*row, row[columns.index(pk)]) for row in rows])
            # PostgreSQL's sequences do not move for rows inserted with their ids; SQLite's
            # AUTOINCREMENT does.
            touched = [models_of[table] for table, _, _ in self.tables]
            for sql in connection.ops.sequence_reset_sql(no_style(), touched):
                cursor.execute(sql)


def capture(build: Callable[[], Any], *, on_top_of: Sequence[Rows] = ()) -> tuple[Rows, Any]:
    """Run ``build`` in a transaction that is rolled back, after putting back the rows of
    ``on_top_of``; return the rows ``build`` itself inserted or changed and what it returned.
    A build may not delete rows."""
    captured = Rows()
    result: Any = None
    try:
        with override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
            for parent in on_top_of:
                parent.insert()
            before = _read_tables()
            result = build()
            after = _read_tables()
            for table, (columns, rows) in after.items():
                old = before[table][1]
                pk = columns.index(_table_models()[table]._meta.pk.column)
                old_pks = {row[pk] for row in old.values()}
                new = [row for key, row in rows.items() if key not in old]
                added = [row for row in new if row[pk] not in old_pks]
                changed = [row for row in new if row[pk] in old_pks]
                if len(old) - len(changed) != len(rows) - len(new):
                    raise RuntimeError(f"Building test data deleted rows of {table}.")
                if added:
                    captured.tables.append((table, columns, added))
                if changed:
                    captured.changed.append((table, columns, changed))
            raise _Rollback
    except _Rollback:
        pass
    return captured, result


# --- What a build returns, kept as plain references and looked up again per test ----------


def freeze(value: Any) -> Any:
    """Model instances become (model label, pk); containers are walked; the rest is kept."""
    if isinstance(value, models.Model):
        return ("__model__", value._meta.label, value.pk)
    if isinstance(value, dict):
        return {k: freeze(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(freeze(v) for v in value)
    return value


def _refs(value: Any, out: dict[str, set[Any]]) -> None:
    if isinstance(value, tuple) and len(value) == 3 and value[0] == "__model__":
        out.setdefault(value[1], set()).add(value[2])
    elif isinstance(value, dict):
        for v in value.values():
            _refs(v, out)
    elif isinstance(value, list | tuple):
        for v in value:
            _refs(v, out)


def thaw(value: Any) -> Any:
    """The inverse of :func:`freeze`, with fresh instances from the database (one query per
    model)."""
    wanted: dict[str, set[Any]] = {}
    _refs(value, wanted)
    found = {
        label: apps.get_model(label)._default_manager.in_bulk(pks) for label, pks in wanted.items()
    }

    def walk(v: Any) -> Any:
        if isinstance(v, tuple) and len(v) == 3 and v[0] == "__model__":
            return found[v[1]][v[2]]
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return type(v)(walk(x) for x in v)
        return v

    return walk(value)


@dataclass
class Snapshot:
    """Rows built once (on top of the rows of ``parents``) and what the build returned."""

    rows: Rows
    result: Any
    parents: tuple[Snapshot, ...] = ()

    @classmethod
    def build(cls, build: Callable[[], Any], *parents: Snapshot) -> Snapshot:
        chain = [rows for parent in parents for rows in parent.all_rows()]
        rows, result = capture(build, on_top_of=chain)
        return cls(rows, freeze(result), parents)

    def all_rows(self) -> list[Rows]:
        return [*(rows for parent in self.parents for rows in parent.all_rows()), self.rows]

    def restore(self) -> Any:
        """Insert this snapshot's own rows (its parents' must be in place) and return what
        the build returned, looked up again."""
        self.rows.insert()
        return thaw(self.result)
