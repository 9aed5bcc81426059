"""Missouri, RSMo 182.815 and 182.817 (NM-1, NM-2, CR-5a, CC-5): written consent, a court
order only upon a finding (182.817.1(2): "upon a finding that the disclosure of such record is
necessary to protect the public safety or to prosecute a crime"; an order without it is
refused), no subpoena, no overdue recovery, camera recordings left to the Sunshine Law."""

from __future__ import annotations

import pytest

from .conftest import decide


@pytest.mark.parametrize(
    ("requester", "instrument", "finding", "permitted", "outcome"),
    [
        ("patron", "written_consent", "none", True, "release"),
        ("patron", "none", "none", None, "needs_information"),  # a written request is needed
        ("attorney", "written_consent", "none", True, "release"),
        ("law_enforcement", "court_order", "public_safety", True, "release"),
        ("court", "court_order", "prosecution", True, "release"),
        ("law_enforcement", "court_order", "none", False, "refuse"),
        ("law_enforcement", "court_order", "rational_connection_cogent_compelling", False,
         "refuse"),
        ("law_enforcement", "subpoena", "none", False, "refuse"),
        ("attorney", "subpoena", "prosecution", False, "refuse"),
        ("parent", "none", "none", False, "refuse"),
        ("law_enforcement", "emergency", "none", False, "refuse"),
        ("public", "open_records_request", "none", False, "refuse"),
        ("vendor", "none", "none", False, "refuse"),
    ],
)  # fmt: skip
def test_missouri_table(requester, instrument, finding, permitted, outcome) -> None:
    decision = decide("US-MO", requester, instrument, finding=finding)
    assert (decision.permitted, decision.outcome) == (permitted, outcome)
    assert "custodian_decision" in decision.steps  # CC-5
    assert decision.citations and all(c.startswith("RSMo 182.81") for c in decision.citations)


def test_court_order_with_finding_goes_to_counsel_first() -> None:
    decision = decide("US-MO", "law_enforcement", "court_order", finding="public_safety")
    assert decision.permitted is True
    assert decision.steps == [
        "verify_identity",
        "verify_instrument",
        "consult_counsel",  # CR-5a
        "custodian_decision",
    ]
    assert decision.citations == ["RSMo 182.817.1(2)"]


def test_court_order_without_the_finding_is_refused_and_goes_to_counsel() -> None:
    decision = decide("US-MO", "law_enforcement", "court_order", records=("loans", "searches"))
    assert decision.permitted is False
    assert "consult_counsel" in decision.steps
    assert any("does not state the finding" in r for r in decision.reasons)


def test_a_subpoena_alone_is_refused_but_still_goes_to_counsel() -> None:
    decision = decide("US-MO", "attorney", "subpoena")
    assert decision.permitted is False
    assert decision.outcome == "refuse"
    assert "consult_counsel" in decision.steps  # CR-5a: counsel on any subpoena
    assert any("A subpoena is not an order of a court" in r for r in decision.reasons)


def test_overdue_recovery_is_refused_and_policy_allowing_it_is_a_conflict(
    example_policy,
) -> None:
    """A Missouri library whose policy allows release for overdue recovery, which 182.817
    does not list: flagged, never applied (NM-2, CR-5c)."""
    policy = example_policy("new-madrid")
    decision = decide(
        "US-MO", "collection_agency", records=("loans", "registration"), bill_sent=True,
        policy=policy,
    )  # fmt: skip
    assert decision.permitted is False
    assert decision.outcome == "refuse"
    assert len(decision.conflicts) == 1
    conflict = decision.conflicts[0]
    # 182.817.1 has no exception for overdue recovery (rule MO-6 says so).
    assert (conflict.policy_rule, conflict.rule) == ("NMCL-overdue", "MO-6")
    assert conflict.records == ("loans", "registration")
    assert "looser than the law" in " ".join(decision.reasons)
    # Without the policy, the same request has no conflict.
    assert decide("US-MO", "collection_agency", bill_sent=True).conflicts == []


def test_camera_recordings_go_to_counsel_under_the_sunshine_law() -> None:
    """182.815(5) does not name recordings: counsel decides under RSMo chapter 610."""
    decision = decide("US-MO", "public", "open_records_request", records=("camera_recordings",))
    assert (decision.permitted, decision.outcome) == (None, "needs_information")
    assert "RSMo 610.011" in decision.citations
    loans = decide("US-MO", "public", "open_records_request", records=("loans",))
    assert (loans.permitted, loans.citations) == (False, ["RSMo 182.817.1"])
