"""What every decision does (NM-1, NM-4, CR-5a, CR-5b, CC-5): deny by default, fail closed on
an unknown state, the steps, a lost card, the disclaimer and unverified rules."""

from __future__ import annotations

import pytest

from bookwarden.disclosures.rules import Facts, evaluate, load_pack, normalize_jurisdiction
from bookwarden.patrons.classification import for_jurisdiction

from .conftest import decide


def test_unknown_state_fails_closed() -> None:
    for state in ("US-ZZ", "", "../US-MO"):
        decision = decide(state, "patron", "written_consent", records=("loans", "searches"))
        assert decision.permitted is False
        assert decision.outcome == "refuse"
        assert "fail closed" in decision.reasons[0]
        assert "custodian_decision" in decision.steps
    assert load_pack("US-ZZ") is None
    unknown = for_jurisdiction("US-ZZ")
    assert not any(c.is_public for c in unknown.values())
    assert "No rule pack for US-ZZ" in unknown["loans"].note


def test_deny_by_default_when_no_rule_matches() -> None:
    # No Illinois rule speaks of a third party bearing the patron's consent: no statute
    # basis was found, so nothing is released (NM-1).
    decision = decide("US-IL", "attorney", "written_consent")
    assert decision.permitted is False
    assert decision.outcome == "refuse"
    assert any("no basis in statute" in r for r in decision.reasons)
    assert decision.citations == ["75 ILCS 70/1"]


@pytest.mark.parametrize(
    ("requester", "instrument", "steps"),
    [
        ("patron", "written_consent", ["verify_identity", "verify_instrument",
                                       "custodian_decision"]),
        ("patron", "none", ["verify_identity", "custodian_decision"]),
        ("public", "open_records_request", ["verify_instrument", "custodian_decision"]),
        ("court", "court_order", ["verify_instrument", "consult_counsel", "custodian_decision"]),
        ("attorney", "subpoena", ["verify_identity", "verify_instrument", "consult_counsel",
                                  "custodian_decision"]),
        ("law_enforcement", "search_warrant", ["verify_identity", "verify_instrument",
                                               "consult_counsel", "custodian_decision"]),
    ],
)  # fmt: skip
def test_steps(requester, instrument, steps) -> None:
    """CR-5a: counsel on any subpoena, court order or warrant; CC-5: the custodian decides."""
    for state in ("US-MO", "US-IA", "US-NY", "US-ZZ"):
        assert decide(state, requester, instrument).steps == steps


def test_a_card_reported_lost_is_not_consent() -> None:
    """CR-5b: possession of a card counts as consent, unless it was reported lost."""
    assert decide("US-NY", "patron").permitted is True
    decision = decide("US-NY", "patron", card_lost=True)
    assert decision.permitted is False
    assert decision.outcome == "refuse"
    assert "verify_identity" in decision.steps
    assert "reported lost" in decision.reasons[0]


def test_every_decision_says_not_legal_advice_and_names_unverified_rules() -> None:
    decision = decide("US-NY", "patron")
    text = " ".join(decision.reasons)
    assert "not legal advice" in text
    assert "Rule NY-1 is marked unverified" in text
    assert "(CC-5)" in text


def test_release_reminds_that_disclosure_is_minimal_and_on_record() -> None:
    assert any("(NM-4)" in r for r in decide("US-NY", "patron").reasons)
    assert not any("(NM-4)" in r for r in decide("US-MO", "parent").reasons)


def test_bad_facts_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown requester 'police'"):
        evaluate(Facts("US-MO", "police", "none", ("loans",)))
    with pytest.raises(ValueError, match="unknown record type 'emails'"):
        evaluate(Facts("US-MO", "patron", "none", ("emails",)))
    with pytest.raises(ValueError, match="at least one record type"):
        evaluate(Facts("US-MO", "patron", "none", ()))


@pytest.mark.parametrize(
    ("given", "code"), [("MO", "US-MO"), ("us-ia", "US-IA"), ("US-NY", "US-NY")]
)
def test_state_codes(given, code) -> None:
    assert normalize_jurisdiction(given) == code
    with pytest.raises(ValueError):
        normalize_jurisdiction("Missouri")
