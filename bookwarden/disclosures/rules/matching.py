"""Whether a rule applies to the facts of a request, fact by fact (NM-1, NM-2, CR-5c).

A rule is a list of tests, one per fact it reads (requester, instrument, record type,
purpose, then each condition).  Each test passes, fails, or cannot be told because the fact
is unknown (``None``).  A rule applies when every test passes; it *could* apply, and asks
for the unknown facts, when none fails; it is a *near miss* when exactly one fails.  Pure
logic: no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .schema import (
    BOOLEAN_CONDITIONS,
    BOOLEAN_TEXT,
    FINDING_TEXT,
    INSTRUMENT_TEXT,
    ISSUER_TEXT,
    PURPOSE_TEXT,
    RECORDS,
    REQUESTER_TEXT,
    Facts,
    Rule,
)

MET = "met"
FAIL = "fail"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Test:
    """One fact a rule reads: its name, the value given, and the result of the test."""

    fact: str
    given: Any
    result: str


def json_value(value: Any) -> Any:
    """A fact's value as JSON keeps it (sums of dollars as text, ``"12.50"``)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, tuple | list):
        return [json_value(v) for v in value]
    return str(value)


def _one_of(values: Iterable[str], words: dict[str, str], every: str) -> str:
    values = list(values)
    if len(values) == len(words):
        return every
    names = [words[v] for v in values]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def needed(rule: Rule, fact: str) -> str:
    """What the rule needs of ``fact``, in words."""
    c = rule.conditions
    if fact == "requester":
        return _one_of(rule.requesters, REQUESTER_TEXT, "anyone")
    if fact == "instrument":
        return _one_of(rule.instruments, INSTRUMENT_TEXT, "any instrument")
    if fact == "records":
        return _one_of(rule.records, RECORDS, "any record type")
    if fact == "purpose":
        return _one_of(rule.purposes or (), PURPOSE_TEXT, "any purpose")
    if fact == "finding":
        return "a finding that " + _one_of(c.finding or (), FINDING_TEXT, "anything")
    if fact == "issued_by":
        return "issued by " + _one_of(c.issued_by or (), ISSUER_TEXT, "anyone")
    if fact == "age":
        low, high = c.min_age, c.max_age
        if low is not None and high is not None:
            return f"{low} to {high} years old"
        return f"at least {low} years old" if low is not None else f"at most {high} years old"
    if fact == "amount_owed":
        return f"at least {c.min_amount_owed:.2f} dollars owed"
    return ("" if getattr(c, fact) else "not: ") + BOOLEAN_TEXT[fact]


def described(rule: Rule, test: Test) -> dict[str, Any]:
    """A test as the explanation shows it: the fact, the value given, what the rule needs."""
    return {"fact": test.fact, "value": json_value(test.given), "needed": needed(rule, test.fact)}


def _test(fact: str, given: Any, ok: bool | None) -> Test:
    return Test(fact, given, UNKNOWN if ok is None else MET if ok else FAIL)


def tests(rule: Rule, facts: Facts, record: str) -> list[Test]:
    """Every fact the rule reads, tested against the request, in the rule's order."""
    c = rule.conditions
    out = [
        _test("requester", facts.requester, facts.requester in rule.requesters),
        _test("instrument", facts.instrument, facts.instrument in rule.instruments),
        _test("records", record, record in rule.records),
    ]
    if rule.purposes is not None:
        out.append(_test("purpose", facts.purpose, facts.purpose in rule.purposes))
    if c.finding is not None:
        out.append(_test("finding", facts.finding, facts.finding in c.finding))
    if c.issued_by is not None:
        issuer = facts.issued_by
        out.append(_test("issued_by", issuer, None if issuer is None else issuer in c.issued_by))
    if c.min_age is not None or c.max_age is not None:
        age = facts.age
        ok = (
            None
            if age is None
            else (c.min_age is None or age >= c.min_age) and (c.max_age is None or age <= c.max_age)
        )
        out.append(_test("age", age, ok))
    if c.min_amount_owed is not None:
        owed = facts.amount_owed
        out.append(_test("amount_owed", owed, None if owed is None else owed >= c.min_amount_owed))
    for key in BOOLEAN_CONDITIONS:
        wanted = getattr(c, key)
        if wanted is not None:
            given = getattr(facts, key)
            out.append(_test(key, given, None if given is None else given == wanted))
    return out


#: The order in which unknown facts are named (the order of the questions asked).
_ASKED = ("issued_by", "age", "amount_owed", *BOOLEAN_CONDITIONS)


def match(rule: Rule, facts: Facts, record: str) -> list[str] | None:
    """``None``: the rule does not apply.  ``[]``: it applies.  A list of fact names: it
    would apply, but depends on facts that were not given."""
    found = tests(rule, facts, record)
    if any(t.result == FAIL for t in found):
        return None
    unknown = {t.fact for t in found if t.result == UNKNOWN}
    return [fact for fact in _ASKED if fact in unknown]


def first_match(rules: Iterable[Rule], facts: Facts, record: str) -> tuple[Rule | None, list[str]]:
    """The first rule that applies or could apply, with the facts it still needs."""
    for rule in rules:
        found = match(rule, facts, record)
        if found is not None:
            return rule, found
    return None, []


def near_miss(rule: Rule, facts: Facts, record: str) -> Test | None:
    """The one fact on which the rule fails, if it fails on exactly one."""
    failed = [t for t in tests(rule, facts, record) if t.result == FAIL]
    return failed[0] if len(failed) == 1 else None
