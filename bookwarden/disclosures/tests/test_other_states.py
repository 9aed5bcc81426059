"""The other shapes of state law the packs handle (NM-1, NM-2, CR-5a, CR-5c, CC-5): parent
access by age, collection agencies, the Wisconsin 50-dollar threshold, the Illinois emergency
exception, the New Jersey court-issued subpoena, the Texas showing to a district court."""

from __future__ import annotations

import pytest

from .conftest import decide

FINES = "fines_and_overdues"

CASES = [
    # Florida: a parent of a patron under 16, for fines and overdues only (257.261(3)(b)2);
    # a collector learns only who the parent is for a patron under 16 ((3)(b)3).
    ("US-FL", "parent", "none", ("loans",), {"age": 15, "purpose": FINES}, True,
     "release_overdue_only"),
    ("US-FL", "parent", "none", ("loans",), {"age": 16, "purpose": FINES}, False, "refuse"),
    # Catalog searches are not registration or circulation records: chapter 119 decides.
    ("US-FL", "parent", "none", ("searches",), {"age": 10, "purpose": FINES}, None,
     "needs_information"),
    ("US-FL", "parent", "none", ("loans",), {"purpose": FINES}, None, "needs_information"),
    ("US-FL", "collection_agency", "none", ("loans",), {"age": 12, "purpose": FINES}, True,
     "release_parent_identity_only"),
    ("US-FL", "collection_agency", "none", ("loans",), {"age": 40, "purpose": FINES}, True,
     "release_overdue_only"),
    ("US-FL", "law_enforcement", "none", ("loans",), {"age": 17, "purpose": FINES}, True,
     "release_overdue_only"),
    ("US-FL", "court", "none", ("loans",), {"age": 12, "purpose": FINES}, True,
     "release_overdue_only"),
    ("US-FL", "attorney", "subpoena", ("loans",), {}, False, "refuse"),
    ("US-FL", "attorney", "court_order", ("loans",), {}, True, "release"),
    # Wisconsin: a custodial parent of a child under 16 (all records, mandatory, 43.30(4)).
    ("US-WI", "parent", "none", ("searches",), {"age": 15, "custodial": True}, True, "release"),
    ("US-WI", "parent", "none", ("searches",), {"age": 16, "custodial": True}, False, "refuse"),
    ("US-WI", "parent", "none", ("searches",), {"age": 15}, None, "needs_information"),
    # Wisconsin 43.30(6): delinquent accounts to a collection agency, and to law enforcement
    # only when at least 50 dollars is owed; name, contact information and amount owed only.
    ("US-WI", "collection_agency", "none", ("loans",), {"purpose": "fines_and_overdues"}, True,
     "release_contact_and_amount_owed"),
    ("US-WI", "collection_agency", "none", ("loans",), {}, False, "refuse"),
    ("US-WI", "law_enforcement", "none", ("loans",),
     {"purpose": "fines_and_overdues", "amount_owed": 50}, True,
     "release_contact_and_amount_owed"),
    ("US-WI", "law_enforcement", "none", ("loans",),
     {"purpose": "fines_and_overdues", "amount_owed": "49.99"}, False, "refuse"),
    ("US-WI", "law_enforcement", "none", ("loans",), {"purpose": "fines_and_overdues"}, None,
     "needs_information"),
    ("US-WI", "law_enforcement", "court_order", ("loans",), {}, True, "release"),
    # South Dakota: a parent of a patron under 18.
    ("US-SD", "parent", "none", ("loans",), {"age": 17}, True, "release"),
    ("US-SD", "parent", "none", ("loans",), {"age": 18}, False, "refuse"),
    # Illinois: an emergency lets a sworn officer learn who, never what (70/1(a)(2)).
    ("US-IL", "law_enforcement", "emergency", ("registration",), {"sworn_officer": True}, True,
     "release_identity_only"),
    ("US-IL", "law_enforcement", "emergency", ("loans",), {"sworn_officer": True}, False,
     "refuse"),
    ("US-IL", "law_enforcement", "emergency", ("computer_sessions",), {"sworn_officer": True},
     False, "refuse"),
    ("US-IL", "public", "emergency", ("computer_sessions",), {}, False, "refuse"),
    ("US-IL", "law_enforcement", "subpoena", ("loans",), {}, False, "refuse"),
    ("US-IL", "law_enforcement", "none", ("loans",), {}, False, "refuse"),
    # New Jersey: a subpoena is enough only if a court issued it.
    ("US-NJ", "attorney", "subpoena", ("loans",), {"issued_by": "court"}, True, "release"),
    ("US-NJ", "attorney", "subpoena", ("loans",), {"issued_by": "attorney"}, False, "refuse"),
    ("US-NJ", "law_enforcement", "subpoena", ("loans",), {"issued_by": "agency"}, False,
     "refuse"),
    ("US-NJ", "attorney", "subpoena", ("loans",), {}, None, "needs_information"),
    ("US-NJ", "vendor", "none", ("loans",), {"purpose": "library_operation"}, True, "release"),
    ("US-NJ", "vendor", "none", ("loans",), {}, False, "refuse"),
    # Texas: a court order or subpoena after a showing to a district court.
    ("US-TX", "law_enforcement", "subpoena", ("loans",), {"finding": "public_safety"}, True,
     "release"),
    ("US-TX", "law_enforcement", "court_order", ("loans",), {"finding": "prosecution"}, True,
     "release"),
    ("US-TX", "law_enforcement", "court_order", ("loans",), {}, None, "needs_information"),
    ("US-TX", "public", "open_records_request", ("loans",), {}, False, "refuse"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("state", "requester", "instrument", "records", "facts", "permitted", "outcome"), CASES
)
def test_state_shapes(state, requester, instrument, records, facts, permitted, outcome) -> None:
    decision = decide(state, requester, instrument, records, **facts)
    assert (decision.permitted, decision.outcome) == (permitted, outcome), decision.reasons
    assert decision.steps[-1] == "custodian_decision"  # CC-5
    assert decision.citations


def test_emergency_identity_only_says_so() -> None:
    decision = decide(
        "US-IL", "law_enforcement", "emergency", ("registration",), sworn_officer=True
    )
    assert decision.outcome == "release_identity_only"
    text = " ".join(decision.reasons)
    assert "suspect, witness or victim" in text
    assert "never the materials" in text
    assert decision.citations == ["75 ILCS 70/1(a)(2)"]


def test_an_emergency_never_opens_the_loans() -> None:
    """70/1(a)(2): "may not include the disclosure of registration or circulation records that
    would indicate materials borrowed, resources reviewed, or services used"."""
    decision = decide(
        "US-IL", "law_enforcement", "emergency", ("registration", "loans"), sworn_officer=True
    )
    assert (decision.permitted, decision.outcome) == (False, "refuse")
    assert "75 ILCS 70/1(a)(2)" in decision.citations
    assert "consult_counsel" not in decision.steps
    assert "verify_instrument" in decision.steps


def test_overdue_only_says_what_may_go() -> None:
    decision = decide("US-FL", "collection_agency", age=40, purpose=FINES)
    assert any("Release only the overdue items and the amount owed" in r for r in decision.reasons)


def test_missing_facts_are_named() -> None:
    decision = decide("US-WI", "law_enforcement", purpose="fines_and_overdues")
    assert any("--amount-owed" in r for r in decision.reasons)
    decision = decide("US-NJ", "attorney", "subpoena")
    assert any("--issued-by" in r for r in decision.reasons)
    decision = decide("US-FL", "parent", purpose=FINES)
    assert any("--age" in r for r in decision.reasons)
