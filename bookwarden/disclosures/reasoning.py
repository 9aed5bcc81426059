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

#: What decided a record type when no rule of the pack did (the explanation's ``basis``).
BASIS_WORDS: dict[str, str] = {
    "no_rule": "No rule of the state's law allows this release: the records stay confidential.",
    "public": "Public records under the state's law, open to examination on request.",
    "outside": (
        "Not library records under the library-records law: the public-records law decides, "
        "and counsel answers under it."
    ),
    "not_covered": "No law the rules know covers these records: they stay confidential.",
    "lost_card": "The card was reported lost or stolen: holding it is not the patron's consent.",
    "no_pack": "There are no rules for this state: nothing may be released.",
}


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
    verified: bool = False
    verified_by: str = ""
    verified_on: datetime.date | None = None
    has_rule: bool = False
    basis: str = ""
    missing: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    near_misses: list[NearMiss] = field(default_factory=list)
    policy: PolicyPart | None = None

    @property
    def basis_words(self) -> str:
        """What decided the record type when no rule did, in words."""
        return BASIS_WORDS.get(self.basis, "")

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


def _needs_words(fact: str, needed: str) -> str:
    """What a near miss needed, after "if": "the patron were at most 15 years old"."""
    if fact == "age":
        return f"the patron were {needed}"
    if fact == "requester":
        return f"the requester were {needed}"
    if fact == "instrument":
        return f"the request rested on {needed}"
    if fact == "records":
        return f"the records asked for were {needed.lower()}"
    if fact == "purpose":
        return f"the records were asked for {needed}"
    if fact == "finding":
        return f"the order stated {needed}"
    if fact == "issued_by":
        return f"it had been {needed}"
    if fact == "amount_owed":
        return needed.replace(" owed", " were owed")
    if needed.startswith("not: "):
        return f"it were not so that {needed.removeprefix('not: ')}"
    return needed


def _facts(value: Any) -> list[tuple[str, str]]:
    """The facts a rule used: the fact's name, its value, and what the rule needs."""
    if isinstance(value, dict):
        pairs = [(name, v, "") for name, v in value.items()]
    elif isinstance(value, list):
        pairs = [
            (str(f.get("fact") or ""), f.get("value"), str(f.get("needed") or ""))
            for f in value
            if isinstance(f, dict)
        ]
    else:
        return []
    out = []
    for name, given, needed in pairs:
        if not name:
            continue
        label = FACT_NAMES.get(name, name.replace("_", " ").capitalize())
        shown = fact_value(name, given)
        out.append((label, f"{shown} (the rule needs: {needed})" if needed else shown))
    return out


def _near_miss(value: Any) -> NearMiss | None:
    if not isinstance(value, dict):
        return None
    found = value.get("rule")
    rule: dict[str, Any] = found if isinstance(found, dict) else {}
    fact = str(value.get("condition") or value.get("fact") or "")
    if not fact:
        return None
    needed = value.get("needed")
    needs = _needs_words(fact, needed) if isinstance(needed, str) else condition_if(fact, needed)
    return NearMiss(
        outcome=str(value.get("outcome") or rule.get("outcome") or ""),
        needs=needs,
        citation=str(value.get("citation") or rule.get("citation") or ""),
    )


@dataclass(frozen=True)
class PolicyPart:
    """What the library's own policy did to a record type's answer."""

    citation: str
    outcome: str
    applied: bool
    conflict: bool
    words: str = ""
    quote: str = ""


def _policy(value: Any, policy_rules: dict[str, tuple[str, str]]) -> PolicyPart | None:
    if not isinstance(value, dict) or not value.get("rule"):
        return None
    note, quote = policy_rules.get(str(value["rule"]), ("", ""))
    return PolicyPart(
        citation=str(value.get("citation") or ""),
        outcome=str(value.get("outcome") or ""),
        applied=bool(value.get("applied")),
        conflict=bool(value.get("conflict")),
        words=note,
        quote=quote,
    )


def _one(
    entry: dict[str, Any],
    law: dict[str, Any],
    notes: dict[str, str],
    policy_rules: dict[str, tuple[str, str]],
) -> RecordReasoning:
    record = str(entry.get("record") or "")
    found = entry.get("rule")
    rule: dict[str, Any] = found if isinstance(found, dict) else {}
    basis = str(entry.get("basis") or "")
    text = _text(rule.get("text") or entry.get("text"))
    if text is None and (rule or basis == "outside"):
        text = SourceText(unavailable="No text of the statute was given for this rule.")
    reasoning = RecordReasoning(
        record=record,
        label=RECORDS.get(record, record.replace("_", " ").capitalize()),
        outcome=str(entry.get("outcome") or ""),
        law=str(entry.get("law") or law.get(record) or ""),
        public_records_law=basis == "outside" or str(entry.get("law_kind") or "") == "outside",
        rule_words=str(notes.get(str(rule.get("id") or "")) or rule.get("note") or "").strip()
        or OUTCOME_LABELS.get(str(rule.get("outcome") or ""), "")
        or str(entry.get("note") or "").strip(),
        citation=str(rule.get("citation") or entry.get("citation") or ""),
        text=text,
        verified=bool(rule.get("verified")),
        verified_by=str(rule.get("verified_by") or ""),
        verified_on=_date(rule.get("verified_on")),
        has_rule=bool(rule),
        basis=basis,
        missing=[FACT_NAMES.get(m, m).lower() for m in entry.get("missing", []) or []],
        facts=_facts(entry.get("facts_used") or entry.get("facts")),
        policy=_policy(entry.get("policy"), policy_rules),
    )
    reasoning.near_misses = _worth_showing(entry.get("near_misses"), reasoning.outcome)
    return reasoning


#: Near misses on these facts are not shown: who asks and what they ask for are not
#: something the request could have had otherwise.
_NOT_A_MISS = ("requester", "records")


def _worth_showing(misses: Any, outcome: str) -> list[NearMiss]:
    """The near misses that would have released more than the answer given, once each."""
    out: list[NearMiss] = []
    seen: set[tuple[str, str]] = set()
    for miss in misses or []:
        if not isinstance(miss, dict) or miss.get("fact") in _NOT_A_MISS:
            continue
        near = _near_miss(miss)
        if near is None or OUTCOMES.get(near.outcome, 0) <= OUTCOMES.get(outcome, 0):
            continue
        if OUTCOMES.get(near.outcome, 0) < 2 or (near.needs, near.outcome) in seen:
            continue
        seen.add((near.needs, near.outcome))
        out.append(near)
    return out


def reasoning_of(
    decision: dict[str, Any] | None,
    *,
    notes: dict[str, str] | None = None,
    policy_rules: dict[str, tuple[str, str]] | None = None,
) -> list[RecordReasoning]:
    """Record type by record type, why the stored decision says what it says ([] for a
    decision stored before the packs explained themselves).  ``notes``: the pack rules'
    plain words by rule id (the pack version the decision used); ``policy_rules``: the
    library's policy rules' plain words and quoted policy sentence by rule id."""
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
    return [
        _one(e, law if isinstance(law, dict) else {}, notes or {}, policy_rules or {})
        for e in entries
    ]


def rule_notes(jurisdiction: str, decision: dict[str, Any] | None) -> dict[str, str]:
    """The plain words (``note``) of the pack rules, by id, from the pack version the
    decision used ({} when that version is no longer the one found for its day)."""
    from .rules import PackError, load_pack

    version, effective = pack_version_of(decision)
    try:
        pack = load_pack(jurisdiction, on=effective) if effective else load_pack(jurisdiction)
    except PackError:
        return {}
    if pack is None or (pack.version or "") != version:
        return {}
    return {rule.id: rule.note for rule in pack.rules if rule.note}


def pack_version_of(decision: dict[str, Any] | None) -> tuple[str, datetime.date | None]:
    """The pack version a decision used and the day it took effect ("" when not stored)."""
    if not decision:
        return "", None
    return str(decision.get("pack_version") or ""), _date(decision.get("pack_effective"))
