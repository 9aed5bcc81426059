"""New York, CPLR 4509 (NM-1, NM-2, CR-5a, CC-5): a subpoena alone is enough."""

from __future__ import annotations

import pytest

from .conftest import decide


@pytest.mark.parametrize("requester", ["attorney", "law_enforcement", "court"])
def test_a_subpoena_is_enough_with_counsel_first(requester) -> None:
    decision = decide("US-NY", requester, "subpoena", records=("loans", "searches"))
    assert decision.permitted is True
    assert decision.outcome == "release"
    assert decision.steps[-2:] == ["consult_counsel", "custodian_decision"]
    assert decision.citations == ["NY CPLR 4509"]


@pytest.mark.parametrize(
    ("requester", "instrument", "permitted"),
    [
        ("patron", "none", True),  # upon request of the user
        ("vendor", "none", False),  # no purpose stated: only for the library's operation
        ("parent", "none", False),
        ("law_enforcement", "emergency", False),
        ("public", "open_records_request", False),
    ],
)
def test_new_york_table(requester, instrument, permitted) -> None:
    decision = decide("US-NY", requester, instrument)
    assert decision.permitted is permitted
    assert "custodian_decision" in decision.steps


def test_a_vendor_gets_what_the_library_s_operation_needs() -> None:
    """CPLR 4509: "to the extent necessary for the proper operation of such library"."""
    decision = decide("US-NY", "vendor", purpose="library_operation")
    assert (decision.permitted, decision.outcome) == (True, "release")
