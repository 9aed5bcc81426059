"""Why a decision came out as it did, record type by record type (NM-1, NM-4, CR-1, CR-5g,
CC-5): the law that governs the record type, the rule that decided it with the facts it
used and the words it rests on, and the near misses (rules that fail on exactly one fact,
with that fact and what the rule needed).

:func:`explain` builds the ``explanation`` entries of :class:`~.schema.Decision` (plain
JSON, stored with the decision); :func:`explanation_lines` prints them for people
(``bookwarden disclosures evaluate --explain``).  Pure logic: no database.
"""

from __future__ import annotations

from typing import Any

from .matching import described, near_miss, tests
from .schema import (
    OUTCOME_TEXT,
    RECORDS,
    Facts,
    Pack,
    Rule,
    SourceText,
)

#: What decided a record type: a rule of the pack; no rule (deny by default); the pack
#: classifying it public; the public-records law it falls to; no law at all (fail closed);
#: a lost card; no pack for the state.
BASES = ("rule", "no_rule", "public", "outside", "not_covered", "lost_card", "no_pack")


def text_of(text: SourceText | None) -> dict[str, str] | None:
    return text.as_dict() if text is not None else None


def rule_summary(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "outcome": rule.outcome,
        "citation": rule.citation,
        "text": text_of(rule.text),
        "text_checked": rule.text_checked,
        "verified": rule.verified,
    }


def near_misses(
    pack: Pack, facts: Facts, record: str, deciding: Rule | None
) -> list[dict[str, Any]]:
    """The pack's rules, other than the deciding one, that fail on exactly one fact."""
    out = []
    for rule in pack.rules:
        if rule is deciding:
            continue
        test = near_miss(rule, facts, record)
        if test is None:
            continue
        out.append({"rule": rule.id, "outcome": rule.outcome, "citation": rule.citation}
                   | described(rule, test))  # fmt: skip
    return out


def explain(
    pack: Pack,
    facts: Facts,
    record: str,
    *,
    outcome: str,
    basis: str,
    citation: str,
    reason: str,
    rule: Rule | None = None,
    missing: tuple[str, ...] = (),
    text: SourceText | None = None,
    policy: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One record type's entry of the explanation."""
    rule_used = rule_summary(rule) if rule is not None else None
    facts_used = [described(rule, t) for t in tests(rule, facts, record)] if rule else []
    if rule is not None:
        text = rule.text
    misses = near_misses(pack, facts, record, rule) if basis in ("rule", "no_rule") else []
    return {
        "record": record,
        "outcome": outcome,
        "basis": basis,
        "law": pack.law_for(record),
        "citation": citation,
        "text": text_of(text),
        "rule": rule_used,
        "facts_used": facts_used,
        "missing": list(missing),
        "near_misses": misses,
        "policy": policy,
        "reason": reason,
    }


def _quoted(text: dict[str, str] | None) -> list[str]:
    if not text:
        return ["    Text: none given (a pack written before its text was checked)."]
    if "unavailable" in text:
        return [f"    Text: not checked. {text['unavailable']}"]
    return [
        f'    Text: "{text["quote"]}"',
        f"      read at {text['source']} on {text['read_on']}",
    ]


def _value(value: Any) -> str:
    if value is None:
        return "not known"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def explanation_lines(decision: dict[str, Any]) -> list[str]:
    """The decision (``Decision.as_dict()``), explained for a person to read."""
    version = decision.get("pack_version") or "no version given"
    effective = decision.get("pack_effective") or "no day given"
    lines = [
        f"Outcome: {decision['outcome']} (the records {OUTCOME_TEXT[decision['outcome']]})",
        f"Rule pack version: {version}, in effect from {effective}",
    ]
    for entry in decision.get("explanation", []):
        lines.append("")
        lines.append(f"{RECORDS.get(entry['record'], entry['record'])}: {entry['outcome']}")
        lines.append(f"    Law: {entry['law']}")
        rule = entry.get("rule")
        if rule:
            checked = "text checked" if rule["text_checked"] else "text not checked"
            counsel = "verified by counsel" if rule["verified"] else "not verified by counsel"
            lines.append(f"    Rule {rule['id']} ({rule['citation']}): {checked}, {counsel}")
            for used in entry["facts_used"]:
                lines.append(
                    f"      {used['fact']} = {_value(used['value'])} (needs {used['needed']})"
                )
        else:
            lines.append(
                f"    Decided by: {entry['basis'].replace('_', ' ')} ({entry['citation']})"
            )
        lines.extend(_quoted(entry.get("text")))
        if entry.get("missing"):
            lines.append(f"    Not known yet: {', '.join(entry['missing'])}")
        policy = entry.get("policy")
        if policy:
            how = "applied" if policy["applied"] else "NOT applied (looser than the law)"
            lines.append(f"    Library policy rule {policy['rule']}: {policy['outcome']}, {how}")
        for miss in entry.get("near_misses", []):
            lines.append(
                f"    Near miss: rule {miss['rule']} ({miss['outcome']}) fails only on "
                f"{miss['fact']}: given {_value(miss['value'])}, it needs {miss['needed']}"
            )
    lines.append("")
    lines.append("Reasons:")
    lines.extend(f"  - {reason}" for reason in decision["reasons"])
    lines.append("Citations: " + ("; ".join(decision["citations"]) or "none"))
    lines.append("Steps: " + ", ".join(decision["steps"]))
    for conflict in decision.get("conflicts", []):
        lines.append(f"CONFLICT {conflict['why']} Not applied.")
    return lines
