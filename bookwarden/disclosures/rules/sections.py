"""The sections of a rule pack around its rules (format 2, NM-1, CR-1, CR-5g): the statutes
with where and when they were read, ``covers``, ``outside``, ``confidentiality``, the quoted
``text`` of a rule or an entry, and the classification every record type gets from them.
Each function validates one section and raises :class:`PackError` naming the file, the key
and the problem.  See docs/disclosures.md, "Rule packs, format 2".
"""

from __future__ import annotations

import datetime
import re
from dataclasses import replace
from typing import Any

from .schema import (
    OUTCOMES,
    RECORDS,
    ClassificationEntry,
    Confidentiality,
    Covers,
    Outside,
    Pack,
    PackError,
    Rule,
    SourceText,
    Statute,
)

CONFIDENTIAL = "confidential"
PUBLIC = "public"
_STATUTE_KEYS = {"cite", "title", "source", "read_on"}
_TEXT_KEYS = {"quote", "source", "read_on"}
_COVERS_KEYS = {"law", "records", "text", "note"}
_OUTSIDE_KEYS = {"law", "citation", "outcome", "text", "note"}
_CONFIDENTIALITY_KEYS = {"citation", "text", "note"}
#: The longest quote a rule may carry: the operative sentence, quoted short.
QUOTE_LIMIT = 300


def parse_version(value: Any, src: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool) or not isinstance(value, str | int | float) or not str(value):
        raise PackError(src, "version", 'must be text, e.g. "2026-12-02"')
    return str(value).strip()


def parse_date(value: Any, src: str, where: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise PackError(src, where, "must be a day written YYYY-MM-DD")


def parse_statutes(data: Any, src: str) -> tuple[Statute, ...]:
    """``statutes``: a list of citations as text (``"RSMo 182.817 (disclosure)"``) or of
    mappings ``{cite, title, source, read_on}``."""
    if not isinstance(data, list) or not data:
        raise PackError(src, "statutes", "must list the statutes the pack encodes, as text")
    out = []
    for index, item in enumerate(data, start=1):
        where = f"statutes #{index}"
        if isinstance(item, str) and item.strip():
            out.append(statute_from_text(" ".join(item.split())))
            continue
        if not isinstance(item, dict):
            raise PackError(src, "statutes", "must list the statutes the pack encodes, as text")
        extra = sorted(set(item) - _STATUTE_KEYS, key=str)
        if extra:
            raise PackError(src, f"{where}.{extra[0]}", "is not a statute key")
        source = plain_text(item.get("source"), src, f"{where}.source")
        if source:
            check_address(source, src, f"{where}.source")
        out.append(
            Statute(
                cite=plain_text(item.get("cite"), src, f"{where}.cite", required=True),
                title=plain_text(item.get("title"), src, f"{where}.title"),
                source=source,
                read_on=parse_date(item["read_on"], src, f"{where}.read_on").isoformat()
                if item.get("read_on") is not None
                else "",
            )
        )
    return tuple(out)


def statute_from_text(text: str) -> Statute:
    """``"Iowa Code 22.7(13) (library records)"`` → cite ``Iowa Code 22.7(13)``, title
    ``library records``; text without a title in brackets is all citation."""
    found = re.fullmatch(r"(?P<cite>.+?) \((?P<title>[^()]*(?:\([^()]*\)[^()]*)*)\)", text)
    if found is None:
        return Statute(cite=text)
    return Statute(cite=found["cite"], title=found["title"])


def check_address(value: str, src: str, where: str) -> None:
    if not re.fullmatch(r"https?://\S+", value):
        raise PackError(src, where, "must be the address (http or https) the text was read at")


def source_text(value: Any, src: str, where: str) -> SourceText:
    """``text``: ``{quote, source, read_on}`` (the words, quoted short, where and when they
    were read) or ``{unavailable: why}``."""
    if not isinstance(value, dict):
        raise PackError(src, where, "must be {quote, source, read_on} or {unavailable: why}")
    if "unavailable" in value:
        if len(value) != 1:
            raise PackError(src, where, "unavailable stands alone: no quote, source or read_on")
        why = plain_text(value["unavailable"], src, f"{where}.unavailable", required=True)
        return SourceText(unavailable=why)
    extra = sorted(set(value) - _TEXT_KEYS, key=str)
    if extra:
        raise PackError(src, f"{where}.{extra[0]}", "is not a text key (quote, source, read_on)")
    quote = plain_text(value.get("quote"), src, f"{where}.quote", required=True)
    if len(quote) > QUOTE_LIMIT:
        raise PackError(
            src,
            f"{where}.quote",
            f"is {len(quote)} characters: quote the operative words, {QUOTE_LIMIT} at most",
        )
    source = plain_text(value.get("source"), src, f"{where}.source", required=True)
    check_address(source, src, f"{where}.source")
    if value.get("read_on") is None:
        raise PackError(src, f"{where}.read_on", "must be the day the text was read (YYYY-MM-DD)")
    read_on = parse_date(value["read_on"], src, f"{where}.read_on").isoformat()
    return SourceText(quote=quote, source=source, read_on=read_on)


def optional_text(data: dict[str, Any], src: str, where: str) -> SourceText | None:
    return source_text(data["text"], src, f"{where}.text") if "text" in data else None


def mapping(data: Any, keys: set[str], src: str, where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise PackError(src, where, f"must be a mapping of {', '.join(sorted(keys))}")
    extra = sorted(set(data) - keys, key=str)
    if extra:
        raise PackError(src, f"{where}.{extra[0]}", f"is not a {where} key")
    return data


def parse_covers(data: Any, src: str) -> Covers:
    data = mapping(data, _COVERS_KEYS, src, "covers")
    raw = data.get("records")
    records = (
        tuple(RECORDS)
        if raw == "all"
        else choices(raw, tuple(RECORDS), src, "covers", "record type")
    )
    return Covers(
        law=plain_text(data.get("law"), src, "covers.law", required=True),
        records=records,
        text=optional_text(data, src, "covers"),
        note=plain_text(data.get("note"), src, "covers.note"),
    )


def parse_outside(data: Any, src: str) -> Outside:
    data = mapping(data, _OUTSIDE_KEYS, src, "outside")
    outcome = data.get("outcome")
    if outcome not in OUTCOMES:
        raise PackError(
            src, "outside.outcome", f"bad outcome {outcome!r}: use one of {', '.join(OUTCOMES)}"
        )
    return Outside(
        law=plain_text(data.get("law"), src, "outside.law", required=True),
        citation=plain_text(data.get("citation"), src, "outside.citation", required=True),
        outcome=outcome,
        text=optional_text(data, src, "outside"),
        note=plain_text(data.get("note"), src, "outside.note"),
    )


def parse_confidentiality(data: Any, src: str) -> Confidentiality:
    data = mapping(data, _CONFIDENTIALITY_KEYS, src, "confidentiality")
    return Confidentiality(
        citation=plain_text(data.get("citation"), src, "confidentiality.citation", required=True),
        text=optional_text(data, src, "confidentiality"),
        note=plain_text(data.get("note"), src, "confidentiality.note"),
    )


def check_coverage(
    covers: Covers, given: dict[str, ClassificationEntry], rules: tuple[Rule, ...], src: str
) -> None:
    """A record type is either covered (the rules decide it), classified public, or outside
    (the public-records law decides it), never two of these at once."""
    for key, entry in given.items():
        if entry.classification == PUBLIC and key in covers.records:
            raise PackError(
                src, f"classification.{key}", "is classified public but listed in covers.records"
            )
    covered = set(covers.records) | {k for k, e in given.items() if e.classification != PUBLIC}
    for rule in rules:
        if rule.records == tuple(RECORDS):
            continue  # records: all
        for record in rule.records:
            if record not in covered:
                raise PackError(
                    src,
                    f"rule {rule.id}",
                    f"record type {record!r} is not in covers.records: the pack's law does "
                    "not cover it (outside decides it)",
                )


def with_every_record_classified(pack: Pack) -> Pack:
    """The pack with a classification entry for every record type: the given ones, then
    what ``covers`` and ``outside`` make of the others (confidential unless the law outside
    releases them)."""
    if len(pack.classification) == len(RECORDS):
        return pack
    out: dict[str, ClassificationEntry] = {}
    for key in RECORDS:
        if key in pack.classification:
            out[key] = pack.classification[key]
        elif pack.is_covered(key):
            covers = pack.covers
            citation = pack.confidentiality_citation(key)
            out[key] = ClassificationEntry(
                key, CONFIDENTIAL, citation, covers.note if covers else "", False,
                covers.text if covers else None,
            )  # fmt: skip
        elif pack.outside is not None:
            outside = pack.outside
            kind = PUBLIC if outside.outcome == "release" else CONFIDENTIAL
            out[key] = ClassificationEntry(
                key, kind, outside.citation, outside.note, False, outside.text
            )
        else:
            out[key] = ClassificationEntry(
                key,
                CONFIDENTIAL,
                pack.confidentiality_citation(key),
                "Not covered by the pack's law and no other law named: kept confidential.",
                False,
            )
    return replace(pack, classification=out)


def plain_text(value: Any, src: str, where: str, *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise PackError(src, where, "must be text" + (" and is required" if required else ""))
    return " ".join(value.split())


def choices(
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
