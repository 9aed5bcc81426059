"""The columns a set-based insert leaves out, at the values a save would store (issue 16).

The writers that insert plain rows rather than model instances (the import's
:class:`~bookwarden.patrons.importer.writers.RowWriter`, the breach listing's
``INSERT ... SELECT``) name the columns they give; every other column of the model must
still be written as Django would write it, so that a column added to a model later is
never silently left out.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import models


def columns_left_out(model: type[models.Model], given: Collection[str]) -> list[Any]:
    """The concrete fields of ``model`` that a row giving ``given`` (attribute names:
    ``library_id``, not ``library``) leaves out; the primary key is the database's."""
    return [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and field.attname not in given
    ]


def stored_defaults(fields: list[Any], connection: Any) -> tuple[Any, ...]:
    """Each field's default as a save would store it on ``connection`` (a callable default,
    a creation time or today, is called now)."""
    return tuple(field.get_db_prep_save(field.get_default(), connection) for field in fields)
