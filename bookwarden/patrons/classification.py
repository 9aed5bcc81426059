"""Whether each kind of library record is confidential or public, per jurisdiction (CR-2, CR-1,
CR-5e).  The answer comes from a data file per jurisdiction, ``classification/<CODE>.yaml``,
not from code.  A jurisdiction without a file fails closed: every record type confidential.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from django.core.exceptions import ImproperlyConfigured

from .records import RECORD_TYPES

DATA_DIR = Path(__file__).resolve().parent / "classification"
CONFIDENTIAL = "confidential"
PUBLIC = "public"
_VALUES = (CONFIDENTIAL, PUBLIC)


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


class ClassificationError(ImproperlyConfigured):
    """A classification file is missing a key or holds a value it may not."""


def _fail(path: Path, key: str, problem: str) -> ClassificationError:
    return ClassificationError(f"{path.name}: {key}: {problem}")


def parse(path: Path, jurisdiction: str) -> dict[str, Classification]:
    """Read and check one file; every record type must be there, nothing else."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _fail(path, "(file)", f"not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise _fail(path, "(file)", "must be a mapping with 'jurisdiction' and 'records'")
    if data.get("jurisdiction") != jurisdiction:
        raise _fail(path, "jurisdiction", f"must be {jurisdiction!r}")
    records = data.get("records")
    if not isinstance(records, dict):
        raise _fail(path, "records", "must map each record type to its classification")
    unknown = sorted(set(records) - set(RECORD_TYPES))
    if unknown:
        raise _fail(path, f"records.{unknown[0]}", "is not a record type")
    out: dict[str, Classification] = {}
    for key, rt in RECORD_TYPES.items():
        entry = records.get(key)
        if not isinstance(entry, dict):
            raise _fail(path, f"records.{key}", "is missing")
        value = entry.get("classification")
        if value not in _VALUES:
            raise _fail(path, f"records.{key}.classification", f"must be one of {_VALUES}")
        citation = entry.get("citation")
        if not isinstance(citation, str) or not citation.strip():
            raise _fail(path, f"records.{key}.citation", "is missing")
        note = entry.get("note", "")
        if not isinstance(note, str):
            raise _fail(path, f"records.{key}.note", "must be text")
        out[key] = Classification(key, rt.label, value, citation.strip(), note.strip())
    return out


def _fail_closed(jurisdiction: str) -> dict[str, Classification]:
    return {
        key: Classification(
            key,
            rt.label,
            CONFIDENTIAL,
            "",
            f"No classification file for {jurisdiction}: treated as confidential.",
        )
        for key, rt in RECORD_TYPES.items()
    }


@cache
def for_jurisdiction(jurisdiction: str) -> dict[str, Classification]:
    """The classification of every record type under ``jurisdiction`` (e.g. ``US-IA``)."""
    path = DATA_DIR / f"{jurisdiction}.yaml"
    if not jurisdiction or "/" in jurisdiction or not path.is_file():
        return _fail_closed(jurisdiction)
    return parse(path, jurisdiction)


def for_library(library: object) -> dict[str, Classification]:
    return for_jurisdiction(getattr(library, "jurisdiction", ""))
