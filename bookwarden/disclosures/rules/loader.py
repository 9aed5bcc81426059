"""Load and validate the rule packs: one YAML file per jurisdiction and version (NM-1, NM-2,
CR-1, CR-5g).  The format is version 2 (docs/disclosures.md, "Rule packs, format 2"); a pack
written before it (no ``covers``, ``text`` or ``version``) still loads.

A jurisdiction may have several versions: ``US-IA.yaml`` and ``US-IA@2027-07-01.yaml`` (a
version dropped in ahead of the day it takes effect).  :func:`load_pack` picks the one in
effect on a day.  The shipped packs live in ``rules/packs/``.  A library (or a consortium)
corrects a rule without a code change by copying a pack into the override folder (the setting
``BOOKWARDEN_PACK_DIR``, by default ``<DATA_DIR>/packs/``) and editing it there: a file in
that folder replaces the shipped file of the same name (``US-MO.yaml``, or one version
``US-MO@2027-01-01.yaml``).  Every pack is validated
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
    BOOLEAN_CONDITIONS,
    CONDITION_KEYS,
    FINDINGS,
    INSTRUMENTS,
    ISSUERS,
    OUTCOMES,
    PURPOSES,
    RECORDS,
    REFUSE,
    REQUESTERS,
    ClassificationEntry,
    Conditions,
    Pack,
    PackError,
    Rule,
)
from .sections import (
    CONFIDENTIAL,
    PUBLIC,
    check_coverage,
    choices,
    optional_text,
    parse_confidentiality,
    parse_covers,
    parse_date,
    parse_outside,
    parse_statutes,
    parse_version,
    plain_text,
    source_text,
    with_every_record_classified,
)

SHIPPED_DIR = Path(__file__).resolve().parent / "packs"

_JURISDICTION = re.compile(r"^[A-Z]{2}-[A-Z]{2}$")
#: A pack file's name: the jurisdiction, and for a version other than the base one the day
#: it takes effect (``US-IA@2027-07-01``).
_FILE_STEM = re.compile(r"^(?P<code>[A-Z]{2}-[A-Z]{2})(?:@(?P<day>\d{4}-\d{2}-\d{2}))?$")
_RULE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_HEADER_KEYS = {
    "jurisdiction",
    "name",
    "version",
    "effective",
    "statutes",
    "disclaimer",
    "covers",
    "outside",
    "confidentiality",
    "classification",
    "rules",
}
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
    "purpose",
    "text",
}
_CLASSIFICATION_KEYS = {"classification", "citation", "note", "verified", "text"}


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


def pack_files() -> dict[str, Path]:
    """Every pack file by its name without ``.yaml`` (``US-MO``, ``US-MO@2027-01-01``): the
    shipped ones, each replaced by a file of the same name in the override folder."""
    found: dict[str, Path] = {}
    for folder in (SHIPPED_DIR, override_dir()):
        if folder.is_dir():
            for path in sorted(folder.glob("*.yaml")):
                found[path.stem] = path
    return dict(sorted(found.items()))


def version_paths() -> dict[str, list[Path]]:
    """Every jurisdiction's pack files (all its versions)."""
    out: dict[str, list[Path]] = {}
    for stem, path in pack_files().items():
        code = stem.split("@", 1)[0]
        out.setdefault(code, []).append(path)
    return out


def pack_paths() -> dict[str, Path]:
    """Every jurisdiction's base pack file (``US-MO.yaml``, or its only version)."""
    return {code: paths[0] for code, paths in version_paths().items()}


def today() -> datetime.date:
    """Today in the installation's time zone: the day whose law applies by default."""
    from django.utils import timezone

    return timezone.localdate()


def _in_effect(packs: list[Pack], on: datetime.date) -> Pack | None:
    """The version in effect ``on`` the day: the newest ``effective`` on or before it (a
    version without ``effective`` has always been in effect)."""
    current = [p for p in packs if p.effective is None or p.effective <= on]
    if not current:
        return None
    return max(current, key=lambda p: p.effective or datetime.date.min)


def load_pack(jurisdiction: str, on: datetime.date | None = None) -> Pack | None:
    """The pack of ``jurisdiction`` (e.g. ``US-MO``) in effect on the day ``on`` (default
    today), or ``None`` if there is none (the caller then fails closed).  An invalid pack
    file of that jurisdiction raises :class:`PackError`."""
    if not jurisdiction or not _JURISDICTION.fullmatch(jurisdiction):
        return None
    paths = version_paths().get(jurisdiction)
    if not paths:
        return None
    packs = [_parse_cached(str(path), path.stat().st_mtime_ns) for path in paths]
    return _in_effect(packs, on or today())


@lru_cache(maxsize=128)
def _parse_cached(path: str, mtime_ns: int) -> Pack:
    return parse_pack(Path(path))


def load_all(on: datetime.date | None = None) -> tuple[dict[str, Pack], list[PackError]]:
    """Every jurisdiction's pack in effect ``on`` the day (default today), and the errors of
    every file that does not load (future versions included)."""
    packs: dict[str, Pack] = {}
    errors: list[PackError] = []
    day = on or today()
    for code, versions in load_versions(errors).items():
        pack = _in_effect(versions, day)
        if pack is not None:
            packs[code] = pack
    return packs, errors


def load_versions(errors: list[PackError]) -> dict[str, list[Pack]]:
    """Every version of every jurisdiction's pack that loads, oldest first; the errors of the
    others are appended to ``errors``."""
    out: dict[str, list[Pack]] = {}
    for code, paths in version_paths().items():
        for path in paths:
            try:
                out.setdefault(code, []).append(_parse_cached(str(path), path.stat().st_mtime_ns))
            except PackError as exc:
                errors.append(exc)
    for versions in out.values():
        versions.sort(key=lambda p: p.effective or datetime.date.min)
    return out


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PackError(path.name, "(file)", f"not valid YAML: {exc}") from exc
    except OSError as exc:
        raise PackError(path.name, "(file)", f"cannot be read: {exc}") from exc


def parse_pack(path: Path) -> Pack:
    """Read and validate one pack file; its name must be its jurisdiction (``US-MO.yaml``),
    or its jurisdiction and the day its version takes effect (``US-MO@2027-01-01.yaml``)."""
    src = path.name
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise PackError(src, "(file)", "must be a mapping with jurisdiction, name, rules...")
    unknown = sorted(set(data) - _HEADER_KEYS, key=str)
    if unknown:
        raise PackError(src, str(unknown[0]), "is not a pack key")
    jurisdiction = data.get("jurisdiction")
    if not isinstance(jurisdiction, str) or not _JURISDICTION.fullmatch(jurisdiction):
        raise PackError(src, "jurisdiction", "must be a code like US-MO")
    stem = _FILE_STEM.fullmatch(path.stem)
    if stem is None or jurisdiction != stem["code"]:
        raise PackError(src, "jurisdiction", f"is {jurisdiction!r} but the file is {src}")
    name = plain_text(data.get("name"), src, "name", required=True)
    version = parse_version(data.get("version"), src)
    effective = parse_date(data.get("effective"), src, "effective") if "effective" in data else None
    day_of_file = stem["day"]
    if day_of_file is not None and (effective is None or effective.isoformat() != day_of_file):
        raise PackError(src, "effective", f"must be {day_of_file}, the day the file's name gives")
    statutes = parse_statutes(data.get("statutes"), src)
    disclaimer = plain_text(data.get("disclaimer"), src, "disclaimer", required=True)
    if "not legal advice" not in disclaimer.lower():
        raise PackError(src, "disclaimer", "must say that the pack is not legal advice")
    covers = parse_covers(data["covers"], src) if "covers" in data else None
    outside = parse_outside(data["outside"], src) if "outside" in data else None
    confidentiality = (
        parse_confidentiality(data["confidentiality"], src) if "confidentiality" in data else None
    )
    given = _classification(data.get("classification"), src, complete=covers is None)
    rules = parse_rules(data.get("rules"), src, policy=False)
    if covers is not None:
        check_coverage(covers, given, rules, src)
    pack = Pack(
        jurisdiction=jurisdiction,
        name=name,
        statutes=tuple(str(s) for s in statutes),
        disclaimer=disclaimer,
        classification=given,
        rules=rules,
        source=path,
        version=version,
        effective=effective,
        statute_entries=statutes,
        covers=covers,
        outside=outside,
        confidentiality=confidentiality,
        classified=tuple(given),
    )
    return with_every_record_classified(pack)


def _classification(data: Any, src: str, *, complete: bool) -> dict[str, ClassificationEntry]:
    """The given classification entries; a pack without ``covers`` must classify every
    record type (as before format 2), a pack with it only those it needs to."""
    if data is None and not complete:
        return {}
    if not isinstance(data, dict):
        raise PackError(src, "classification", "must map every record type to its class")
    unknown = sorted(set(data) - set(RECORDS), key=str)
    if unknown:
        raise PackError(src, f"classification.{unknown[0]}", "is not a record type")
    out: dict[str, ClassificationEntry] = {}
    for key in RECORDS:
        where = f"classification.{key}"
        entry = data.get(key)
        if entry is None and not complete:
            continue
        if not isinstance(entry, dict):
            raise PackError(src, where, "is missing (every record type must be classified)")
        extra = sorted(set(entry) - _CLASSIFICATION_KEYS)
        if extra:
            raise PackError(src, f"{where}.{extra[0]}", "is not a classification key")
        value = entry.get("classification")
        if value not in (CONFIDENTIAL, PUBLIC):
            raise PackError(src, f"{where}.classification", "must be confidential or public")
        citation = plain_text(entry.get("citation"), src, f"{where}.citation", required=True)
        note = plain_text(entry.get("note"), src, f"{where}.note")
        verified = entry.get("verified", False)
        if not isinstance(verified, bool):
            raise PackError(src, f"{where}.verified", "must be true or false")
        text = optional_text(entry, src, where)
        out[key] = ClassificationEntry(key, value, citation, note, verified, text)
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
    requesters = choices(item.get("requester"), REQUESTERS, src, where, "requester")
    instruments = choices(item.get("instrument"), INSTRUMENTS, src, where, "instrument")
    records_value = item.get("records")
    if records_value == "all":
        records = tuple(RECORDS)
    else:
        records = choices(records_value, tuple(RECORDS), src, where, "record type")
    conditions, condition_purposes = _conditions(item.get("conditions"), src, where)
    purposes = condition_purposes
    if "purpose" in item:
        if condition_purposes is not None:
            raise PackError(src, where, "purpose is given twice (rule and conditions)")
        purposes = choices(item["purpose"], PURPOSES, src, where, "purpose")
    text = source_text(item["text"], src, f"{where}: text") if "text" in item else None
    outcome = item.get("outcome")
    if outcome not in OUTCOMES:
        raise PackError(src, where, f"bad outcome {outcome!r}: use one of {', '.join(OUTCOMES)}")
    citation = item.get("citation")
    if not isinstance(citation, str) or not citation.strip():
        raise PackError(src, where, "missing citation")
    verified = item.get("verified")
    if not isinstance(verified, bool):
        raise PackError(src, where, "missing verified flag (true or false)")
    note = plain_text(item.get("note"), src, f"{where}: note")
    needs_policy = item.get("needs_library_policy", False)
    if not isinstance(needs_policy, bool):
        raise PackError(src, where, "needs_library_policy must be true or false")
    if needs_policy and policy:
        raise PackError(src, where, "needs_library_policy belongs in a state pack, not a policy")
    if needs_policy and outcome == REFUSE:
        raise PackError(src, where, "needs_library_policy makes no sense with outcome refuse")
    verified_by = plain_text(item.get("verified_by"), src, f"{where}: verified_by")
    verified_on_raw = item.get("verified_on")
    if isinstance(verified_on_raw, datetime.date):
        verified_on = verified_on_raw.isoformat()
    else:
        verified_on = plain_text(verified_on_raw, src, f"{where}: verified_on")
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
        purposes=purposes,
        text=text,
    )


def _conditions(data: Any, src: str, where: str) -> tuple[Conditions, tuple[str, ...] | None]:
    """The rule's conditions, and the purposes written among them (``None``: not given)."""
    if data is None:
        return Conditions(), None
    if not isinstance(data, dict):
        raise PackError(src, where, "conditions must be a mapping")
    for key in data:
        if key not in CONDITION_KEYS:
            raise PackError(
                src, where, f"bad condition key {key!r}: use one of {', '.join(CONDITION_KEYS)}"
            )
    finding = issued_by = purposes = None
    if "finding" in data:
        finding = choices(data["finding"], FINDINGS, src, where, "finding")
    if "issued_by" in data:
        issued_by = choices(data["issued_by"], ISSUERS, src, where, "issuer")
    if "purpose" in data:
        purposes = choices(data["purpose"], PURPOSES, src, where, "purpose")
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
    flags: dict[str, bool | None] = {}
    for key in BOOLEAN_CONDITIONS:
        value = data.get(key)
        if value is not None and not isinstance(value, bool):
            raise PackError(src, where, f"condition {key} must be true or false")
        flags[key] = value
    amount = None
    if data.get("min_amount_owed") is not None:
        raw = data["min_amount_owed"]
        try:
            if isinstance(raw, bool):
                raise InvalidOperation
            amount = Decimal(str(raw))
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount < 0:
            raise PackError(src, where, "condition min_amount_owed must be a sum of dollars")
    conditions = Conditions(
        finding=finding,
        min_age=ages["min_age"],
        max_age=ages["max_age"],
        min_amount_owed=amount,
        issued_by=issued_by,
        **flags,
    )
    return conditions, purposes
