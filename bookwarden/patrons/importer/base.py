"""The shape of an importer (one per kind of file) and what they share: branches and ids."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.text import slugify

from bookwarden.core.models import Branch, Library

from .parsing import ImportResult, _Errors, _RowInvalid
from .seen import SeenKeys


class _Importer:
    """Reads one kind of file.  :func:`~bookwarden.patrons.importer.import_file` calls
    :meth:`begin` with the checked header, :meth:`parse` for every row (it raises
    ``_RowInvalid`` or ``_Skip``), :meth:`write` for every batch of parsed rows (after an
    error too: it still checks against the database but writes nothing), then
    :meth:`finish`, and :meth:`close` when the import is written.  The keys seen in the file
    are kept in the database (:class:`~.seen.SeenKeys`), so memory holds one batch."""

    kind: str
    #: The kinds of keys that must be unique inside one file.
    KEYS: tuple[str, ...] = ("ids",)

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
        self.keys = SeenKeys(self.KEYS)
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

    def check_id(self, line: int, ils_id: str, column: str) -> None:
        """An id present and short enough; noted, so that a second row with it is refused."""
        if not ils_id:
            raise _RowInvalid(column, "required value is empty")
        if len(ils_id) > 64:
            raise _RowInvalid(column, "longer than 64 characters")
        self.keys.note("ids", line, ils_id, column)

    def updatable(self, fields: tuple[str, ...]) -> list[str]:
        """The fields this file sets: all of them, except native columns left out."""
        if self.present is None:
            return list(fields)
        # ``home_branch_id`` comes from column ``home_branch``, ``branch_id`` from ``branch``.
        return [name for name in fields if name.removesuffix("_id") in self.present]

    def parse(self, line: int, fields: list[str]) -> Any:
        raise NotImplementedError

    @staticmethod
    def line_of(row: Any) -> int:
        raise NotImplementedError

    def flush(self, batch: list[Any]) -> list[Any]:
        """A batch is read: refuse the keys met earlier in the file, then write the rest
        (returned)."""
        bad = self.keys.resolve(self.errors)
        if bad:
            batch = [row for row in batch if self.line_of(row) not in bad]
        if batch:
            self.write(batch)
        return batch

    def write(self, batch: list[Any]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        pass

    def close(self) -> None:
        """The import is written: the temporary tables go."""
        self.keys.drop()
