"""Iowa, Code 22.7(13) (NM-1, NM-2, CR-1, CR-5a, CR-5c, CR-5g, CC-5): law enforcement only
on a judicial determination in the investigation of a particular suspect, no subpoena, camera
recordings outside 22.7(13) (chapter 22 decides, with counsel), overdue recovery only under
the library's own policy (the lawful custodian's release, 22.7) and never to the police
without the judicial determination."""

from __future__ import annotations

import pytest

from bookwarden.patrons.classification import for_jurisdiction

from .conftest import decide


@pytest.mark.parametrize(
    ("requester", "instrument", "finding", "permitted"),
    [
        ("law_enforcement", "court_order", "rational_connection_cogent_compelling", True),
        ("law_enforcement", "search_warrant", "rational_connection_cogent_compelling", True),
        # 22.7(13): "only upon a judicial determination": without it, nothing.
        ("law_enforcement", "court_order", "none", False),
        ("law_enforcement", "court_order", "public_safety", False),
        # 22.7 yields to a court's order; with the determination stated, it may go.
        ("attorney", "court_order", "rational_connection_cogent_compelling", True),
        ("attorney", "court_order", "none", None),
        ("law_enforcement", "subpoena", "none", False),
        ("law_enforcement", "subpoena", "rational_connection_cogent_compelling", False),
        ("patron", "none", "none", True),
        ("parent", "none", "none", False),
        ("public", "open_records_request", "none", False),
    ],
)
def test_iowa_table(requester, instrument, finding, permitted) -> None:
    decision = decide("US-IA", requester, instrument, finding=finding, particular_suspect=True)
    assert decision.permitted is permitted
    assert "custodian_decision" in decision.steps
    if instrument in ("court_order", "subpoena", "search_warrant"):
        assert "consult_counsel" in decision.steps  # CR-5a


def test_police_need_a_particular_suspect() -> None:
    """22.7(13): "only pursuant to an investigation of a particular person or organization
    suspected of committing a known crime"."""
    finding = "rational_connection_cogent_compelling"
    unknown = decide("US-IA", "law_enforcement", "court_order", finding=finding)
    assert (unknown.permitted, unknown.outcome) == (None, "needs_information")
    none = decide(
        "US-IA", "law_enforcement", "court_order", finding=finding, particular_suspect=False
    )
    assert (none.permitted, none.outcome) == (False, "refuse")


def test_camera_recordings_fall_to_chapter_22_not_to_a_library_policy() -> None:
    """CR-5g: 22.7(13) covers a patron "checking out or requesting an item or information";
    a recording is neither, so chapter 22 decides it, with counsel.  No library's policy is
    cited as law."""
    assert not for_jurisdiction("US-IA")["camera_recordings"].is_public
    for requester, instrument in [("public", "open_records_request"), ("law_enforcement", "none")]:
        decision = decide("US-IA", requester, instrument, records=("camera_recordings",))
        assert (decision.permitted, decision.outcome) == (None, "needs_information")
        assert decision.citations == ["Iowa Code 22.2(1)"]
        assert not any("Cresco" in c for c in decision.citations)


def test_outside_and_confidential_records_in_one_request_take_the_strictest_answer() -> None:
    decision = decide(
        "US-IA", "public", "open_records_request", records=("camera_recordings", "loans")
    )
    assert decision.permitted is False
    assert any("not all treated alike" in r for r in decision.reasons)


def test_police_get_no_overdue_information_without_the_judicial_determination(
    example_policy,
) -> None:
    """22.7(13): records go to a criminal or juvenile justice agency "only upon a judicial
    determination"; Cresco's policy rule that names law enforcement is a conflict."""
    decision = decide(
        "US-IA", "law_enforcement", records=("loans", "registration"), bill_sent=True,
        policy=example_policy("cresco"),
    )  # fmt: skip
    assert (decision.permitted, decision.outcome) == (False, "refuse")
    assert [c.policy_rule for c in decision.conflicts] == ["CRESCO-5c-agency"]
    assert decision.conflicts[0].rule == "IA-3"


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
