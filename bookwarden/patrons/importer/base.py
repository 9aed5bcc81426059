"""The shape of an importer (one per kind of file) and what they share: branches and ids."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.text import slugify

from bookwarden.core.models import Branch, Library

from .parsing import ImportResult, _Errors, _RowInvalid


class _Importer:
    """Reads one kind of file.  :func:`~bookwarden.patrons.importer.import_file` calls
    :meth:`begin` with the checked header, :meth:`parse` for every row (it raises
    ``_RowInvalid`` or ``_Skip``), :meth:`write` for every batch of parsed rows (after an
    error too: it still checks against the database but writes nothing), then
    :meth:`finish`."""

    kind: str

    def __init__(
        self,
        library: Library,
        fmt: str,
        source_name: str,
        tz: datetime.tzinfo,
        errors: _Errors,
        result: ImportResult,
        options: dict[str, Any],
    ) -> None:
        self.library = library
        self.format = fmt
        self.source_name = source_name
        self.tz = tz
        self.errors = errors
        self.result = result
        self.options = options
        self.seen_ids: set[str] = set()
        # Native files may leave optional columns out: those fields are left as stored.
        self.present: set[str] | None = None
        self.branches = {
            slugify(b.slug): b.pk for b in Branch.objects.filter(library=library).only("slug")
        }
        self._branch_codes: dict[str, int | None] = {}  # code as written -> branch

    def begin(self, header: list[str]) -> None:
        if self.format == "bookwarden":
            self.present = set(header)

    def branch_id(self, code: str, column: str) -> int | None:
        if not code:
            return None
        try:
            found = self._branch_codes[code]
        except KeyError:
            found = self._branch_codes[code] = self.branches.get(slugify(code))
        if found is None:
            if self.format == "bookwarden":
                raise _RowInvalid(column, f"no branch {code!r} in this library")
            self.result.unmatched_branches += 1
        return found

    def check_id(self, ils_id: str, column: str) -> None:
        if not ils_id:
            raise _RowInvalid(column, "required value is empty")
        if len(ils_id) > 64:
            raise _RowInvalid(column, "longer than 64 characters")
        if ils_id in self.seen_ids:
            raise _RowInvalid(column, f"duplicate id {ils_id!r} inside the file")
        self.seen_ids.add(ils_id)

    def updatable(self, fields: tuple[str, ...]) -> list[str]:
        """The fields this file sets: all of them, except native columns left out."""
        if self.present is None:
            return list(fields)
        # ``home_branch_id`` comes from column ``home_branch``, ``branch_id`` from ``branch``.
        return [name for name in fields if name.removesuffix("_id") in self.present]

    def parse(self, line: int, fields: list[str]) -> Any:
        raise NotImplementedError

    def write(self, batch: list[Any]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        pass
