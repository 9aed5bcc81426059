"""Whose data a dashboard or report reads: one library, or every library where the person
may see the compliance program (CC-6: a consortium seen whole by whoever holds roles in
several of its members).  Every read goes through :meth:`Scope.rows`, which scopes with
``for_user`` for a person and names the one library for the command line and the jobs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models

from bookwarden.core.models import Library
from bookwarden.core.roles import Perm


@dataclass(frozen=True)
class Scope:
    libraries: tuple[Library, ...]
    #: The person reading (their ``for_user`` scoping applies), or None for the command
    #: line and the jobs, which read one library.
    user: Any = None

    def __post_init__(self) -> None:
        if not self.libraries:
            raise ValueError("A scope needs at least one library.")
        if self.user is None and len(self.libraries) != 1:
            raise ValueError("Without a person, a scope is one library.")

    @classmethod
    def of_library(cls, library: Library, user: Any = None) -> Scope:
        return cls((library,), user)

    @classmethod
    def of_person(cls, user: Any, libraries: Sequence[Library]) -> Scope:
        return cls(tuple(libraries), user)

    @property
    def single(self) -> Library | None:
        return self.libraries[0] if len(self.libraries) == 1 else None

    @property
    def ids(self) -> frozenset[int]:
        return frozenset(lib.pk for lib in self.libraries)

    @property
    def title(self) -> str:
        """What the page is about: the library, the consortium, or "your libraries"."""
        if self.single is not None:
            return self.single.name
        consortia = {lib.consortium_id for lib in self.libraries}
        first = self.libraries[0]
        if len(consortia) == 1 and first.consortium is not None:
            return first.consortium.name
        return "All your libraries"

    def rows(self, model: type[models.Model]) -> Any:
        """``model``'s rows of this scope (a model whose queryset is a ScopedQuerySet)."""
        manager: Any = model.objects  # type: ignore[attr-defined]
        if self.user is not None:
            rows = manager.for_user(self.user, Perm.VIEW_COMPLIANCE)
        else:
            rows = manager.all()
        library = self.single
        if library is not None:
            rows = rows.filter(**{rows.library_field: library})
        return rows

    def covers(self, library_id: int | None) -> bool:
        """For evidence that names its library in a row of its own (a retention run: None
        when it covered every library)."""
        return library_id is None or library_id in self.ids
