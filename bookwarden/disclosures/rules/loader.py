"""Load and validate the rule packs: one YAML file per jurisdiction (NM-1, NM-2, CR-1).

The shipped packs live in ``rules/packs/``.  A library (or a consortium) corrects a rule
without a code change by copying a pack into the override folder (the setting
``BOOKWARDEN_PACK_DIR``, by default ``<DATA_DIR>/packs/``) and editing it there: a pack in
that folder replaces the shipped pack of the same jurisdiction.  Every pack is validated
when it is read; any problem raises :class:`PackError` naming the file, the rule and the
problem.  ``bookwarden disclosures packs`` validates them all.

Reading is cached per file and modification time: an edited file is read again.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from .schema import (
    CONDITION_KEYS,
    FINDINGS,
    INSTRUMENTS,
    ISSUERS,
    OUTCOMES,
    RECORDS,
    REFUSE,
    REQUESTERS,
    ClassificationEntry,
    Conditions,
    Pack,
    PackError,
    Rule,
)

SHIPPED_DIR = Path(__file__).resolve().parent / "packs"
CONFIDENTIAL = "confidential"
PUBLIC = "public"

_JURISDICTION = re.compile(r"^[A-Z]{2}-[A-Z]{2}$")
_RULE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_HEADER_KEYS = {"jurisdiction", "name", "statutes", "disclaimer", "classification", "rules"}
_RULE_KEYS = {
    "id",
    "requester",
    "instrument",
    "records",
    "conditions",
    "outcome",
    "citation",
    "verified",
    "note",
    "needs_library_policy",
    "verified_by",
    "verified_on",
}
_CLASSIFICATION_KEYS = {"classification", "citation", "note", "verified"}


def normalize_jurisdiction(value: str) -> str:
    """``MO``, ``mo``, ``US-MO`` → ``US-MO``.  Raises ``ValueError`` on anything else."""
    code = (value or "").strip().upper()
    if re.fullmatch(r"[A-Z]{2}", code):
        code = f"US-{code}"
    if not _JURISDICTION.fullmatch(code):
        raise ValueError(f"{value!r} is not a state: use a code like MO or US-MO")
    return code


def override_dir() -> Path:
    configured = getattr(settings, "BOOKWARDEN_PACK_DIR", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "packs"


def pack_paths() -> dict[str, Path]:
    """Every pack by jurisdiction: the shipped ones, replaced by any in the override folder."""
    found: dict[str, Path] = {}
    for folder in (SHIPPED_DIR, override_dir()):
        if folder.is_dir():
            for path in sorted(folder.glob("*.yaml")):
                found[path.stem] = path
    return dict(sorted(found.items()))


def load_pack(jurisdiction: str) -> Pack | None:
    """The pack of ``jurisdiction`` (e.g. ``US-MO``), or ``None`` if there is none (the
    caller then fails closed).  An invalid pack raises :class:`PackError`."""
    if not jurisdiction or not _JURISDICTION.fullmatch(jurisdiction):
        return None
    path = pack_paths().get(jurisdiction)
    if path is None:
        return None
    return _parse_cached(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=64)
def _parse_cached(path: str, mtime_ns: int) -> Pack:
    return parse_pack(Path(path))


def load_all() -> tuple[dict[str, Pack], list[PackError]]:
    """Every pack that loads, and the errors of those that do not."""
    packs: dict[str, Pack] = {}
    errors: list[PackError] = []
    for code, path in pack_paths().items():
        try:
            packs[code] = _parse_cached(str(path), path.stat().st_mtime_ns)
        except PackError as exc:
            errors.append(exc)
    return packs, errors


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PackError(path.name, "(file)", f"not valid YAML: {exc}") from exc
    except OSError as exc:
        raise PackError(path.name, "(file)", f"cannot be read: {exc}") from exc


def parse_pack(path: Path) -> Pack:
    """Read and validate one pack file; its name must be its jurisdiction (``US-MO.yaml``)."""
    src = path.name
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise PackError(src, "(file)", "must be a mapping with jurisdiction, name, rules...")
    unknown = sorted(set(data) - _HEADER_KEYS)
    if unknown:
        raise PackError(src, unknown[0], "is not a pack key")
    jurisdiction = data.get("jurisdiction")
    if not isinstance(jurisdiction, str) or not _JURISDICTION.fullmatch(jurisdiction):
        raise PackError(src, "jurisdiction", "must be a code like US-MO")
    if jurisdiction != path.stem:
        raise PackError(src, "jurisdiction", f"is {jurisdiction!r} but the file is {src}")
    name = _text(data.get("name"), src, "name", required=True)
    statutes = data.get("statutes")
    if (
        not isinstance(statutes, list)
        or not statutes
        or not all(isinstance(s, str) and s.strip() for s in statutes)
    ):
        raise PackError(src, "statutes", "must list the statutes the pack encodes, as text")
    disclaimer = _text(data.get("disclaimer"), src, "disclaimer", required=True)
    if "not legal advice" not in disclaimer.lower():
        raise PackError(src, "disclaimer", "must say that the pack is not legal advice")
    classification = _classification(data.get("classification"), src)
    rules = parse_rules(data.get("rules"), src, policy=False)
    return Pack(
        jurisdiction=jurisdiction,
        name=name,
        statutes=tuple(s.strip() for s in statutes),
        disclaimer=disclaimer,
        classification=classification,
        rules=rules,
        source=path,
    )


def _text(value: Any, src: str, where: str, *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise PackError(src, where, "must be text" + (" and is required" if required else ""))
    return " ".join(value.split())


def _classification(data: Any, src: str) -> dict[str, ClassificationEntry]:
    if not isinstance(data, dict):
        raise PackError(src, "classification", "must map every record type to its class")
    unknown = sorted(set(data) - set(RECORDS), key=str)
    if unknown:
        raise PackError(src, f"classification.{unknown[0]}", "is not a record type")
    out: dict[str, ClassificationEntry] = {}
    for key in RECORDS:
        where = f"classification.{key}"
        entry = data.get(key)
        if not isinstance(entry, dict):
            raise PackError(src, where, "is missing (every record type must be classified)")
        extra = sorted(set(entry) - _CLASSIFICATION_KEYS)
        if extra:
            raise PackError(src, f"{where}.{extra[0]}", "is not a classification key")
        value = entry.get("classification")
        if value not in (CONFIDENTIAL, PUBLIC):
            raise PackError(src, f"{where}.classification", "must be confidential or public")
        citation = _text(entry.get("citation"), src, f"{where}.citation", required=True)
        note = _text(entry.get("note"), src, f"{where}.note")
        verified = entry.get("verified", False)
        if not isinstance(verified, bool):
            raise PackError(src, f"{where}.verified", "must be true or false")
        out[key] = ClassificationEntry(key, value, citation, note, verified)
    return out


def parse_rules(data: Any, src: str, *, policy: bool) -> tuple[Rule, ...]:
    """Validate a list of rules (a pack's, or a library policy's: ``policy=True``)."""
    if not isinstance(data, list):
        raise PackError(src, "rules", "must be a list of rules")
    seen: set[str] = set()
    rules = []
    for index, item in enumerate(data, start=1):
        rule = _rule(item, src, index, policy=policy)
        if rule.id in seen:
            raise PackError(src, f"rule {rule.id}", "duplicate id")
        seen.add(rule.id)
        rules.append(rule)
    return tuple(rules)


def _rule(item: Any, src: str, index: int, *, policy: bool) -> Rule:
    if not isinstance(item, dict):
        raise PackError(src, f"rule #{index}", "must be a mapping")
    rid = item.get("id")
    if not isinstance(rid, str) or not _RULE_ID.fullmatch(rid):
        raise PackError(src, f"rule #{index}", "needs an id (letters, digits, - _ .)")
    where = f"rule {rid}"
    unknown = sorted(set(item) - _RULE_KEYS, key=str)
    if unknown:
        raise PackError(src, where, f"unknown key {unknown[0]!r}")
    requesters = _choices(item.get("requester"), REQUESTERS, src, where, "requester")
    instruments = _choices(item.get("instrument"), INSTRUMENTS, src, where, "instrument")
    records_value = item.get("records")
    if records_value == "all":
        records = tuple(RECORDS)
    else:
        records = _choices(records_value, tuple(RECORDS), src, where, "record type")
    conditions = _conditions(item.get("conditions"), src, where)
    outcome = item.get("outcome")
    if outcome not in OUTCOMES:
        raise PackError(src, where, f"bad outcome {outcome!r}: use one of {', '.join(OUTCOMES)}")
    citation = item.get("citation")
    if not isinstance(citation, str) or not citation.strip():
        raise PackError(src, where, "missing citation")
    verified = item.get("verified")
    if not isinstance(verified, bool):
        raise PackError(src, where, "missing verified flag (true or false)")
    note = _text(item.get("note"), src, f"{where}: note")
    needs_policy = item.get("needs_library_policy", False)
    if not isinstance(needs_policy, bool):
        raise PackError(src, where, "needs_library_policy must be true or false")
    if needs_policy and policy:
        raise PackError(src, where, "needs_library_policy belongs in a state pack, not a policy")
    if needs_policy and outcome == REFUSE:
        raise PackError(src, where, "needs_library_policy makes no sense with outcome refuse")
    verified_by = _text(item.get("verified_by"), src, f"{where}: verified_by")
    verified_on_raw = item.get("verified_on")
    if isinstance(verified_on_raw, datetime.date):
        verified_on = verified_on_raw.isoformat()
    else:
        verified_on = _text(verified_on_raw, src, f"{where}: verified_on")
    if verified and not (verified_by and verified_on):
        raise PackError(src, where, "verified: true needs verified_by and verified_on")
    return Rule(
        id=rid,
        requesters=requesters,
        instruments=instruments,
        records=records,
        conditions=conditions,
        outcome=outcome,
        citation=" ".join(citation.split()),
        verified=verified,
        note=note,
        needs_library_policy=needs_policy,
        verified_by=verified_by,
        verified_on=verified_on,
    )


def _choices(
    value: Any, allowed: tuple[str, ...], src: str, where: str, what: str
) -> tuple[str, ...]:
    if value == "any" and what != "record type":
        return allowed
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise PackError(src, where, f"missing {what} (a name or a list of names)")
    for v in items:
        if v not in allowed:
            raise PackError(src, where, f"unknown {what} {v!r}: use one of {', '.join(allowed)}")
    return tuple(dict.fromkeys(items))


def _conditions(data: Any, src: str, where: str) -> Conditions:
    if data is None:
        return Conditions()
    if not isinstance(data, dict):
        raise PackError(src, where, "conditions must be a mapping")
    for key in data:
        if key not in CONDITION_KEYS:
            raise PackError(
                src, where, f"bad condition key {key!r}: use one of {', '.join(CONDITION_KEYS)}"
            )
    finding = issued_by = None
    if "finding" in data:
        finding = _choices(data["finding"], FINDINGS, src, where, "finding")
    if "issued_by" in data:
        issued_by = _choices(data["issued_by"], ISSUERS, src, where, "subpoena issuer")
    ages: dict[str, int | None] = {}
    for key in ("min_age", "max_age"):
        value = data.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 130
        ):
            raise PackError(src, where, f"condition {key} must be a whole number of years")
        ages[key] = value
    low, high = ages["min_age"], ages["max_age"]
    if low is not None and high is not None and low > high:
        raise PackError(src, where, "condition min_age is above max_age")
    bill_sent = data.get("bill_sent")
    if bill_sent is not None and not isinstance(bill_sent, bool):
        raise PackError(src, where, "condition bill_sent must be true or false")
    amount = None
    if data.get("min_amount_owed") is not None:
        raw = data["min_amount_owed"]
        try:
            if isinstance(raw, bool):
                raise InvalidOperation
            amount = Decimal(str(raw))
        except InvalidOperation:
            amount = None
        if amount is None or amount < 0:
            raise PackError(src, where, "condition min_amount_owed must be a sum of dollars")
    return Conditions(
        finding=finding,
        min_age=ages["min_age"],
        max_age=ages["max_age"],
        bill_sent=bill_sent,
        min_amount_owed=amount,
        issued_by=issued_by,
    )
