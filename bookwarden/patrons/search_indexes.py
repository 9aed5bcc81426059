"""The trigram indexes of the patron search by name words, on PostgreSQL only.

``first_name__icontains`` is ``UPPER(first_name) LIKE UPPER('%word%')`` on PostgreSQL: a
B-tree cannot serve a pattern that starts with ``%``, a trigram (``pg_trgm``) GIN index on
``UPPER(first_name)`` can, so the search by name reads the few patrons whose names hold
the words instead of every patron of the library.  SQLite has no such index: there the
search keeps the plain ``LIKE``, which reads the library's patrons (a small library's).

The indexes are not in the models' state (a GIN index cannot be made on SQLite, where the
test databases are made from the models): :class:`AddTrigramIndex` makes them in a
migration, on PostgreSQL only.  ``pg_trgm`` is a trusted extension (PostgreSQL 13 and
newer): the database's owner, who runs the migrations, may create it
(docs/deployment-database.md).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

#: Index name -> the column it serves (the patron search page, ``patron_search``).
NAME_INDEXES = {
    "patron_first_name_trgm": "first_name",
    "patron_last_name_trgm": "last_name",
}


class AddTrigramIndex(migrations.operations.base.Operation):
    """``CREATE INDEX name ON table USING gin (UPPER(column) gin_trgm_ops)`` on PostgreSQL;
    elsewhere, nothing.  The models' state is unchanged.  (Written as SQL: Django's
    ``GinIndex(OpClass(Upper(...)))`` needs ``django.contrib.postgres`` installed as an app
    to print an operator class inside an expression.)"""

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str, name: str, column: str) -> None:
        self.model_name = model_name
        self.name = name
        self.column = column

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        q = schema_editor.quote_name
        schema_editor.execute(
            f"CREATE INDEX {q(self.name)} ON {q(model._meta.db_table)} "
            f"USING gin (UPPER({q(self.column)}) gin_trgm_ops)"
        )

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(self.name)}")

    def describe(self) -> str:
        return f"Create the trigram index {self.name} on PostgreSQL only"

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        kwargs = {"model_name": self.model_name, "name": self.name, "column": self.column}
        return (self.__class__.__qualname__, [], kwargs)
