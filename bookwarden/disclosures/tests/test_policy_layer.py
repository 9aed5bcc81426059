"""A library's own policy over its state's pack (NM-1, NM-2, CR-1, CR-5c, CR-5g): stricter
applies, looser is a conflict that is flagged and never applied; a policy classifies nothing
as public, and its "public" release is looser where the law leaves the records to counsel."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from bookwarden.disclosures.rules import (
    Facts,
    PackError,
    evaluate,
    load_pack,
    parse_policy,
    policy_conflicts,
    policy_for_library,
)

from .conftest import EXAMPLES, decide
from .small_packs import quote, small_pack, use_packs_before_format_2


@pytest.fixture(autouse=True)
def _packs_before_format_2(settings) -> None:
    """These tests were written against the packs as they were before format 2."""
    use_packs_before_format_2(settings)


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


# --- format 2 (NM-2, CR-1, CR-5g) ------------------------------------------------------------


def test_a_policy_classifies_nothing_as_public() -> None:
    for key in ("classification", "covers", "outside"):
        with pytest.raises(PackError, match=rf"test.yaml: {key}: a library policy classifies"):
            parse_policy({"library": "test", key: {}, "rules": []}, "test.yaml")


def test_a_public_statement_in_a_policy_decides_what_the_public_records_law_leaves_open(
    tmp_path,
) -> None:
    """CR-5g: the library says camera recordings are public; the library-records law does
    not cover them and the public-records law they fall to leaves what is open to the
    custodian: the library's written policy is that decision, and applies, cited.  Where a
    rule of the statute itself asks for counsel, the same release is a conflict."""
    pack = small_pack(tmp_path)
    policy = _policy(
        {"id": "P-cam", "requester": "public", "instrument": "open_records_request",
         "records": ["camera_recordings"], "outcome": "release"},
    )  # fmt: skip
    facts = Facts("US-XT", "public", "open_records_request", ("camera_recordings",))
    decision = evaluate(facts, policy, pack=pack)
    assert decision.outcome == "release"
    assert decision.conflicts == []
    assert "Test policy" in decision.citations and "T.S. 9-7(1)" in decision.reasons[0]
    entry = decision.as_dict()["explanation"][0]
    assert entry["policy"] == {
        "rule": "P-cam",
        "outcome": "release",
        "citation": "Test policy",
        "applied": True,
        "conflict": False,
    }
    assert policy_conflicts(policy, pack) == []
    # Without the policy, the public-records law sends it to counsel.
    assert evaluate(facts, None, pack=pack).outcome == "needs_information"
    # A record type the library-records law covers: its rules decide, and a policy release
    # beyond them is a conflict, never applied.
    loans = _policy(
        {"id": "P-loans", "requester": "public", "instrument": "open_records_request",
         "records": ["loans"], "outcome": "release"},
    )  # fmt: skip
    covered = Facts("US-XT", "public", "open_records_request", ("loans",))
    refused = evaluate(covered, loans, pack=pack)
    assert refused.outcome == "refuse"
    assert [c.policy_rule for c in refused.conflicts] == ["P-loans"]


def test_a_stricter_policy_applies_over_the_public_records_law(tmp_path) -> None:
    pack = small_pack(tmp_path)
    policy = _policy({"id": "P-no", "instrument": "any", "records": ["camera_recordings"],
                      "outcome": "refuse"})  # fmt: skip
    facts = Facts("US-XT", "law_enforcement", "subpoena", ("camera_recordings",))
    decision = evaluate(facts, policy, pack=pack)
    assert (decision.outcome, decision.conflicts) == ("refuse", [])
    assert decision.citations == ["T.S. 9-7(1)", "Test policy"]


def test_a_policy_release_waits_with_the_statute_for_a_fact(tmp_path) -> None:
    """The statute's answer waits for the custody: a policy release cannot settle it, and is
    no conflict either (with the fact given, the statute may release too)."""
    pack = small_pack(tmp_path)
    policy = _policy({"id": "P-parent", "requester": "parent", "instrument": "none",
                      "outcome": "release"})  # fmt: skip
    facts = Facts("US-XT", "parent", "none", ("loans",), age=12)
    decision = evaluate(facts, policy, pack=pack)
    assert (decision.outcome, decision.conflicts) == ("needs_information", [])
    assert any("cannot apply before the statute's answer is known" in r for r in decision.reasons)
    without_custody = Facts("US-XT", "parent", "none", ("loans",), age=12, custodial=False)
    assert evaluate(without_custody, policy, pack=pack).conflicts[0].rule is None
    assert [c.policy_rule for c in policy_conflicts(policy, pack)] == ["P-parent"]


def test_policy_rules_take_the_new_keys(tmp_path) -> None:
    pack = small_pack(tmp_path)
    policy = _policy(
        {"id": "P-fines", "requester": "collection_agency", "instrument": "none",
         "purpose": "fines_and_overdues", "records": ["loans"],
         "conditions": {"min_amount_owed": 100, "publicly_funded": True},
         "outcome": "refuse", "text": quote("The library does not use collection agencies.")},
    )  # fmt: skip
    rule = policy.rules[0]
    assert rule.purposes == ("fines_and_overdues",) and rule.text_checked
    facts = {"purpose": "fines_and_overdues", "age": 30}
    small = Facts(
        "US-XT", "collection_agency", "none", ("loans",), amount_owed=Decimal(60), **facts
    )
    assert evaluate(small, policy, pack=pack).outcome == "release_contact_and_amount_owed"
    large = Facts("US-XT", "collection_agency", "none", ("loans",), amount_owed=Decimal(160),
                  publicly_funded=True, **facts)  # fmt: skip
    assert evaluate(large, policy, pack=pack).outcome == "refuse"
    unknown = Facts("US-XT", "collection_agency", "none", ("loans",), amount_owed=Decimal(160),
                    **facts)  # fmt: skip
    assert evaluate(unknown, policy, pack=pack).outcome == "needs_information"
    assert policy_conflicts(policy, pack) == []


def test_a_policy_that_drops_the_statutes_purpose_is_looser(tmp_path) -> None:
    """The statute releases to a collection agency only for fines and overdues; a policy
    releasing for any purpose is a conflict where no purpose is stated."""
    pack = small_pack(tmp_path)
    policy = _policy({"id": "P-any", "requester": "collection_agency", "instrument": "none",
                      "records": ["loans"], "outcome": "release_contact_and_amount_owed"},
                     )  # fmt: skip
    found = policy_conflicts(policy, pack)
    # Without the purpose no rule allows it; for a child the statute gives only the parent's
    # identity, which the contact and amount owed are not.
    assert {(c.policy_rule, c.rule) for c in found} == {("P-any", None), ("P-any", "T-3")}
    stated = Facts("US-XT", "collection_agency", "none", ("loans",), age=40,
                   amount_owed=Decimal(90), purpose="fines_and_overdues")  # fmt: skip
    assert evaluate(stated, policy, pack=pack).conflicts == []
    unstated = Facts("US-XT", "collection_agency", "none", ("loans",), age=40,
                     amount_owed=Decimal(90))  # fmt: skip
    decision = evaluate(unstated, policy, pack=pack)
    assert (decision.outcome, [c.policy_rule for c in decision.conflicts]) == ("refuse", ["P-any"])
