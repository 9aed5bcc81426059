"""Small rule packs in format 2, written in the tests, for the engine's own features (the
state packs are the researchers' and change with the statutes).  ``pack_data()`` is a
mapping to change; ``write_pack()`` puts it in a folder as ``<stem>.yaml``."""

from __future__ import annotations

import copy
import datetime
from pathlib import Path
from typing import Any

import yaml

from bookwarden.disclosures.rules.loader import parse_pack
from bookwarden.disclosures.rules.schema import Pack

SOURCE = "https://example.org/statutes/1-1"
READ_ON = datetime.date(2026, 12, 2)


def quote(words: str) -> dict[str, Any]:
    return {"quote": words, "source": SOURCE, "read_on": READ_ON}


_PACK: dict[str, Any] = {
    "jurisdiction": "US-KS",
    "name": "Testland",
    "version": "2026-12-02",
    "effective": datetime.date(2016, 7, 1),
    "statutes": [
        {"cite": "T.S. 1-1", "title": "Library records", "source": SOURCE, "read_on": READ_ON}
    ],
    "disclaimer": "This pack is not legal advice.",
    "covers": {
        "law": "T.S. 1-1",
        "records": ["registration", "loans", "holds", "searches", "reference"],
        "text": quote("registration and circulation records"),
    },
    "outside": {
        "law": "Testland public records law (T.S. chapter 9)",
        "citation": "T.S. 9-7(1)",
        "outcome": "needs_information",
        "text": quote("every public record shall be open"),
        "note": "Camera recordings are not circulation records.",
    },
    "confidentiality": {"citation": "T.S. 1-1(1)", "text": quote("are confidential")},
    "rules": [
        {
            "id": "T-1",
            "requester": "patron",
            "instrument": ["none", "written_consent"],
            "records": "all",
            "outcome": "release",
            "citation": "T.S. 1-1(2)(a)",
            "text": quote("the patron may see the patron's own records"),
            "verified": False,
        },
        {
            "id": "T-2",
            "requester": "collection_agency",
            "instrument": "none",
            "purpose": "fines_and_overdues",
            "records": ["loans", "registration"],
            "conditions": {"min_age": 16, "min_amount_owed": 50},
            "outcome": "release_contact_and_amount_owed",
            "citation": "T.S. 1-1(2)(b)",
            "text": quote("name, address and the amount owed, for collecting fines"),
            "verified": False,
        },
        {
            "id": "T-3",
            "requester": "collection_agency",
            "instrument": "none",
            "purpose": "fines_and_overdues",
            "records": ["loans", "registration"],
            "conditions": {"max_age": 15},
            "outcome": "release_parent_identity_only",
            "citation": "T.S. 1-1(2)(c)",
            "text": quote("only the name of the parent or guardian of a patron under 16"),
            "verified": False,
        },
        {
            "id": "T-4",
            "requester": ["law_enforcement", "prosecutor"],
            "instrument": "none",
            "records": ["registration"],
            "conditions": {"sworn_officer": True, "crime_at_library": True},
            "outcome": "release_identity_only",
            "citation": "T.S. 1-1(3)",
            "text": {"unavailable": "The text of subsection 3 could not be read."},
            "verified": False,
        },
        {
            "id": "T-5",
            "requester": "parent",
            "instrument": "none",
            "records": "all",
            "conditions": {"max_age": 17, "custodial": True},
            "outcome": "release",
            "citation": "T.S. 1-1(4)",
            "text": quote("the custodial parent of a minor may inspect"),
            "verified": False,
        },
        {
            "id": "T-6",
            "requester": "any",
            "instrument": "court_order",
            "records": "all",
            "conditions": {"finding": ["good_cause"], "issued_by": ["court", "federal_court"]},
            "outcome": "release",
            "citation": "T.S. 1-1(5)",
            "text": quote("upon an order of a court for good cause shown"),
            "verified": False,
        },
    ],
}


def pack_data(**changes: Any) -> dict[str, Any]:
    """The small pack as a mapping (a fresh copy), with the top-level ``changes``."""
    data = copy.deepcopy(_PACK)
    data.update(changes)
    return data


def rule_of(data: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(r for r in data["rules"] if r["id"] == rule_id)


def write_pack(folder: Path, data: dict[str, Any], stem: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem or data['jurisdiction']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def small_pack(tmp_path: Path, data: dict[str, Any] | None = None) -> Pack:
    """The small pack (or ``data``) parsed from a file, as the loader reads it."""
    return parse_pack(write_pack(tmp_path / "small", data if data is not None else pack_data()))


def old_pack_data() -> dict[str, Any]:
    """A pack written before format 2: statutes as text, every record type classified, no
    covers, confidentiality, text or version."""
    classification: dict[str, Any] = {
        key: {"classification": "confidential", "citation": "T.S. 1-1(a)"}
        for key in (
            "loans", "holds", "searches", "reference", "computer_sessions", "room_bookings",
            "program_registrations", "registration",
        )
    }  # fmt: skip
    classification["camera_recordings"] = {"classification": "public", "citation": "T.S. 9-7"}
    return {
        "jurisdiction": "US-KS",
        "name": "Oldland",
        "statutes": ["T.S. 1-1 (library records; the privilege (a) and (b))", "T.S. 9-7"],
        "disclaimer": "This pack is not legal advice.",
        "classification": classification,
        "rules": [
            {
                "id": "O-1",
                "requester": "patron",
                "instrument": ["none", "written_consent"],
                "records": "all",
                "outcome": "release",
                "citation": "T.S. 1-1(2)",
                "verified": False,
            }
        ],
    }
