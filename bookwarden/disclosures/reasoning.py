"""The reasoning of a rule decision as the custodian and counsel read it (NM-1, NM-2, NM-4,
CR-5a, CC-5).

A decision of the rule packs' format 2 carries ``law`` (which law governs each record type)
and ``explanation`` (per record type: the rule that decided it, the facts it used, the
statute sentence it rests on, and the near misses).  This module turns that stored mapping
into what the request page shows, record type by record type, in plain words: the rule's
own words first, its citation beside.  A decision stored before format 2 has no
``explanation``: :func:`reasoning_of` then gives nothing and the page shows the reasons as
it always did.  Nothing here decides anything.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from .rules.schema import OUTCOME_TEXT, OUTCOMES, RECORDS
from .wording import FACT_NAMES, OUTCOME_LABELS, condition_if, fact_value


@dataclass(frozen=True)
class SourceText:
    """The statute (or policy) sentence a rule rests on."""

    quote: str = ""
    source: str = ""
    read_on: datetime.date | None = None
    unavailable: str = ""

    @property
    def checked(self) -> bool:
        """The rule's text was read and quoted from its source."""
        return bool(self.quote)

    @property
    def source_is_link(self) -> bool:
        return self.source.startswith(("https://", "http://"))


@dataclass(frozen=True)
class NearMiss:
    """A rule that would have decided otherwise, but for one fact."""

    outcome: str
    needs: str  # "the patron were under 16"
    citation: str = ""
    note: str = ""

    @property
    def sentence(self) -> str:
        """ "Would have allowed release if the patron were under 16: release only who the
        minor's parent or guardian is." """
        if self.outcome in OUTCOME_LABELS and OUTCOMES.get(self.outcome, 0) >= 2:
            label = OUTCOME_LABELS[self.outcome]
            if self.outcome == "release":
                return f"Would have allowed release if {self.needs}."
            return f"Would have allowed release if {self.needs}: {label[:1].lower()}{label[1:]}."
        return f"Would have been decided otherwise if {self.needs}."


@dataclass
class RecordReasoning:
    """Why one record type got its answer."""

    record: str
    label: str
    outcome: str
    law: str = ""
    public_records_law: bool = False
    rule_words: str = ""
    citation: str = ""
    text: SourceText | None = None
    from_policy: bool = False
    verified: bool = False
    verified_by: str = ""
    verified_on: datetime.date | None = None
    missing: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    near_misses: list[NearMiss] = field(default_factory=list)

    @property
    def outcome_words(self) -> str:
        return f"{self.label} {OUTCOME_TEXT.get(self.outcome, 'cannot be decided here')}."


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _text(value: Any) -> SourceText | None:
    if not isinstance(value, dict):
        return None
    return SourceText(
        quote=str(value.get("quote") or "").strip(),
        source=str(value.get("source") or ""),
        read_on=_date(value.get("read_on")),
        unavailable=str(value.get("unavailable") or "").strip(),
    )


def _facts(value: Any) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        pairs = list(value.items())
    elif isinstance(value, list):
        pairs = [
            (str(f.get("fact") or f.get("name") or ""), f.get("value"))
            for f in value
            if isinstance(f, dict)
        ]
    else:
        return []
    return [
        (FACT_NAMES.get(name, name.replace("_", " ").capitalize()), fact_value(name, v))
        for name, v in pairs
        if name
    ]


def _near_miss(value: Any) -> NearMiss | None:
    if not isinstance(value, dict):
        return None
    found = value.get("rule")
    rule: dict[str, Any] = found if isinstance(found, dict) else {}
    fact = str(value.get("condition") or value.get("fact") or "")
    if not fact:
        return None
    needed = value.get("needed", value.get("value"))
    return NearMiss(
        outcome=str(value.get("outcome") or rule.get("outcome") or ""),
        needs=condition_if(fact, needed),
        citation=str(value.get("citation") or rule.get("citation") or ""),
        note=str(value.get("note") or rule.get("note") or ""),
    )


def _one(entry: dict[str, Any], law: dict[str, Any]) -> RecordReasoning:
    record = str(entry.get("record") or "")
    found = entry.get("rule")
    rule: dict[str, Any] = found if isinstance(found, dict) else {}
    governing = str(law.get(record) or entry.get("law") or "")
    kind = str(entry.get("law_kind") or entry.get("governed_by") or "")
    reasoning = RecordReasoning(
        record=record,
        label=RECORDS.get(record, record.replace("_", " ").capitalize()),
        outcome=str(entry.get("outcome") or ""),
        law=governing,
        public_records_law=kind in ("outside", "public_records") or bool(entry.get("outside")),
        rule_words=str(rule.get("note") or entry.get("note") or "").strip(),
        citation=str(rule.get("citation") or entry.get("citation") or ""),
        text=_text(rule.get("text") or entry.get("text")),
        from_policy=str(rule.get("layer") or rule.get("source") or "") == "policy"
        or bool(rule.get("policy")),
        verified=bool(rule.get("verified")),
        verified_by=str(rule.get("verified_by") or ""),
        verified_on=_date(rule.get("verified_on")),
        missing=[FACT_NAMES.get(m, m).lower() for m in entry.get("missing", []) or []],
        facts=_facts(entry.get("facts_used") or entry.get("facts")),
    )
    for miss in entry.get("near_misses", []) or []:
        found = _near_miss(miss)
        if found is not None:
            reasoning.near_misses.append(found)
    return reasoning


def reasoning_of(decision: dict[str, Any] | None) -> list[RecordReasoning]:
    """Record type by record type, why the stored decision says what it says ([] for a
    decision stored before the packs explained themselves)."""
    if not decision:
        return []
    explanation = decision.get("explanation")
    law = decision.get("law") or {}
    if isinstance(explanation, dict):  # keyed by record type
        entries = [{"record": k, **v} for k, v in explanation.items() if isinstance(v, dict)]
    elif isinstance(explanation, list):
        entries = [e for e in explanation if isinstance(e, dict)]
    else:
        return []
    return [_one(e, law if isinstance(law, dict) else {}) for e in entries]


def pack_version_of(decision: dict[str, Any] | None) -> tuple[str, datetime.date | None]:
    """The pack version a decision used and the day it took effect ("" when not stored)."""
    if not decision:
        return "", None
    return str(decision.get("pack_version") or ""), _date(decision.get("pack_effective"))
