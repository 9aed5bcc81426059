"""The decision on a request for library records: a pure function over facts (NM-1, NM-2,
NM-4, CR-1, CR-5a, CR-5b, CR-5c, CR-5g, CC-5).

``evaluate(facts, policy=None)`` reads the rule pack of the facts' jurisdiction and, for each
record type asked for, finds the first rule (top to bottom) that matches the requester, the
instrument, the record type and the conditions.  Then the library's own policy, if given, is
laid over it: a stricter policy applies; a looser one is a conflict, reported and never
applied.  Deny by default: no matching rule means no release.  An unknown jurisdiction fails
closed.  Nothing here reads the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .loader import PUBLIC, load_pack
from .schema import (
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
    RECORDS,
    REFUSE,
    RELEASE_IDENTITY_ONLY,
    RELEASE_OVERDUE_ONLY,
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
)


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
        raise ValueError(f"unknown subpoena issuer {facts.issued_by!r}: use one of {ISSUERS}")
    if facts.age is not None and not 0 <= facts.age <= 130:
        raise ValueError("age must be between 0 and 130")
    if facts.amount_owed is not None and facts.amount_owed < 0:
        raise ValueError("the amount owed cannot be negative")


def match(rule: Rule, facts: Facts, record: str) -> list[str] | None:
    """``None``: the rule does not apply.  ``[]``: it applies.  A list of fact names: it
    would apply, but depends on facts that were not given."""
    if (
        facts.requester not in rule.requesters
        or facts.instrument not in rule.instruments
        or record not in rule.records
    ):
        return None
    c = rule.conditions
    if c.finding is not None and facts.finding not in c.finding:
        return None
    if c.bill_sent is not None and c.bill_sent != facts.bill_sent:
        return None
    missing = []
    if c.issued_by is not None:
        if facts.issued_by is None:
            missing.append("issued_by")
        elif facts.issued_by not in c.issued_by:
            return None
    if c.min_age is not None or c.max_age is not None:
        if facts.age is None:
            missing.append("age")
        elif (c.min_age is not None and facts.age < c.min_age) or (
            c.max_age is not None and facts.age > c.max_age
        ):
            return None
    if c.min_amount_owed is not None:
        if facts.amount_owed is None:
            missing.append("amount_owed")
        elif facts.amount_owed < c.min_amount_owed:
            return None
    return missing


def first_match(rules: Iterable[Rule], facts: Facts, record: str) -> tuple[Rule | None, list[str]]:
    """The first rule that applies or could apply, with the facts it still needs."""
    for rule in rules:
        found = match(rule, facts, record)
        if found is not None:
            return rule, found
    return None, []


@dataclass(frozen=True)
class StatuteAnswer:
    """What the pack alone says about one record type."""

    outcome: str
    rule: Rule | None
    missing: tuple[str, ...] = ()
    public_citation: str = ""


def statute_answer(pack: Pack, facts: Facts, record: str) -> StatuteAnswer:
    entry = pack.classification[record]
    if entry.classification == PUBLIC:
        return StatuteAnswer("release", None, public_citation=entry.citation)
    rule, missing = first_match(pack.rules, facts, record)
    if rule is None:
        return StatuteAnswer(REFUSE, None)
    if missing:
        return StatuteAnswer(NEEDS_INFORMATION, rule, tuple(missing))
    return StatuteAnswer(rule.outcome, rule)


@dataclass
class _Part:
    """The answer for one record type, before the record types are put together."""

    record: str
    outcome: str
    reason: str
    citations: list[str] = field(default_factory=list)
    rules_used: list[Rule] = field(default_factory=list)
    conflict: tuple[str, str | None, str] | None = None  # (policy rule, pack rule, why)


def _labels(records: Iterable[str]) -> str:
    names = [RECORDS[r] for r in records]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _part(pack: Pack, facts: Facts, record: str, policy: Policy | None) -> _Part:
    answer = statute_answer(pack, facts, record)
    entry = pack.classification[record]
    rule = answer.rule
    who = REQUESTER_TEXT[facts.requester]
    how = INSTRUMENT_TEXT[facts.instrument]
    if answer.public_citation:
        part = _Part(
            record,
            answer.outcome,
            f"are public records under {answer.public_citation}, open to examination on "
            "request (CR-1).",
            [answer.public_citation],
        )
    elif rule is None:
        part = _Part(
            record,
            REFUSE,
            f"stay confidential: no rule of the {pack.name} pack allows release to {who} on "
            f"{how}, and with no basis in statute found they stay confidential under "
            f"{entry.citation} (NM-1).",
            [entry.citation],
        )
    elif answer.missing:
        needed = " and ".join(MISSING_TEXT[m] for m in answer.missing)
        part = _Part(
            record,
            NEEDS_INFORMATION,
            f"cannot be decided yet: rule {rule.id} ({rule.citation}) depends on {needed}, "
            "which was not given.",
            [rule.citation],
            [rule],
        )
    else:
        part = _Part(
            record,
            rule.outcome,
            f"{OUTCOME_TEXT[rule.outcome]}: rule {rule.id}, {rule.citation}."
            + (f" {rule.note}" if rule.note else ""),
            [rule.citation],
            [rule],
        )
    return _layer_policy(part, answer, facts, policy)


def _layer_policy(part: _Part, answer: StatuteAnswer, facts: Facts, policy: Policy | None) -> _Part:
    """The library's policy over the statute: stricter applies, looser is a conflict."""
    rule = answer.rule
    prule, pmissing = (
        (None, []) if policy is None else first_match(policy.rules, facts, part.record)
    )
    statute_outcome = answer.outcome
    if answer.missing:
        # The statute's answer waits for a fact; only a policy that refuses outright can
        # settle it sooner (stricter applies).
        if prule is not None and not pmissing and prule.outcome == REFUSE:
            part.outcome = REFUSE
            part.reason += f" The library's policy refuses in any case (policy rule {prule.id})."
            part.citations.append(prule.citation)
            part.rules_used.append(prule)
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
        return part
    if prule.outcome == statute_outcome:
        if rule is not None and rule.needs_library_policy:
            part.reason += f" The library's policy provides for it (policy rule {prule.id})."
            part.citations.append(prule.citation)
            part.rules_used.append(prule)
        return part
    if at_most(prule.outcome, statute_outcome):
        part.outcome = prule.outcome
        part.reason += (
            f" The library's policy is stricter than the statute and applies: they "
            f"{OUTCOME_TEXT[prule.outcome]} (policy rule {prule.id}, {prule.citation})."
        )
        part.citations.append(prule.citation)
        part.rules_used.append(prule)
        return part
    if not releases(prule.outcome):
        return part  # e.g. the policy asks for more information where the statute refuses
    statute_says = OUTCOME_TEXT[statute_outcome]
    why = (
        f"The library's policy (rule {prule.id}, {prule.citation}) says they "
        f"{OUTCOME_TEXT[prule.outcome]} to {REQUESTER_TEXT[facts.requester]} on "
        f"{INSTRUMENT_TEXT[facts.instrument]}, but under the statute they {statute_says}"
        + (f" ({rule.citation}, rule {rule.id})" if rule else " (no statute basis was found)")
        + "."
    )
    part.reason += (
        f" {why} The policy is looser than the law: it is not applied, and the conflict is "
        "flagged for the custodian."
    )
    part.conflict = (prule.id, rule.id if rule else None, why)
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


def fail_closed(facts: Facts) -> Decision:
    """No pack for the jurisdiction: every record is confidential, nothing is released."""
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
    )


def evaluate(facts: Facts, policy: Policy | None = None, *, pack: Pack | None = None) -> Decision:
    """Decide a request (NM-1, NM-2, CR-1, CR-5a, CR-5c, CC-5).  ``policy`` is the library's
    own policy layer, if any; ``pack`` replaces the jurisdiction's pack (for tests)."""
    check_facts(facts)
    pack = pack if pack is not None else load_pack(facts.jurisdiction)
    if pack is None:
        return fail_closed(facts)
    steps = _steps(facts)
    if facts.card_lost and (facts.requester == "patron" or facts.instrument == "written_consent"):
        return Decision(
            permitted=False,
            outcome=REFUSE,
            reasons=[
                "The card presented was reported lost or stolen, so possession of it is not "
                "the patron's consent (CR-5b). Refuse until the patron's identity is verified "
                "another way (photo identification in person), then ask again."
            ],
            citations=[],
            steps=steps if STEP_VERIFY_IDENTITY in steps else [STEP_VERIFY_IDENTITY, *steps],
        )
    parts = [_part(pack, facts, record, policy) for record in dict.fromkeys(facts.records)]
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
    if outcome == RELEASE_OVERDUE_ONLY:
        reasons.append(
            "Release only the overdue items and the amount owed: nothing else the patron "
            "borrowed, asked or read (CR-5c)."
        )
    elif outcome == RELEASE_IDENTITY_ONLY:
        reasons.append(
            "Give only the identity of the suspect, witness or victim: never the materials "
            "used or the patron's other records."
        )
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
    used: dict[str, Rule] = {}
    for p in parts:
        for r in p.rules_used:
            used.setdefault(r.id, r)
    for r in used.values():
        if not r.verified:
            reasons.append(
                f"Rule {r.id} is marked unverified: counsel must check it before the library "
                "relies on it."
            )
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
    )
