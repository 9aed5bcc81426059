"""Whether each kind of library record is confidential or public, per jurisdiction (CR-2, CR-1,
CR-5e, CR-5g).  The answer comes from the jurisdiction's rule pack (the ``classification:``
section of ``bookwarden/disclosures/rules/packs/<CODE>.yaml``, or its override), the same
data the disclosure decisions use, not from code.  A jurisdiction without a pack fails
closed: every record type confidential.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bookwarden.disclosures.rules.loader import (
    CONFIDENTIAL,
    PUBLIC,
    SHIPPED_DIR,
    load_pack,
    parse_pack,
)
from bookwarden.disclosures.rules.schema import RECORDS, PackError

from .records import RECORD_TYPES

#: Where the shipped packs (and so the classifications) are.
DATA_DIR = SHIPPED_DIR
_VALUES = (CONFIDENTIAL, PUBLIC)
#: Raised for an invalid pack; names the file, the key and the problem.
ClassificationError = PackError


@dataclass(frozen=True)
class Classification:
    record_type: str
    label: str
    classification: str
    citation: str
    note: str

    @property
    def is_public(self) -> bool:
        return self.classification == PUBLIC


def _label(key: str) -> str:
    rt = RECORD_TYPES.get(key)
    return rt.label if rt is not None else RECORDS[key]


def parse(path: Path, jurisdiction: str) -> dict[str, Classification]:
    """Read and check one pack file; every record type must be classified."""
    pack = parse_pack(path)
    if pack.jurisdiction != jurisdiction:
        raise ClassificationError(path.name, "jurisdiction", f"must be {jurisdiction!r}")
    return {
        key: Classification(key, _label(key), e.classification, e.citation, e.note)
        for key, e in pack.classification.items()
    }


def _fail_closed(jurisdiction: str) -> dict[str, Classification]:
    return {
        key: Classification(
            key,
            _label(key),
            CONFIDENTIAL,
            "",
            f"No rule pack for {jurisdiction or 'this library'}: treated as confidential.",
        )
        for key in RECORDS
    }


def for_jurisdiction(jurisdiction: str) -> dict[str, Classification]:
    """The classification of every record type under ``jurisdiction`` (e.g. ``US-IA``): the
    seven stored record types first, then security-camera recordings and registration."""
    pack = load_pack(jurisdiction)
    if pack is None:
        return _fail_closed(jurisdiction)
    return {
        key: Classification(key, _label(key), e.classification, e.citation, e.note)
        for key, e in pack.classification.items()
    }


def for_library(library: object) -> dict[str, Classification]:
    return for_jurisdiction(getattr(library, "jurisdiction", ""))
