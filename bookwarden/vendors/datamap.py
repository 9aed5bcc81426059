"""The data map (NM-3, CR-5h): which vendor receives which patron data, at which branches.

One reading of the register serves the data map page, its CSV and the portal's privacy
notice, so that what the library publishes cannot drift from what it records."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop

from bookwarden.core.models import Branch, Library

from .models import DATA_CATEGORIES, Vendor


@dataclass(frozen=True)
class MapRow:
    vendor: Vendor
    #: One flag per data category, in the order of DATA_CATEGORIES.
    receives: tuple[bool, ...]
    branches: tuple[Branch, ...]
    every_branch: bool

    @property
    def where(self) -> str:
        if self.every_branch:
            return gettext_noop("Every branch")  # the portal's privacy notice translates it
        return ", ".join(b.name for b in self.branches)

    @property
    def cells(self) -> list[tuple[str, bool]]:
        """(kind of patron data, whether the vendor receives it), for the matrix."""
        return [
            (label, flag) for (_, label), flag in zip(DATA_CATEGORIES, self.receives, strict=True)
        ]

    @property
    def category_labels(self) -> list[str]:
        return self.vendor.category_labels()


@dataclass(frozen=True)
class BranchRow:
    branch: Branch
    vendors: tuple[MapRow, ...]


@dataclass(frozen=True)
class LibraryMap:
    library: Library
    rows: tuple[MapRow, ...]
    by_branch: tuple[BranchRow, ...]


def map_rows(vendors: list[Vendor], branches_of: dict[int, list[Branch]]) -> list[MapRow]:
    """``vendors`` with their branches prefetched; ``branches_of`` every library's branches."""
    rows = []
    for vendor in vendors:
        chosen = (
            branches_of.get(vendor.library_id, [])
            if vendor.all_branches
            else sorted(vendor.branches.all(), key=lambda b: b.name)
        )
        rows.append(
            MapRow(
                vendor=vendor,
                receives=tuple(key in vendor.data_categories for key, _ in DATA_CATEGORIES),
                branches=tuple(chosen),
                every_branch=vendor.all_branches,
            )
        )
    return rows


def library_maps(vendors: list[Vendor], branches: list[Branch]) -> list[LibraryMap]:
    """The map of each library, its vendors and, branch by branch, who receives what."""
    branches_of: dict[int, list[Branch]] = {}
    libraries: dict[int, Library] = {}
    for branch in branches:
        branches_of.setdefault(branch.library_id, []).append(branch)
        libraries[branch.library_id] = branch.library
    for vendor in vendors:
        libraries[vendor.library_id] = vendor.library
    rows = map_rows(vendors, branches_of)
    maps = []
    for library_id, library in sorted(libraries.items(), key=lambda item: item[1].name):
        mine = tuple(r for r in rows if r.vendor.library_id == library_id)
        by_branch = tuple(
            BranchRow(
                branch=b,
                vendors=tuple(r for r in mine if any(x.pk == b.pk for x in r.branches)),
            )
            for b in branches_of.get(library_id, [])
        )
        maps.append(LibraryMap(library=library, rows=mine, by_branch=by_branch))
    return maps


def third_parties(library: Library) -> list[MapRow]:
    """NM-3: the library's current third parties and what each receives, for the portal's
    privacy notice (two queries)."""
    vendors = list(
        Vendor.objects.filter(library=library)
        .current()
        .prefetch_related("branches")
        .order_by("name")
    )
    if not vendors:
        return []
    return map_rows(vendors, {library.pk: []})
