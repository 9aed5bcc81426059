"""The decision on a request for library records: a pure function over facts (NM-1, NM-2,
NM-4, CR-1, CR-5a, CR-5b, CR-5c, CR-5g, CC-5).

``evaluate(facts, policy=None, on=None)`` reads the version of the jurisdiction's rule pack
in effect on the day ``on`` (default today) and answers each record type asked for: a record
type the pack classifies public is released; one its library-records law does not cover
falls to the public-records law the pack names (``outside``), or is refused when it names
none; for the others the first rule (top to bottom) that matches the requester, the
instrument, the record type, the purpose and the conditions decides.  Then the library's own
policy, if given, is laid over it: a stricter policy applies; a looser one is a conflict,
reported and never applied.  Deny by default: no matching rule means no release, citing the
pack's confidentiality section.  An unknown jurisdiction fails closed.  The decision records
the pack's version, the law of each record type and an explanation (:mod:`.explain`).
Nothing here reads the database.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .explain import explain
from .loader import PUBLIC, load_pack
from .matching import first_match, match
from .schema import (
    BOOLEAN_CONDITIONS,
    COUNSEL_INSTRUMENTS,
    FINDINGS,
    IDENTIFIED_REQUESTERS,
    INSTRUMENT_TEXT,
    INSTRUMENTS,
    ISSUERS,
    MISSING_TEXT,
    NEEDS_INFORMATION,
    OUTCOME_TEXT,
    OUTCOMES,
    PURPOSES,
    RECORDS,
    REFUSE,
    RELEASE,
    RELEASE_CONTACT_AND_AMOUNT_OWED,
    RELEASE_IDENTITY_ONLY,
    RELEASE_OVERDUE_ONLY,
    RELEASE_PARENT_IDENTITY_ONLY,
    REQUESTER_TEXT,
    REQUESTERS,
    STEP_CONSULT_COUNSEL,
    STEP_CUSTODIAN_DECISION,
    STEP_VERIFY_IDENTITY,
    STEP_VERIFY_INSTRUMENT,
    Conflict,
    Decision,
    Facts,
    Pack,
    Policy,
    Rule,
    SourceText,
)

__all__ = [
    "INSTRUMENT_TEXT",
    "MISSING_TEXT",
    "REQUESTER_TEXT",
    "StatuteAnswer",
    "at_most",
    "evaluate",
    "first_match",
    "match",
    "releases",
    "statute_answer",
]

#: What to give, and only that, when the request as a whole takes a partial release.
CLOSING_REASONS: dict[str, str] = {
    RELEASE_OVERDUE_ONLY: (
        "Release only the overdue items and the amount owed: nothing else the patron "
        "borrowed, asked or read (CR-5c)."
    ),
    RELEASE_CONTACT_AND_AMOUNT_OWED: (
        "Give only the name, contact information and amount owed: never the items borrowed "
        "or anything else the patron asked or read (CR-5c)."
    ),
    RELEASE_IDENTITY_ONLY: (
        "Give only the identity of the suspect, witness or victim: never the materials "
        "used or the patron's other records."
    ),
    RELEASE_PARENT_IDENTITY_ONLY: (
        "Give only the parent's or guardian's identity: nothing of the child's records, "
        "not even what the child borrowed or owes."
    ),
}


def at_most(outcome: str, other: str) -> bool:
    """``outcome`` releases no more than ``other`` (equal, or stricter)."""
    return outcome == other or OUTCOMES[outcome] < OUTCOMES[other]


def releases(outcome: str) -> bool:
    return OUTCOMES[outcome] >= OUTCOMES[RELEASE_IDENTITY_ONLY]


def check_facts(facts: Facts) -> None:
    """Raise ``ValueError`` naming the first fact outside the vocabulary."""
    if facts.requester not in REQUESTERS:
        raise ValueError(f"unknown requester {facts.requester!r}: use one of {REQUESTERS}")
    if facts.instrument not in INSTRUMENTS:
        raise ValueError(f"unknown instrument {facts.instrument!r}: use one of {INSTRUMENTS}")
    if not facts.records:
        raise ValueError("name at least one record type")
    for record in facts.records:
        if record not in RECORDS:
            raise ValueError(f"unknown record type {record!r}: use one of {tuple(RECORDS)}")
    if facts.finding not in FINDINGS:
        raise ValueError(f"unknown finding {facts.finding!r}: use one of {FINDINGS}")
    if facts.issued_by is not None and facts.issued_by not in ISSUERS:
        raise ValueError(f"unknown issuer {facts.issued_by!r}: use one of {ISSUERS}")
    if facts.purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {facts.purpose!r}: use one of {PURPOSES}")
    for key in BOOLEAN_CONDITIONS:
        if getattr(facts, key) not in (True, False, None):
            raise ValueError(f"{key} must be true, false or not known (None)")
    if facts.age is not None and not 0 <= facts.age <= 130:
        raise ValueError("age must be between 0 and 130")
    if facts.amount_owed is not None and facts.amount_owed < 0:
        raise ValueError("the amount owed cannot be negative")


@dataclass(frozen=True)
class StatuteAnswer:
    """What the pack alone says about one record type, and on what ``basis``: a ``rule``,
    ``no_rule`` (deny by default), ``public`` (classified public), ``outside`` (the
    public-records law the record type falls to) or ``not_covered`` (no law: fail closed)."""

    outcome: str
    rule: Rule | None
    missing: tuple[str, ...] = ()
    basis: str = "rule"
    citation: str = ""
    text: SourceText | None = None

    @property
    def grounds(self) -> str:
        """Where the answer comes from, for a conflict's words."""
        if self.rule is not None:
            return f"{self.rule.citation}, rule {self.rule.id}"
        if self.basis in ("public", "outside"):
            return self.citation
        return "no statute basis was found"


def left_to_the_custodian(answer: StatuteAnswer) -> bool:
    """The record type falls outside the library-records law, to a public-records law that
    leaves what is open to the custodian (the pack's ``outside`` answers
    ``needs_information``): there the library's written policy is the custodian's decision,
    made in advance, and it applies, a release included (Cresco's 5e and 5g under Iowa's
    chapter 22).  Counsel is still the one to ask where the policy is silent."""
    return answer.basis == "outside" and answer.outcome == NEEDS_INFORMATION


def statute_answer(pack: Pack, facts: Facts, record: str) -> StatuteAnswer:
    entry = pack.classification[record]
    if record in pack.classified and entry.classification == PUBLIC:
        return StatuteAnswer(
            RELEASE, None, basis="public", citation=entry.citation, text=entry.text
        )
    if not pack.is_covered(record):
        outside = pack.outside
        if outside is not None:
            return StatuteAnswer(
                outside.outcome, None, basis="outside", citation=outside.citation, text=outside.text
            )
        return StatuteAnswer(
            REFUSE, None, basis="not_covered", citation=pack.confidentiality_citation(record)
        )
    rule, missing = first_match(pack.rules, facts, record)
    if rule is None:
        confidentiality = pack.confidentiality
        return StatuteAnswer(
            REFUSE,
            None,
            basis="no_rule",
            citation=pack.confidentiality_citation(record),
            text=confidentiality.text if confidentiality else None,
        )
    if missing:
        return StatuteAnswer(NEEDS_INFORMATION, rule, tuple(missing), citation=rule.citation)
    return StatuteAnswer(rule.outcome, rule, citation=rule.citation)


@dataclass
class _Part:
    """The answer for one record type, before the record types are put together."""

    record: str
    outcome: str
    reason: str
    citations: list[str] = field(default_factory=list)
    rules_used: list[Rule] = field(default_factory=list)
    conflict: tuple[str, str | None, str] | None = None  # (policy rule, pack rule, why)
    policy: dict[str, Any] | None = None  # the policy rule that touched it, for the explanation


def _labels(records: Iterable[str]) -> str:
    names = [RECORDS[r] for r in records]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _outside_reason(pack: Pack, answer: StatuteAnswer) -> str:
    outside = pack.outside
    assert outside is not None
    law = pack.covers.law if pack.covers is not None else pack.first_statute()
    note = f" {outside.note}" if outside.note else ""
    if answer.outcome == NEEDS_INFORMATION:
        return (
            f"are not covered by {law}: {outside.law} applies ({outside.citation}), and "
            f"counsel decides under that law (CR-1, CR-5g).{note}"
        )
    if answer.outcome == RELEASE:
        return (
            f"are not covered by {law}: they are public records under {outside.law} "
            f"({outside.citation}), open to examination on request (CR-1, CR-5g).{note}"
        )
    return (
        f"are not covered by {law}: under {outside.law} ({outside.citation}) they "
        f"{OUTCOME_TEXT[answer.outcome]}.{note}"
    )


def _statute_part(pack: Pack, facts: Facts, record: str, answer: StatuteAnswer) -> _Part:
    rule = answer.rule
    who = REQUESTER_TEXT[facts.requester]
    how = INSTRUMENT_TEXT[facts.instrument]
    if answer.basis == "public":
        reason = (
            f"are public records under {answer.citation}, open to examination on request (CR-1)."
        )
        return _Part(record, answer.outcome, reason, [answer.citation])
    if answer.basis == "outside":
        return _Part(record, answer.outcome, _outside_reason(pack, answer), [answer.citation])
    if answer.basis == "not_covered":
        law = pack.covers.law if pack.covers is not None else pack.first_statute()
        reason = (
            f"are not covered by {law} and the pack names no other law for them: they stay "
            f"confidential (fail closed) under {answer.citation} (NM-1)."
        )
        return _Part(record, REFUSE, reason, [answer.citation])
    if rule is None:
        reason = (
            f"stay confidential: no rule of the {pack.name} pack allows release to {who} on "
            f"{how}, and with no basis in statute found they stay confidential under "
            f"{answer.citation} (NM-1)."
        )
        return _Part(record, REFUSE, reason, [answer.citation])
    if answer.missing:
        needed = " and ".join(MISSING_TEXT[m] for m in answer.missing)
        reason = (
            f"cannot be decided yet: rule {rule.id} ({rule.citation}) depends on {needed}, "
            "which was not given."
        )
        return _Part(record, NEEDS_INFORMATION, reason, [rule.citation], [rule])
    reason = f"{OUTCOME_TEXT[rule.outcome]}: rule {rule.id}, {rule.citation}." + (
        f" {rule.note}" if rule.note else ""
    )
    return _Part(record, rule.outcome, reason, [rule.citation], [rule])


def _part(
    pack: Pack, facts: Facts, record: str, policy: Policy | None
) -> tuple[_Part, dict[str, Any]]:
    """The answer for one record type, and its entry of the explanation."""
    answer = statute_answer(pack, facts, record)
    part = _layer_policy(_statute_part(pack, facts, record, answer), answer, facts, policy)
    entry = explain(
        pack,
        facts,
        record,
        outcome=part.outcome,
        basis=answer.basis,
        citation=answer.citation,
        reason=part.reason,
        rule=answer.rule,
        missing=answer.missing,
        text=answer.text,
        policy=part.policy,
    )
    return part, entry


def _policy_note(prule: Rule, *, applied: bool, conflict: bool = False) -> dict[str, Any]:
    return {
        "rule": prule.id,
        "outcome": prule.outcome,
        "citation": prule.citation,
        "applied": applied,
        "conflict": conflict,
    }


def _layer_policy(part: _Part, answer: StatuteAnswer, facts: Facts, policy: Policy | None) -> _Part:
    """The library's policy over the statute: stricter applies, looser is a conflict.

    A policy rule that releases where a rule of the statute answers ``needs_information`` is
    looser: flagged, never applied.  Where the record type falls to a public-records law that
    leaves it to the custodian (:func:`left_to_the_custodian`), the policy decides.
    Where the statute's answer only waits for a fact not given, nothing of the policy
    applies but an outright refusal; a release waits with the statute."""
    rule = answer.rule
    prule, pmissing = (
        (None, []) if policy is None else first_match(policy.rules, facts, part.record)
    )
    statute_outcome = answer.outcome
    if answer.missing:
        if prule is not None and not pmissing and prule.outcome == REFUSE:
            part.outcome = REFUSE
            part.reason += f" The library's policy refuses in any case (policy rule {prule.id})."
            part.citations.append(prule.citation)
            part.rules_used.append(prule)
            part.policy = _policy_note(prule, applied=True)
        elif prule is not None and releases(prule.outcome):
            part.reason += (
                f" The library's policy (rule {prule.id}) cannot apply before the statute's "
                "answer is known."
            )
            part.policy = _policy_note(prule, applied=False)
        return part
    if rule is not None and rule.needs_library_policy and (prule is None or pmissing):
        if prule is not None:
            needed = " and ".join(MISSING_TEXT[m] for m in pmissing)
            why = f"the library's policy rule {prule.id} depends on {needed}, not given"
        elif policy is None:
            why = "no library policy was given"
        else:
            why = "the library's policy does not provide for it"
        part.outcome = NEEDS_INFORMATION if prule is not None else REFUSE
        part.reason = (
            f"stay confidential: {rule.citation} leaves this to the library's own policy "
            f"(rule {rule.id}), and {why}."
        )
        if prule is not None:
            part.policy = _policy_note(prule, applied=False)
        return part
    if prule is None:
        return part
    if pmissing:
        if releases(statute_outcome):
            needed = " and ".join(MISSING_TEXT[m] for m in pmissing)
            part.outcome = NEEDS_INFORMATION
            part.reason += (
                f" The library's policy (rule {prule.id}) depends on {needed}, which was not given."
            )
            part.rules_used.append(prule)
            part.policy = _policy_note(prule, applied=True)
        return part
    if prule.outcome == statute_outcome:
        if rule is not None and rule.needs_library_policy:
            part.reason += f" The library's policy provides for it (policy rule {prule.id})."
            part.citations.append(prule.citation)
            part.rules_used.append(prule)
        part.policy = _policy_note(prule, applied=True)
        return part
    if at_most(prule.outcome, statute_outcome):
        part.outcome = prule.outcome
        part.reason += (
            f" The library's policy is stricter than the statute and applies: they "
            f"{OUTCOME_TEXT[prule.outcome]} (policy rule {prule.id}, {prule.citation})."
        )
        part.citations.append(prule.citation)
        part.rules_used.append(prule)
        part.policy = _policy_note(prule, applied=True)
        return part
    if not releases(prule.outcome):
        return part  # e.g. the policy asks for more information where the statute refuses
    if left_to_the_custodian(answer):
        part.outcome = prule.outcome
        part.reason += (
            f" {answer.citation} leaves what is open to the custodian, and the library's "
            f"policy decides it: they {OUTCOME_TEXT[prule.outcome]} (policy rule {prule.id}, "
            f"{prule.citation})."
        )
        part.citations.append(prule.citation)
        part.rules_used.append(prule)
        part.policy = _policy_note(prule, applied=True)
        return part
    statute_says = OUTCOME_TEXT[statute_outcome]
    why = (
        f"The library's policy (rule {prule.id}, {prule.citation}) says they "
        f"{OUTCOME_TEXT[prule.outcome]} to {REQUESTER_TEXT[facts.requester]} on "
        f"{INSTRUMENT_TEXT[facts.instrument]}, but under the statute they {statute_says}"
        f" ({answer.grounds})."
    )
    part.reason += (
        f" {why} The policy is looser than the law: it is not applied, and the conflict is "
        "flagged for the custodian."
    )
    part.conflict = (prule.id, rule.id if rule else None, why)
    part.policy = _policy_note(prule, applied=False, conflict=True)
    return part


def _steps(facts: Facts) -> list[str]:
    """What must happen before any release (CR-5a, CC-5)."""
    steps = []
    if facts.requester in IDENTIFIED_REQUESTERS:
        steps.append(STEP_VERIFY_IDENTITY)
    if facts.instrument != "none":
        steps.append(STEP_VERIFY_INSTRUMENT)
    if facts.instrument in COUNSEL_INSTRUMENTS:
        steps.append(STEP_CONSULT_COUNSEL)
    steps.append(STEP_CUSTODIAN_DECISION)
    return steps


def _permitted(outcome: str) -> bool | None:
    if outcome == NEEDS_INFORMATION:
        return None
    return releases(outcome)


def _entries_without_a_pack(facts: Facts, basis: str, citation: str) -> list[dict[str, Any]]:
    return [
        {"record": record, "outcome": REFUSE, "basis": basis, "law": "", "citation": citation,
         "text": None, "rule": None, "facts_used": [], "missing": [], "near_misses": [],
         "policy": None, "reason": ""}
        for record in dict.fromkeys(facts.records)
    ]  # fmt: skip


def fail_closed(facts: Facts) -> Decision:
    """No pack for the jurisdiction: every record is confidential, nothing is released.
    The one refusal without a citation: there is no statute to cite."""
    code = facts.jurisdiction or "(none)"
    return Decision(
        permitted=False,
        outcome=REFUSE,
        reasons=[
            f"There is no rule pack for {code}: every record is treated as confidential and "
            "nothing may be released (fail closed). Add or correct the pack, then ask again."
        ],
        citations=[],
        steps=_steps(facts),
        explanation=_entries_without_a_pack(facts, "no_pack", ""),
    )


def _lost_card(facts: Facts, pack: Pack, steps: list[str]) -> Decision:
    """CR-5b: a card reported lost or stolen is not the patron's consent."""
    citation = pack.confidentiality_citation()
    explanation = _entries_without_a_pack(facts, "lost_card", citation)
    for entry in explanation:
        entry["law"] = pack.law_for(entry["record"])
        if pack.confidentiality is not None and pack.confidentiality.text is not None:
            entry["text"] = pack.confidentiality.text.as_dict()
    reason = (
        "The card presented was reported lost or stolen, so possession of it is not the "
        "patron's consent (CR-5b). Refuse until the patron's identity is verified another "
        f"way (photo identification in person), then ask again; the records stay "
        f"confidential under {citation}."
    )
    return Decision(
        permitted=False,
        outcome=REFUSE,
        reasons=[reason],
        citations=[citation],
        steps=steps if STEP_VERIFY_IDENTITY in steps else [STEP_VERIFY_IDENTITY, *steps],
        **_version_of(pack),
        law={record: pack.law_for(record) for record in dict.fromkeys(facts.records)},
        explanation=explanation,
    )


def _version_of(pack: Pack) -> dict[str, Any]:
    effective = pack.effective.isoformat() if pack.effective else None
    return {"pack_version": pack.version or None, "pack_effective": effective}


def _rule_reasons(pack: Pack, parts: list[_Part]) -> list[str]:
    """What the decision rests on that nobody has checked yet: a rule whose text has not
    been read against the statute, a rule counsel has not verified."""
    used: dict[str, Rule] = {}
    for p in parts:
        for r in p.rules_used:
            used.setdefault(r.id, r)
    reasons = []
    for r in used.values():
        if r in pack.rules and not r.text_checked:
            why = f" ({r.text.unavailable})" if r.text is not None and r.text.unavailable else ""
            reasons.append(
                f"Rule {r.id}: its text has not been checked against the statute{why}; read "
                "the statute before relying on it."
            )
        if not r.verified:
            reasons.append(
                f"Rule {r.id} is marked unverified: counsel must check it before the library "
                "relies on it."
            )
    return reasons


def evaluate(
    facts: Facts,
    policy: Policy | None = None,
    *,
    pack: Pack | None = None,
    on: datetime.date | None = None,
) -> Decision:
    """Decide a request (NM-1, NM-2, NM-4, CR-1, CR-5a, CR-5b, CR-5c, CR-5g, CC-5).
    ``policy`` is the library's own policy layer, if any; ``on`` the day whose version of
    the pack applies (default today); ``pack`` replaces the jurisdiction's pack (tests)."""
    check_facts(facts)
    pack = pack if pack is not None else load_pack(facts.jurisdiction, on=on)
    if pack is None:
        return fail_closed(facts)
    steps = _steps(facts)
    if facts.card_lost and (facts.requester == "patron" or facts.instrument == "written_consent"):
        return _lost_card(facts, pack, steps)
    answered = [_part(pack, facts, record, policy) for record in dict.fromkeys(facts.records)]
    parts = [part for part, _ in answered]
    outcome = min((p.outcome for p in parts), key=lambda o: OUTCOMES[o])
    reasons: list[str] = []
    grouped: dict[str, list[str]] = {}
    for p in parts:
        grouped.setdefault(p.reason, []).append(p.record)
    for reason, records in grouped.items():
        reasons.append(f"{_labels(records)} {reason}")
    if len({p.outcome for p in parts}) > 1:
        reasons.append(
            "The record types asked for are not all treated alike; the request as a whole "
            f"takes the strictest answer ({outcome}). The custodian may answer each part."
        )
    if outcome in CLOSING_REASONS:
        reasons.append(CLOSING_REASONS[outcome])
    if releases(outcome):
        reasons.append(
            "Every disclosure must be authorized, minimal and on record (NM-4): release no "
            "more than the request needs, and only after the steps listed."
        )
    if facts.instrument in COUNSEL_INSTRUMENTS:
        reasons.append(
            f"On {INSTRUMENT_TEXT[facts.instrument]}, seek legal counsel and respond on "
            "counsel's advice (CR-5a)."
        )
    reasons.extend(_rule_reasons(pack, parts))
    reasons.append(
        "Only the custodian of library records (the director or a designee) decides (CC-5). "
        + pack.disclaimer
    )
    citations = list(dict.fromkeys(c for p in parts for c in p.citations))
    conflicts: dict[tuple[str, str | None], Conflict] = {}
    for p in parts:
        if p.conflict is None:
            continue
        key = (p.conflict[0], p.conflict[1])
        old = conflicts.get(key)
        touched = (*old.records, p.record) if old else (p.record,)
        conflicts[key] = Conflict(p.conflict[0], p.conflict[1], touched, p.conflict[2])
    return Decision(
        permitted=_permitted(outcome),
        outcome=outcome,
        reasons=reasons,
        citations=citations,
        steps=steps,
        conflicts=list(conflicts.values()),
        **_version_of(pack),
        law={p.record: pack.law_for(p.record) for p in parts},
        explanation=[entry for _, entry in answered],
    )
