"""The scenarios written from the statutes' own text, run against the rule packs (NM-1, NM-2,
NM-4, CR-1, CR-5a, CR-5b, CR-5c, CR-5g, CC-5).

One file per state, ``tests/scenarios/US-XX.yaml``::

    jurisdiction: US-FL
    scenarios:
      - name: Collection agency, 12-year-old patron, overdue loans -> parent's identity only
        facts: {requester: collection_agency, purpose: fines_and_overdues, records: [loans],
                age: 12}
        outcome: release_parent_identity_only
        rule: FL-3            # optional: the rule that must decide it
        because: "Fla. Stat. 257.261(2)(b): ..."
        on: 2027-07-01        # optional: the day whose version of the pack applies

Each scenario is evaluated without a library policy; its outcome (and its rule, when given)
must be the engine's.  The scenarios are the statute's word, not the engine's: a failing one
means the pack or the engine is wrong.  The coverage tests below ask that every pack has a
scenario file, that every rule is named by a scenario (each rule gets a boundary test), and
that every rule carries the words it rests on.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from bookwarden.disclosures.rules import Decision, Facts, Pack, evaluate, load_pack
from bookwarden.disclosures.rules.loader import load_versions, version_paths
from bookwarden.disclosures.rules.schema import OUTCOMES

from .small_packs import pack_data, small_pack

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
_FACT_FIELDS = {f.name for f in dataclasses.fields(Facts)} - {"jurisdiction"}
_SCENARIO_KEYS = {"name", "facts", "outcome", "rule", "because", "on"}
#: A citation that names a library's own policy (or a requirement of one) instead of a law.
_POLICY_CITATION = re.compile(r"\bpolic(?:y|ies)\b|\b(?:CC|CR|IT|LV|NM)-\d+[a-z]?\b", re.I)


def scenario_files() -> list[Path]:
    return sorted(SCENARIO_DIR.glob("US-*.yaml")) if SCENARIO_DIR.is_dir() else []


def read_scenarios(path: Path) -> tuple[str, list[dict[str, Any]]]:
    """The file's jurisdiction and its scenarios, checked for shape."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name}: must map jurisdiction and scenarios"
    assert data.get("jurisdiction") == path.stem, f"{path.name}: jurisdiction must be {path.stem}"
    scenarios = data.get("scenarios")
    assert isinstance(scenarios, list) and scenarios, f"{path.name}: scenarios must be a list"
    return data["jurisdiction"], scenarios


def facts_of(jurisdiction: str, scenario: dict[str, Any]) -> Facts:
    """A scenario's ``facts`` as :class:`Facts`; an unknown key is the scenario's mistake."""
    given = dict(scenario["facts"])
    unknown = sorted(set(given) - _FACT_FIELDS)
    assert not unknown, f"unknown fact {unknown[0]!r}: use {', '.join(sorted(_FACT_FIELDS))}"
    records = given.pop("records", ())
    given["records"] = (records,) if isinstance(records, str) else tuple(records)
    if given.get("amount_owed") is not None:
        given["amount_owed"] = Decimal(str(given["amount_owed"]))
    given.setdefault("instrument", "none")
    return Facts(jurisdiction=jurisdiction, **given)


def deciding_rules(decision: Decision) -> set[str]:
    """The rules that decided the record types whose answer is the decision's outcome."""
    return {
        entry["rule"]["id"]
        for entry in decision.explanation
        if entry["rule"] is not None and entry["outcome"] == decision.outcome
    }


def check_scenario(jurisdiction: str, scenario: dict[str, Any], pack: Pack | None = None) -> None:
    """Evaluate one scenario without a library policy and compare it with the statute."""
    name = scenario.get("name")
    assert isinstance(name, str) and name.strip(), "every scenario needs a name"
    extra = sorted(set(scenario) - _SCENARIO_KEYS)
    assert not extra, f"{name}: {extra[0]!r} is not a scenario key"
    assert scenario.get("outcome") in OUTCOMES, f"{name}: outcome must be one of {list(OUTCOMES)}"
    because = scenario.get("because")
    assert isinstance(because, str) and because.strip(), f"{name}: because: quote the words"
    on = scenario.get("on")
    day = on if isinstance(on, datetime.date) else None
    pack = pack if pack is not None else load_pack(jurisdiction, on=day)
    assert pack is not None, f"{name}: no rule pack for {jurisdiction}"
    rule = scenario.get("rule")
    if rule is not None:
        assert rule in {r.id for r in pack.rules}, f"{name}: the pack has no rule {rule}"
    decision = evaluate(facts_of(jurisdiction, scenario), pack=pack)
    got = (decision.outcome, sorted(deciding_rules(decision)))
    told = f"{name}\n  because: {because}\n  got {got[0]} by {got[1] or 'no rule'}: " + (
        " | ".join(decision.reasons)
    )
    assert decision.outcome == scenario["outcome"], told
    if rule is not None:
        assert rule in deciding_rules(decision), told
    assert decision.citations, f"{name}: the answer cites nothing"


def _all_scenarios() -> list[Any]:
    params = []
    for path in scenario_files():
        jurisdiction, scenarios = read_scenarios(path)
        for index, scenario in enumerate(scenarios, start=1):
            label = scenario.get("name") if isinstance(scenario, dict) else None
            params.append(
                pytest.param(jurisdiction, scenario, id=f"{jurisdiction}: {label or index}")
            )
    # Until the first scenario file exists, one case says so (rather than a skipped test).
    return params or [pytest.param("", None, id="no scenario files")]


@pytest.mark.parametrize(("jurisdiction", "scenario"), _all_scenarios())
def test_scenario(jurisdiction: str, scenario: dict[str, Any] | None) -> None:
    if scenario is None:
        assert scenario_files() == []
        return
    check_scenario(jurisdiction, scenario)


# --- the runner itself, on the small pack ------------------------------------------------------


def test_the_runner_holds_a_pack_to_its_scenarios(tmp_path) -> None:
    pack = small_pack(tmp_path, pack_data(jurisdiction="US-XT"))
    right = {
        "name": "Collection agency, patron of 15 -> the parent's identity only",
        "facts": {"requester": "collection_agency", "purpose": "fines_and_overdues",
                  "records": ["loans"], "age": 15},
        "outcome": "release_parent_identity_only",
        "rule": "T-3",
        "because": "only the name of the parent or guardian of a patron under 16",
    }  # fmt: skip
    check_scenario("US-XT", right, pack)
    check_scenario("US-XT", {**right, "facts": {**right["facts"], "records": "loans"}}, pack)
    with pytest.raises(
        AssertionError,
        match=r"(?s)because: only the name of the parent.*got needs_information by \['T-2'\]",
    ):
        check_scenario("US-XT", {**right, "facts": {**right["facts"], "age": 16}}, pack)
    with pytest.raises(AssertionError, match=r"got release_parent_identity_only by \['T-3'\]"):
        check_scenario("US-XT", {**right, "rule": "T-2"}, pack)
    with pytest.raises(AssertionError, match="the pack has no rule T-9"):
        check_scenario("US-XT", {**right, "rule": "T-9"}, pack)
    with pytest.raises(AssertionError, match="unknown fact 'colour'"):
        check_scenario("US-XT", {**right, "facts": {**right["facts"], "colour": "red"}}, pack)
    with pytest.raises(AssertionError, match="because: quote the words"):
        check_scenario("US-XT", {**right, "because": ""}, pack)
    lost = {"name": "Lost card", "facts": {"requester": "patron", "records": ["loans"],
            "card_lost": True}, "outcome": "refuse", "because": "T.S. 1-1(1)"}  # fmt: skip
    check_scenario("US-XT", lost, pack)


# --- coverage: what the scenarios and the packs must hold ------------------------------------


def _every_version() -> dict[str, list[Pack]]:
    errors: list[Any] = []
    versions = load_versions(errors)
    assert errors == []
    return versions


def test_every_pack_has_a_scenario_file() -> None:
    have = {path.stem for path in scenario_files()}
    missing = sorted(set(version_paths()) - have)
    assert missing == [], f"no scenario file for {', '.join(missing)}"


def test_every_rule_is_named_by_a_scenario() -> None:
    named: dict[str, set[str]] = {}
    for path in scenario_files():
        jurisdiction, scenarios = read_scenarios(path)
        named[jurisdiction] = {s["rule"] for s in scenarios if s.get("rule")}
    unnamed = [
        f"{code} {rule.id}"
        for code, versions in _every_version().items()
        for pack in versions
        for rule in pack.rules
        if rule.id not in named.get(code, set())
    ]
    assert unnamed == [], "rules no scenario names: " + ", ".join(dict.fromkeys(unnamed))


def test_every_rule_carries_its_text_and_nothing_public_rests_on_a_policy() -> None:
    """Every rule quotes the words it rests on (or says they could not be found), and a
    record type is public only by a statute, never by a library's policy."""
    problems = []
    for versions in _every_version().values():
        for pack in versions:
            src = pack.source.name
            problems += [f"{src}: rule {r.id} has no text" for r in pack.rules if r.text is None]
            public = [
                (key, entry.citation)
                for key, entry in pack.classification.items()
                if entry.classification == "public"
            ]
            problems += [
                f"{src}: {key} is public by {citation!r}, a library's policy"
                for key, citation in public
                if _POLICY_CITATION.search(citation)
            ]
    assert problems == [], "\n".join(problems)


def test_the_policy_citation_check_tells_a_policy_from_a_statute() -> None:
    assert _POLICY_CITATION.search("Cresco policy 5e (CR-5e); Iowa Code chapter 22")
    assert _POLICY_CITATION.search("Library Policies, section 4")
    assert not _POLICY_CITATION.search("Iowa Code 22.2(1)")
    assert not _POLICY_CITATION.search("Fla. Stat. 119.07(1)")
