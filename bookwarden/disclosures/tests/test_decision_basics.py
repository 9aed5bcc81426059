"""What every decision does (NM-1, NM-4, CR-5a, CR-5b, CC-5): deny by default, fail closed on
an unknown state, the steps, a lost card, the disclaimer and unverified rules."""

from __future__ import annotations

import pytest

from bookwarden.disclosures.rules import Facts, evaluate, load_pack, normalize_jurisdiction, schema
from bookwarden.disclosures.rules.evaluate import at_most, releases
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


def test_every_value_of_the_vocabulary_has_plain_words() -> None:
    """Format 2's vocabulary: each requester, instrument, purpose, finding, issuer, outcome
    and yes/no fact has its words; each fact that may be unknown names its command option."""
    assert "prosecutor" in schema.REQUESTERS
    for values, words in (
        (schema.REQUESTERS, schema.REQUESTER_TEXT),
        (schema.INSTRUMENTS, schema.INSTRUMENT_TEXT),
        (schema.PURPOSES, schema.PURPOSE_TEXT),
        (schema.FINDINGS, schema.FINDING_TEXT),
        (schema.ISSUERS, schema.ISSUER_TEXT),
        (tuple(schema.OUTCOMES), schema.OUTCOME_TEXT),
        (schema.BOOLEAN_CONDITIONS, schema.BOOLEAN_TEXT),
    ):
        assert set(words) == set(values)
        assert all(w and "_" not in w for w in words.values())
    for fact in (*schema.BOOLEAN_CONDITIONS, "age", "amount_owed", "issued_by"):
        assert "(--" in schema.MISSING_TEXT[fact]
    assert {"good_cause", "necessary_to_prosecution"} <= set(schema.FINDINGS)
    assert {"federal_court", "out_of_state_court", "grand_jury"} <= set(schema.ISSUERS)


@pytest.mark.parametrize(
    "partial",
    ["release_overdue_only", "release_contact_and_amount_owed", "release_identity_only",
     "release_parent_identity_only"],
)  # fmt: skip
def test_each_partial_release_is_stricter_than_release_and_not_comparable_to_another(
    partial,
) -> None:
    assert at_most(partial, "release") and not at_most("release", partial)
    assert at_most("needs_information", partial) and at_most("refuse", partial)
    assert not at_most(partial, "needs_information")
    for other in schema.OUTCOMES:
        if other != partial and other.startswith("release_"):
            assert not at_most(partial, other) and not at_most(other, partial)
    assert releases(partial)
