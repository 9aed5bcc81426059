"""Helpers for the rule tests: decide a request in one line; the example policies."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bookwarden.disclosures.rules import Decision, Facts, Policy, evaluate
from bookwarden.disclosures.rules.policy import load_policy_file

EXAMPLES = Path(__file__).resolve().parents[1] / "rules" / "example_policies"


def decide(
    state: str,
    requester: str,
    instrument: str = "none",
    records: tuple[str, ...] = ("loans",),
    policy: Policy | None = None,
    **facts: Any,
) -> Decision:
    if "amount_owed" in facts and facts["amount_owed"] is not None:
        facts["amount_owed"] = Decimal(str(facts["amount_owed"]))
    return evaluate(
        Facts(
            jurisdiction=state,
            requester=requester,
            instrument=instrument,
            records=records,
            **facts,
        ),
        policy,
    )


@pytest.fixture
def example_policy() -> Callable[[str], Policy]:
    """``example_policy("cresco")``: a shipped example policy, parsed."""
    return lambda slug: load_policy_file(EXAMPLES / f"{slug}.yaml")


@pytest.fixture(autouse=True)
def _no_local_overrides(settings, tmp_path) -> None:
    # The developer's own data folder must not change what the shipped packs decide.
    settings.BOOKWARDEN_PACK_DIR = str(tmp_path / "no-pack-overrides")
    settings.BOOKWARDEN_POLICY_DIR = str(tmp_path / "no-policies")
