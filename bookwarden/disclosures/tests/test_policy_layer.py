"""A library's own policy over its state's pack (NM-1, NM-2, CR-5c): stricter applies,
looser is a conflict that is flagged and never applied."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from bookwarden.disclosures.rules import (
    PackError,
    load_pack,
    parse_policy,
    policy_conflicts,
    policy_for_library,
)

from .conftest import EXAMPLES, decide


def _policy(*rules: dict) -> object:
    base = {"requester": "any", "records": "all", "citation": "Test policy", "verified": False}
    return parse_policy({"library": "test", "rules": [{**base, **r} for r in rules]}, "test.yaml")


def test_a_stricter_policy_applies_and_says_so() -> None:
    """New York lets a subpoena suffice; a library may insist on a court order."""
    policy = _policy({"id": "P-1", "instrument": "subpoena", "outcome": "refuse"})
    decision = decide("US-NY", "attorney", "subpoena", policy=policy)
    assert decision.permitted is False
    assert decision.outcome == "refuse"
    assert any("stricter than the statute and applies" in r for r in decision.reasons)
    assert decision.citations == ["NY CPLR 4509", "Test policy"]
    assert decision.conflicts == []
    # Other requests are untouched.
    assert decide("US-NY", "attorney", "court_order", policy=policy).permitted is True


def test_a_looser_policy_is_a_conflict_and_never_applied() -> None:
    policy = _policy({"id": "P-2", "instrument": "subpoena", "outcome": "release"})
    decision = decide("US-MO", "attorney", "subpoena", records=("loans", "holds"), policy=policy)
    assert decision.permitted is False
    assert decision.outcome == "refuse"
    [conflict] = decision.conflicts
    assert conflict.as_dict() == {
        "policy_rule": "P-2",
        "rule": "MO-6",
        "records": ["loans", "holds"],
        "why": conflict.why,
    }
    assert "RSMo 182.817.1" in conflict.why


def test_a_policy_allowing_what_no_rule_allows_is_a_conflict() -> None:
    policy = _policy({"id": "P-3", "instrument": "written_consent", "outcome": "release"})
    decision = decide("US-IL", "attorney", "written_consent", policy=policy)
    assert decision.permitted is False
    assert decision.conflicts[0].rule is None
    assert "no statute basis was found" in decision.conflicts[0].why


def test_a_policy_cannot_release_where_the_statute_needs_a_finding() -> None:
    policy = _policy({"id": "P-4", "instrument": "court_order", "outcome": "release"})
    decision = decide("US-MO", "law_enforcement", "court_order", policy=policy)
    assert decision.permitted is None
    assert decision.conflicts[0].rule == "MO-5"


def test_a_policy_releasing_more_than_overdue_items_gets_only_those(example_policy) -> None:
    policy = _policy(
        {"id": "P-5", "requester": "collection_agency", "instrument": "none",
         "records": ["loans"], "outcome": "release"}
    )  # fmt: skip
    decision = decide("US-IA", "collection_agency", bill_sent=True, policy=policy)
    assert decision.outcome == "release_overdue_only"
    assert decision.conflicts[0].rule == "IA-7"


def test_conflicts_for_the_custodians_home_page(example_policy) -> None:
    """The Missouri example policy (overdue recovery, subpoena) contradicts 182.817."""
    conflicts = policy_conflicts(example_policy("new-madrid"), load_pack("US-MO"))
    assert {(c.policy_rule, c.rule) for c in conflicts} == {
        ("NMCL-overdue", "MO-7"),
        ("NMCL-subpoena", "MO-6"),
    }
    assert policy_conflicts(example_policy("cresco"), load_pack("US-IA")) == []


def test_policy_for_library_reads_the_interim_folder(settings, tmp_path) -> None:
    class Library:
        slug = "cresco"
        jurisdiction = "US-IA"

    settings.BOOKWARDEN_POLICY_DIR = str(tmp_path)
    assert policy_for_library(Library()) is None
    (tmp_path / "cresco.yaml").write_text((EXAMPLES / "cresco.yaml").read_text())
    policy = policy_for_library(Library())
    assert policy is not None and policy.rules[0].id == "CRESCO-5c-parent"
    Library.jurisdiction = "US-MO"
    with pytest.raises(PackError, match=r"cresco.yaml: jurisdiction: is US-IA"):
        policy_for_library(Library())


def test_policy_for_library_defaults_to_the_data_dir(settings, tmp_path) -> None:
    class Library:
        slug = "new-madrid"
        jurisdiction = "US-MO"

    settings.BOOKWARDEN_POLICY_DIR = None
    settings.DATA_DIR = tmp_path
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "new-madrid.yaml").write_text(
        (EXAMPLES / "new-madrid.yaml").read_text()
    )
    policy = policy_for_library(Library())
    assert policy is not None and policy.library == "new-madrid"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"id": "P", "instrument": "none", "outcome": "release",
          "needs_library_policy": True}, "rule P: needs_library_policy belongs in a state pack"),
        ({"id": "P", "instrument": "fax", "outcome": "release"}, "rule P: unknown instrument"),
        ({"id": "P", "instrument": "none", "outcome": "maybe"}, "rule P: bad outcome 'maybe'"),
    ],
)  # fmt: skip
def test_policy_rules_are_validated_like_pack_rules(rule, message) -> None:
    with pytest.raises(PackError, match=message):
        _policy(rule)
    assert issubclass(PackError, ImproperlyConfigured)
