"""Iowa, Code 22.7(13) (NM-1, NM-2, CR-1, CR-5a, CR-5c, CR-5g, CC-5): law enforcement on a
judicial determination, no subpoena, public camera recordings, overdue recovery only under
the library's own policy after a bill was sent."""

from __future__ import annotations

import pytest

from bookwarden.patrons.classification import for_jurisdiction

from .conftest import decide


@pytest.mark.parametrize(
    ("requester", "instrument", "finding", "permitted"),
    [
        ("law_enforcement", "court_order", "rational_connection_cogent_compelling", True),
        ("law_enforcement", "search_warrant", "rational_connection_cogent_compelling", True),
        ("law_enforcement", "court_order", "none", None),
        ("law_enforcement", "court_order", "public_safety", None),
        ("attorney", "court_order", "rational_connection_cogent_compelling", None),
        ("law_enforcement", "subpoena", "none", False),
        ("law_enforcement", "subpoena", "rational_connection_cogent_compelling", False),
        ("patron", "none", "none", True),
        ("parent", "none", "none", False),
        ("public", "open_records_request", "none", False),
    ],
)
def test_iowa_table(requester, instrument, finding, permitted) -> None:
    decision = decide("US-IA", requester, instrument, finding=finding)
    assert decision.permitted is permitted
    assert "custodian_decision" in decision.steps
    if instrument in ("court_order", "subpoena", "search_warrant"):
        assert "consult_counsel" in decision.steps  # CR-5a


def test_camera_recordings_are_public_in_iowa() -> None:
    """CR-5g: viewable on an open-records or a law-enforcement request."""
    assert for_jurisdiction("US-IA")["camera_recordings"].is_public
    assert not for_jurisdiction("US-MO")["camera_recordings"].is_public
    for requester, instrument in [("public", "open_records_request"), ("law_enforcement", "none")]:
        decision = decide("US-IA", requester, instrument, records=("camera_recordings",))
        assert decision.permitted is True
        assert any("public records" in r for r in decision.reasons)
        assert "Iowa Code chapter 22; Cresco policy 5g (CR-5g)" in decision.citations


def test_public_and_confidential_records_in_one_request_take_the_strictest_answer() -> None:
    decision = decide(
        "US-IA", "public", "open_records_request", records=("camera_recordings", "loans")
    )
    assert decision.permitted is False
    assert any("not all treated alike" in r for r in decision.reasons)


@pytest.mark.parametrize(
    ("bill_sent", "age", "permitted", "outcome"),
    [
        (True, 12, True, "release_overdue_only"),
        (False, 12, False, "refuse"),
        (True, 19, False, "refuse"),  # Cresco: parents of minor children only
        (True, None, None, "needs_information"),
    ],
)
def test_cresco_policy_overdue_recovery_by_a_parent(
    bill_sent, age, permitted, outcome, example_policy
) -> None:
    """CR-5c: only after a bill was sent, and only the overdue items and the amount."""
    decision = decide(
        "US-IA", "parent", records=("loans",), bill_sent=bill_sent, age=age,
        policy=example_policy("cresco"),
    )  # fmt: skip
    assert (decision.permitted, decision.outcome) == (permitted, outcome)
    assert decision.conflicts == []
    if permitted:
        assert any("only the overdue items and the amount owed" in r for r in decision.reasons)
        assert "Cresco policy 5c" in decision.citations


def test_overdue_recovery_without_a_library_policy_is_refused() -> None:
    decision = decide("US-IA", "collection_agency", bill_sent=True)
    assert decision.permitted is False
    assert any("leaves this to the library's own policy" in r for r in decision.reasons)


def test_collection_agency_under_cresco_policy(example_policy) -> None:
    policy = example_policy("cresco")
    assert decide("US-IA", "collection_agency", bill_sent=True, policy=policy).outcome == (
        "release_overdue_only"
    )
    # The policy covers loans and registration; it does not open searches.
    searches = decide(
        "US-IA", "collection_agency", records=("searches",), bill_sent=True, policy=policy
    )
    assert searches.permitted is False
