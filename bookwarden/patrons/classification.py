"""Whether each kind of library record is confidential or public, per jurisdiction (CR-2, CR-1,
CR-5e, CR-5g).  The answer comes from the jurisdiction's rule pack (the ``classification:``
section of ``bookwarden/disclosures/rules/packs/<CODE>.yaml``, or its override), the same
data the disclosure decisions use, not from code.  A jurisdiction without a pack fails
closed: every record type confidential.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bookwarden.disclosures.rules.loader import (
    CONFIDENTIAL,
    PUBLIC,
    SHIPPED_DIR,
    load_pack,
    parse_pack,
)
from bookwarden.disclosures.rules.matching import first_match
from bookwarden.disclosures.rules.policy import policy_for_library
from bookwarden.disclosures.rules.schema import RECORDS, RELEASE, Facts, PackError

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
    #: Public because the library's own policy opens a record type its state's
    #: library-records law leaves to the public-records law (Cresco's 5e and 5g).
    by_policy: bool = False

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
    """The classification at ``library``: its jurisdiction's, and public where the
    library's own policy opens a record type (:func:`open_record_types`)."""
    table = for_jurisdiction(getattr(library, "jurisdiction", ""))
    for key, citation in _opened_by_policy(library).items():
        c = table[key]
        table[key] = Classification(
            key,
            c.label,
            PUBLIC,
            citation,
            f"Public under the library's own policy; the state's library-records law does not "
            f"cover them ({c.citation}).",
            by_policy=True,
        )
    return table


def open_record_types(library: Any) -> set[str]:
    """The record types that may be given on an open-records request (CR-1, CR-5e, CR-5g):
    those the jurisdiction's pack classifies as public, and those its library-records law
    does not cover (they fall to the state's public-records law) which the library's own
    policy releases on an open-records request.  Which records that law leaves open is the
    custodian's word, written as a policy rule (Cresco's 5e and 5g), never the state
    pack's.  None where there is no pack, and none by an invalid policy (fail closed)."""
    return {key for key, c in for_library(library).items() if c.is_public}


def _opened_by_policy(library: Any) -> dict[str, str]:
    """Record types outside the library-records law that the library's policy releases to
    a member of the public on an open-records request (needing no fact more), with the
    policy rule's citation."""
    pack = load_pack(getattr(library, "jurisdiction", ""))
    if pack is None or pack.outside is None or not getattr(library, "slug", ""):
        return {}
    try:
        policy = policy_for_library(library)
    except PackError:
        return {}  # an invalid policy opens nothing
    if policy is None:
        return {}
    opened = {}
    for key, entry in pack.classification.items():
        if entry.classification == PUBLIC or pack.is_covered(key):
            continue
        facts = Facts(
            jurisdiction=pack.jurisdiction,
            requester="public",
            instrument="open_records_request",
            records=(key,),
        )
        rule, missing = first_match(policy.rules, facts, key)
        if rule is not None and not missing and rule.outcome == RELEASE:
            opened[key] = rule.citation
    return opened
