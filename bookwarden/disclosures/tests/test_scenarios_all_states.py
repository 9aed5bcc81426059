"""The scenarios of /work/shared/LAW.md across every shipped state (NM-1, NM-2, CR-5a, CR-5c,
CC-5): the patron's written consent, a law-enforcement subpoena, a court order with and
without the state's finding, a parent of a minor on either side of the state's age cut-off,
a collection agency after a bill was sent, and a law-enforcement emergency.

Every row names the statute the decision must cite and the pack rule that decides it, so
that every rule of the three source states (Missouri, Iowa, New York) is tested by a row
naming its statute.  A new pack must be added to the table (the set of packs is checked).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from bookwarden.disclosures.rules import Decision, Pack, Policy, load_all, parse_policy

from .conftest import decide

SHIPPED = {
    "US-MO", "US-IA", "US-NY", "US-FL", "US-WI", "US-SD", "US-IL", "US-NJ", "US-TX",
    "US-CA", "US-OH", "US-PA", "US-NC", "US-GA", "US-MI", "US-WA", "US-VA",
}  # fmt: skip
SOURCE_STATES = ("US-MO", "US-IA", "US-NY")

# The finding each state's court order must state (LAW.md: "Court order needs a specific
# finding"); states without one get an order that happens to state public safety.
STATE_FINDING = {
    "US-MO": "public_safety",  # RSMo 182.817.1(2): public safety or prosecution
    "US-IA": "rational_connection_cogent_compelling",  # Iowa Code 22.7(13)
    "US-TX": "prosecution",  # 552.124(a)(3): evidence of an offense
}
# The age from which a parent no longer has access (LAW.md: "under 16", "under 18"); states
# without parent access are asked about a 17-year-old and an 18-year-old.
PARENT_CUT_OFF = {"US-FL": 16, "US-WI": 16, "US-SD": 18}

# What each scenario asks, before the per-state facts (finding, age) are added.
SCENARIOS: dict[str, dict[str, Any]] = {
    "consent": {"requester": "patron", "instrument": "written_consent"},
    "subpoena": {"requester": "law_enforcement", "instrument": "subpoena"},
    "order_with_finding": {"requester": "law_enforcement", "instrument": "court_order"},
    "order_without_finding": {"requester": "law_enforcement", "instrument": "court_order"},
    "parent_under_cut_off": {"requester": "parent", "instrument": "none"},
    "parent_at_cut_off": {"requester": "parent", "instrument": "none"},
    "collection_after_bill": {
        "requester": "collection_agency",
        "instrument": "none",
        "bill_sent": True,
    },
    "emergency": {"requester": "law_enforcement", "instrument": "emergency"},
}


def scenario_facts(scenario: str, state: str) -> dict[str, Any]:
    facts = dict(SCENARIOS[scenario])
    if scenario == "order_with_finding":
        facts["finding"] = STATE_FINDING.get(state, "public_safety")
    elif scenario == "order_without_finding":
        facts["finding"] = "none"
    elif scenario == "parent_under_cut_off":
        facts["age"] = PARENT_CUT_OFF.get(state, 18) - 1
    elif scenario == "parent_at_cut_off":
        facts["age"] = PARENT_CUT_OFF.get(state, 18)
    return facts


# (permitted, outcome, citation the decision must contain, deciding pack rule or None for
# "no rule matched: deny by default").
Expected = tuple[bool | None, str, str, str | None]

MO_1, MO_2, MO_4 = "RSMo 182.817.1(1)", "RSMo 182.817.1(1)", "RSMo 182.817.1(2)"
MO = "RSMo 182.817.1"
IA_CUSTODIAN, IA_13 = "Iowa Code 22.7 (release by the lawful custodian)", "Iowa Code 22.7(13)"
IA_CH22 = "Iowa Code 22.2(1)"
NY = "NY CPLR 4509"
# Florida: the refusal, a proper judicial order, the patron outside fines and overdues.
FL, FL_3A, FL_PATRON = (
    "Fla. Stat. 257.261(1), (3)(a)",
    "Fla. Stat. 257.261(3)(a)",
    "Fla. Stat. 257.261(3)(a), (3)(b)1",
)
FL_PARENT = "Fla. Stat. 257.261(3)(b)2"
WI_1M = "Wis. Stat. 43.30(1m)"
SD = "SDCL 14-2-51"
IL, IL_A = "75 ILCS 70/1", "75 ILCS 70/1(a)"
IL_A1, IL_A2 = "75 ILCS 70/1(a)(1)", "75 ILCS 70/1(a)(2)"
WI_4, WI_6 = "Wis. Stat. 43.30(4)", "Wis. Stat. 43.30(6)(b), (6)(c)1."
NJ, NJ_B, NJ_C = "N.J.S.A. 18A:73-43.2", "N.J.S.A. 18A:73-43.2(b)", "N.J.S.A. 18A:73-43.2(c)"
TX, TX_A2, TX_A3 = (
    "Tex. Gov't Code 552.124(b)",
    "Tex. Gov't Code 552.124(a)(2)",
    "Tex. Gov't Code 552.124(a)(3)",
)
CA, CA_C2, CA_C3 = (
    "Cal. Gov. Code 7927.105(c)",
    "Cal. Gov. Code 7927.105(c)(2)",
    "Cal. Gov. Code 7927.105(c)(3)",
)
OH = "Ohio Rev. Code 149.432(B)"
PA = "24 P.S. 4428"
NC_A, NC_B2, NC_B3 = "N.C.G.S. 125-19(a)", "N.C.G.S. 125-19(b)(2)", "N.C.G.S. 125-19(b)(3)"
GA_A, GA_A2, GA_A3 = "O.C.G.A. 24-12-30(a)", "O.C.G.A. 24-12-30(a)(2)", "O.C.G.A. 24-12-30(a)(3)"
MI_2, MI_2A = "MCL 397.603(2)", "MCL 397.603(2)(a), (4)"
WA = "RCW 42.56.310"
VA, VA_2017 = "Va. Code 2.2-3705.7(3)", "Va. Code 2.2-3705.7(3) (as amended 2017)"

TABLE: dict[str, dict[str, Expected]] = {
    "consent": {
        "US-MO": (True, "release", MO_1, "MO-1"),
        "US-IA": (True, "release", IA_CUSTODIAN, "IA-1"),
        "US-NY": (True, "release", NY, "NY-1"),
        # 257.261(3)(b)1 names the patron only for fines and overdues.
        "US-FL": (None, "needs_information", FL_PATRON, "FL-3"),
        "US-WI": (True, "release", WI_1M, "WI-1"),
        "US-SD": (True, "release", SD, "SD-1"),
        "US-IL": (True, "release", IL_A, "IL-1"),
        "US-NJ": (True, "release", NJ_B, "NJ-1"),
        "US-TX": (True, "release", TX_A2, "TX-1"),
        "US-CA": (True, "release", CA_C2, "CA-1"),
        "US-OH": (None, "needs_information", OH, "OH-1"),  # 149.432(B) could not be read
        "US-PA": (None, "needs_information", PA, "PA-3"),  # 4428 could not be read
        "US-NC": (True, "release", NC_B2, "NC-1"),
        "US-GA": (True, "release", GA_A2, "GA-1"),
        "US-MI": (True, "release", MI_2, "MI-1"),
        "US-WA": (None, "needs_information", WA, "WA-2"),  # the text is silent
        "US-VA": (None, "needs_information", VA, "VA-3"),  # custodian's discretion
    },
    "subpoena": {
        "US-MO": (False, "refuse", MO, "MO-5"),
        "US-IA": (False, "refuse", IA_13, "IA-3"),  # police: 22.7(13)
        "US-NY": (True, "release", NY, "NY-3"),  # a subpoena alone is enough
        "US-FL": (False, "refuse", FL, None),  # a subpoena is not a judicial order
        "US-WI": (False, "refuse", WI_1M, None),
        "US-SD": (False, "refuse", SD, None),
        "US-IL": (False, "refuse", IL_A, None),
        "US-NJ": (None, "needs_information", NJ_C, "NJ-4"),  # who issued it?
        "US-TX": (None, "needs_information", TX_A3, "TX-5"),  # showing to a district court?
        "US-CA": (False, "refuse", CA, None),  # only an order of the superior court
        "US-OH": (None, "needs_information", OH, "OH-4"),
        "US-PA": (False, "refuse", PA, None),  # only a court order
        "US-NC": (True, "release", NC_B3, "NC-4"),  # a subpoena alone is enough
        "US-GA": (True, "release", GA_A3, "GA-6"),  # a subpoena alone is enough
        "US-MI": (False, "refuse", MI_2, "MI-8"),
        "US-WA": (None, "needs_information", WA, "WA-3"),
        "US-VA": (None, "needs_information", VA, "VA-4"),
    },
    "order_with_finding": {
        "US-MO": (True, "release", MO_4, "MO-3"),
        # 22.7(13): also "a particular person ... suspected"; not given here.
        "US-IA": (None, "needs_information", IA_13, "IA-2"),
        "US-NY": (True, "release", NY, "NY-3"),
        "US-FL": (True, "release", FL_3A, "FL-1"),
        "US-WI": (True, "release", WI_1M, "WI-3"),
        "US-SD": (True, "release", SD, "SD-2"),
        "US-IL": (True, "release", IL_A1, "IL-2"),
        "US-NJ": (True, "release", NJ_C, "NJ-3"),
        "US-TX": (True, "release", TX_A3, "TX-4"),
        "US-CA": (None, "needs_information", CA_C3, "CA-3"),  # which court issued it?
        "US-OH": (None, "needs_information", OH, "OH-4"),
        "US-PA": (None, "needs_information", PA, "PA-2"),  # a criminal proceeding?
        "US-NC": (True, "release", NC_B3, "NC-5"),
        "US-GA": (True, "release", GA_A3, "GA-6"),
        "US-MI": (None, "needs_information", MI_2A, "MI-6"),  # notice and hearing?
        "US-WA": (None, "needs_information", WA, "WA-3"),
        "US-VA": (None, "needs_information", VA, "VA-4"),
    },
    "order_without_finding": {
        "US-MO": (False, "refuse", MO_4, "MO-4"),  # "upon a finding"
        "US-IA": (False, "refuse", IA_13, "IA-3"),  # "only upon a judicial determination"
        "US-NY": (True, "release", NY, "NY-3"),
        "US-FL": (True, "release", FL_3A, "FL-1"),
        "US-WI": (True, "release", WI_1M, "WI-3"),
        "US-SD": (True, "release", SD, "SD-2"),
        "US-IL": (True, "release", IL_A1, "IL-2"),
        "US-NJ": (True, "release", NJ_C, "NJ-3"),
        "US-TX": (None, "needs_information", TX_A3, "TX-5"),
        "US-CA": (None, "needs_information", CA_C3, "CA-3"),
        "US-OH": (None, "needs_information", OH, "OH-4"),
        "US-PA": (None, "needs_information", PA, "PA-2"),
        "US-NC": (True, "release", NC_B3, "NC-5"),
        "US-GA": (True, "release", GA_A3, "GA-6"),
        "US-MI": (None, "needs_information", MI_2A, "MI-6"),
        "US-WA": (None, "needs_information", WA, "WA-3"),
        "US-VA": (None, "needs_information", VA, "VA-4"),
    },
    "parent_under_cut_off": {  # age 15 (FL, WI), 17 (SD and the states without access)
        "US-MO": (False, "refuse", MO, "MO-6"),  # 182.817.1: no parent exception
        # 22.7: only the lawful custodian's release, through the library's policy (none here)
        "US-IA": (False, "refuse", IA_CUSTODIAN, "IA-8"),
        "US-NY": (False, "refuse", NY, None),
        "US-FL": (False, "refuse", FL, None),  # only for fines and overdues (none stated)
        "US-WI": (None, "needs_information", WI_4, "WI-4"),  # 43.30(4): a custodial parent?
        "US-SD": (True, "release", SD, "SD-3"),
        "US-IL": (False, "refuse", IL_A, None),
        "US-NJ": (False, "refuse", NJ, None),
        "US-TX": (None, "needs_information", TX_A2, "TX-3"),  # 552.023 could not be read
        "US-CA": (False, "refuse", CA, None),
        "US-OH": (None, "needs_information", OH, "OH-3"),
        "US-PA": (False, "refuse", PA, None),
        "US-NC": (False, "refuse", NC_A, "NC-8"),
        "US-GA": (None, "needs_information", GA_A2, "GA-4"),  # parent's written consent
        "US-MI": (None, "needs_information", MI_2, "MI-4"),  # is the parent liable?
        "US-WA": (False, "refuse", WA, "WA-6"),
        "US-VA": (None, "needs_information", VA_2017, "VA-1"),  # text not read
    },
    "parent_at_cut_off": {  # age 16 (FL, WI), 18 (SD and the states without access)
        "US-MO": (False, "refuse", MO, "MO-6"),
        "US-IA": (False, "refuse", IA_CUSTODIAN, "IA-8"),
        "US-NY": (False, "refuse", NY, None),
        "US-FL": (False, "refuse", FL, None),
        "US-WI": (False, "refuse", WI_1M, None),
        "US-SD": (False, "refuse", SD, None),
        "US-IL": (False, "refuse", IL_A, None),
        "US-NJ": (False, "refuse", NJ, None),
        "US-TX": (False, "refuse", TX, None),
        "US-CA": (False, "refuse", CA, None),
        "US-OH": (False, "refuse", OH, None),
        "US-PA": (False, "refuse", PA, None),
        "US-NC": (False, "refuse", NC_A, "NC-8"),
        "US-GA": (None, "needs_information", GA_A2, "GA-5"),  # a ward's guardian only
        "US-MI": (False, "refuse", MI_2, "MI-5"),
        "US-WA": (False, "refuse", WA, "WA-6"),
        "US-VA": (False, "refuse", VA, "VA-7"),
    },
    "collection_after_bill": {
        "US-MO": (False, "refuse", MO, "MO-6"),
        # Iowa and New York: only under the library's own policy; none given here.
        "US-IA": (False, "refuse", IA_CUSTODIAN, "IA-8"),
        # New York, Florida, Texas: the purpose (fines and overdues) is not stated.
        "US-NY": (False, "refuse", NY, None),
        "US-FL": (False, "refuse", FL, None),
        # 43.30(6): delinquent accounts only; no purpose stated here.
        "US-WI": (False, "refuse", WI_1M, None),
        "US-SD": (False, "refuse", SD, None),
        "US-IL": (False, "refuse", IL_A, None),
        "US-NJ": (False, "refuse", NJ, None),
        "US-TX": (False, "refuse", TX, None),
        "US-CA": (False, "refuse", CA, None),
        "US-OH": (False, "refuse", OH, None),
        "US-PA": (False, "refuse", PA, None),
        "US-NC": (False, "refuse", NC_A, "NC-8"),  # no purpose stated
        "US-GA": (False, "refuse", GA_A, "GA-9"),
        "US-MI": (False, "refuse", MI_2, "MI-12"),  # no purpose stated
        "US-WA": (False, "refuse", WA, "WA-6"),
        "US-VA": (False, "refuse", VA, "VA-7"),
    },
    "emergency": {
        "US-MO": (False, "refuse", MO, "MO-6"),
        "US-IA": (False, "refuse", IA_13, "IA-3"),
        "US-NY": (False, "refuse", NY, None),
        "US-FL": (False, "refuse", FL, None),
        "US-WI": (False, "refuse", WI_1M, None),
        "US-SD": (False, "refuse", SD, None),
        # 70/1(a)(2): never "materials borrowed" (the loans asked for here).
        "US-IL": (False, "refuse", IL_A2, "IL-4"),
        "US-NJ": (False, "refuse", NJ, None),
        "US-TX": (False, "refuse", TX, None),
        "US-CA": (False, "refuse", CA, None),
        "US-OH": (None, "needs_information", OH, "OH-5"),  # exigent circumstances
        "US-PA": (False, "refuse", PA, None),
        "US-NC": (False, "refuse", NC_A, "NC-8"),
        "US-GA": (False, "refuse", GA_A, "GA-9"),
        "US-MI": (False, "refuse", MI_2, "MI-12"),
        "US-WA": (False, "refuse", WA, "WA-6"),
        "US-VA": (False, "refuse", VA, "VA-7"),
    },
}


@dataclass(frozen=True)
class Row:
    """One request and what the law (as the pack encodes it) answers."""

    name: str
    state: str
    facts: dict[str, Any]
    permitted: bool | None
    outcome: str
    citation: str
    rule: str | None
    policy: str | None = None  # a key of POLICIES
    records: tuple[str, ...] = ("loans",)
    extra_citations: tuple[str, ...] = field(default=())


def _policy(state: str, rule: dict[str, Any]) -> Policy:
    return parse_policy(
        {"library": "scenario-library", "jurisdiction": state, "rules": [rule]}, "scenario"
    )


_OVERDUE_POLICY_RULE = {
    "id": "LIB-overdue",
    "requester": ["parent", "collection_agency", "law_enforcement"],
    "instrument": "none",
    "records": ["loans", "registration"],
    "conditions": {"bill_sent": True},
    "outcome": "release_overdue_only",
    "citation": "Library policy 5c",
    "verified": False,
}
POLICIES: dict[str, Callable[[], Policy]] = {
    "IA-overdue": lambda: _policy("US-IA", _OVERDUE_POLICY_RULE),
}

CORE_ROWS = [
    Row(f"{scenario}:{state}", state, scenario_facts(scenario, state), *expected)
    for scenario, by_state in TABLE.items()
    for state, expected in by_state.items()
]

# The remaining rules of the source states, and the variants of the scenarios that turn on
# one more fact (who issued a subpoena, the patron's age unknown, the amount owed).
EXTRA_ROWS = [
    # Missouri
    Row("patron-without-form", "US-MO", {"requester": "patron"}, None, "needs_information",
        MO_2, "MO-2"),
    Row("attorney-with-consent", "US-MO", {"requester": "attorney",
        "instrument": "written_consent"}, True, "release", MO_1, "MO-1"),
    Row("warrant-with-finding", "US-MO", {"requester": "law_enforcement",
        "instrument": "search_warrant", "finding": "prosecution"}, True, "release", MO_4, "MO-3"),
    Row("attorney-subpoena-with-finding", "US-MO", {"requester": "attorney",
        "instrument": "subpoena", "finding": "prosecution"}, False, "refuse", MO, "MO-5"),
    Row("police-overdue", "US-MO", {"requester": "law_enforcement", "bill_sent": True},
        False, "refuse", MO, "MO-6"),
    Row("open-records", "US-MO", {"requester": "public", "instrument": "open_records_request"},
        False, "refuse", MO, "MO-6"),
    Row("vendor-operation", "US-MO", {"requester": "vendor", "purpose": "library_operation"},
        False, "refuse", MO, "MO-6"),
    # 182.815(5) does not name recordings: the Sunshine Law, with counsel.
    Row("camera-open-records", "US-MO", {"requester": "public",
        "instrument": "open_records_request"}, None, "needs_information", "RSMo 610.011", None,
        records=("camera_recordings",)),
    # Iowa
    Row("patron-asks", "US-IA", {"requester": "patron"}, True, "release", IA_CUSTODIAN, "IA-1"),
    Row("police-order-particular-suspect", "US-IA", {"requester": "law_enforcement",
        "instrument": "court_order", "finding": "rational_connection_cogent_compelling",
        "particular_suspect": True}, True, "release", IA_13, "IA-2"),
    # 22.7: the custodian's release to someone the patron names rests on the library's policy.
    Row("attorney-with-consent", "US-IA", {"requester": "attorney",
        "instrument": "written_consent"}, False, "refuse", IA_CUSTODIAN, "IA-8"),
    Row("attorney-court-order", "US-IA", {"requester": "attorney", "instrument": "court_order",
        "finding": "rational_connection_cogent_compelling"}, True, "release", IA_13, "IA-4"),
    Row("attorney-court-order-without-determination", "US-IA", {"requester": "attorney",
        "instrument": "court_order"}, None, "needs_information", "Iowa Code 22.7, 22.7(13)",
        "IA-5"),
    Row("attorney-subpoena", "US-IA", {"requester": "attorney", "instrument": "subpoena"},
        False, "refuse", IA_13, "IA-6"),
    Row("collection-after-bill-with-policy", "US-IA", {"requester": "collection_agency",
        "bill_sent": True}, True, "release_overdue_only", IA_CUSTODIAN, "IA-8",
        policy="IA-overdue", extra_citations=("Library policy 5c",)),
    Row("parent-after-bill-with-policy", "US-IA", {"requester": "parent", "age": 12,
        "bill_sent": True}, True, "release_overdue_only", IA_CUSTODIAN, "IA-8",
        policy="IA-overdue"),
    Row("parent-searches-after-bill", "US-IA", {"requester": "parent", "age": 12,
        "bill_sent": True}, False, "refuse", IA_CUSTODIAN, "IA-8", policy="IA-overdue",
        records=("searches",)),
    # 22.7(13): never to the police without the judicial determination, whatever the policy.
    Row("police-after-bill-with-policy", "US-IA", {"requester": "law_enforcement",
        "bill_sent": True}, False, "refuse", IA_13, "IA-3", policy="IA-overdue"),
    Row("collection-before-bill", "US-IA", {"requester": "collection_agency"}, False, "refuse",
        IA_CUSTODIAN, "IA-8"),
    Row("vendor-operation", "US-IA", {"requester": "vendor", "purpose": "library_operation"},
        False, "refuse", IA_CUSTODIAN, "IA-8"),
    Row("open-records", "US-IA", {"requester": "public", "instrument": "open_records_request"},
        False, "refuse", IA_13, "IA-7"),
    # Recordings are outside 22.7(13): chapter 22 decides, with counsel.
    Row("camera-open-records", "US-IA", {"requester": "public",
        "instrument": "open_records_request"}, None, "needs_information", IA_CH22, None,
        records=("camera_recordings",)),
    # New York
    Row("attorney-with-consent", "US-NY", {"requester": "attorney",
        "instrument": "written_consent"}, True, "release", NY, "NY-2"),
    Row("attorney-subpoena", "US-NY", {"requester": "attorney", "instrument": "subpoena"},
        True, "release", NY, "NY-3"),
    Row("collection-for-overdues", "US-NY", {"requester": "collection_agency",
        "purpose": "fines_and_overdues"}, True, "release_overdue_only", NY, "NY-5"),
    Row("vendor-operation", "US-NY", {"requester": "vendor", "purpose": "library_operation"},
        True, "release", NY, "NY-4"),
    Row("open-records", "US-NY", {"requester": "public", "instrument": "open_records_request"},
        False, "refuse", NY, None),
    # Other states: the fact a rule turns on.
    Row("parent-age-unknown", "US-FL", {"requester": "parent", "purpose": "fines_and_overdues"},
        None, "needs_information", FL_PARENT, "FL-4"),
    Row("parent-age-unknown", "US-WI", {"requester": "parent", "custodial": True}, None,
        "needs_information", WI_4, "WI-4"),
    Row("custodial-parent-of-15", "US-WI", {"requester": "parent", "age": 15,
        "custodial": True}, True, "release", WI_4, "WI-4"),
    Row("collection-delinquent-account", "US-WI", {"requester": "collection_agency",
        "purpose": "fines_and_overdues"}, True, "release_contact_and_amount_owed", WI_6, "WI-6"),
    Row("parent-age-unknown", "US-SD", {"requester": "parent"}, None, "needs_information", SD,
        "SD-3"),
    Row("police-owed-50", "US-WI", {"requester": "law_enforcement", "amount_owed": 50,
        "purpose": "fines_and_overdues"}, True, "release_contact_and_amount_owed",
        "Wis. Stat. 43.30(6)(b), (6)(c)2.", "WI-7"),
    Row("police-owed-49.99", "US-WI", {"requester": "law_enforcement",
        "amount_owed": "49.99", "purpose": "fines_and_overdues"}, False, "refuse", WI_1M, None),
    Row("subpoena-by-court", "US-NJ", {"requester": "law_enforcement",
        "instrument": "subpoena", "issued_by": "court"}, True, "release", NJ_C, "NJ-4"),
    Row("subpoena-by-agency", "US-NJ", {"requester": "law_enforcement",
        "instrument": "subpoena", "issued_by": "agency"}, False, "refuse", NJ_C, "NJ-6"),
    Row("subpoena-after-showing", "US-TX", {"requester": "law_enforcement",
        "instrument": "subpoena", "finding": "public_safety"}, True, "release", TX_A3, "TX-4"),
    Row("emergency-public", "US-IL", {"requester": "public", "instrument": "emergency"}, False,
        "refuse", IL_A, None),
    Row("emergency-sworn-officer-identity", "US-IL", {"requester": "law_enforcement",
        "instrument": "emergency", "sworn_officer": True}, True, "release_identity_only",
        IL_A2, "IL-3", records=("registration",)),
]  # fmt: skip

ROWS = CORE_ROWS + EXTRA_ROWS


def _packs() -> dict[str, Pack]:
    packs, errors = load_all()
    assert not errors, errors
    return packs


def rules_named(decision: Decision, pack: Pack) -> set[str]:
    """The pack rules the decision's reasons name ("rule MO-6", "Rule MO-6 is marked...")."""
    text = " ".join(decision.reasons)
    return {
        rule.id
        for rule in pack.rules
        if re.search(rf"\brule {re.escape(rule.id)}(?![A-Za-z0-9_])", text, re.IGNORECASE)
    }


def run(row: Row) -> Decision:
    policy = POLICIES[row.policy]() if row.policy else None
    facts = dict(row.facts)
    requester = facts.pop("requester")
    instrument = facts.pop("instrument", "none")
    return decide(row.state, requester, instrument, row.records, policy, **facts)


def test_every_shipped_pack_is_in_the_table() -> None:
    """A new pack must be given its scenarios here."""
    assert set(_packs()) == SHIPPED
    for scenario, by_state in TABLE.items():
        assert set(by_state) == SHIPPED, f"{scenario}: {sorted(SHIPPED ^ set(by_state))}"
    assert set(TABLE) == set(SCENARIOS)


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.state}:{r.name}" for r in ROWS])
def test_scenario(row: Row) -> None:
    decision = run(row)
    pack = _packs()[row.state]
    assert (decision.permitted, decision.outcome) == (row.permitted, row.outcome), decision.reasons
    assert row.citation in decision.citations, decision.citations
    for citation in row.extra_citations:
        assert citation in decision.citations
    named = rules_named(decision, pack)
    if row.rule is None:
        assert named == set(), decision.reasons  # deny by default, or a public record
    else:
        assert row.rule in named, decision.reasons
        decider = next(r for r in pack.rules if r.id == row.rule)
        # The row names the statute the deciding rule cites, not merely one on the page.
        assert decider.citation == row.citation
    assert decision.steps[-1] == "custodian_decision"  # CC-5
    if row.facts.get("instrument") in ("subpoena", "court_order", "search_warrant"):
        assert "consult_counsel" in decision.steps  # CR-5a
    assert "not legal advice" in decision.reasons[-1].lower()


@pytest.mark.parametrize("state", SOURCE_STATES)
def test_every_source_state_rule_is_tested_by_a_row_naming_its_statute(state: str) -> None:
    pack = _packs()[state]
    exercised: dict[str, set[str]] = {}
    for row in ROWS:
        if row.state != state:
            continue
        decision = run(row)
        for rule_id in rules_named(decision, pack):
            exercised.setdefault(rule_id, set()).update(decision.citations)
    rules = {rule.id: rule for rule in pack.rules}
    assert set(exercised) == set(rules), f"untested: {sorted(set(rules) - set(exercised))}"
    for rule_id, citations in exercised.items():
        assert rules[rule_id].citation in citations, rule_id


def test_scenario_rows_are_distinct() -> None:
    ids = [f"{r.state}:{r.name}" for r in ROWS]
    assert len(ids) == len(set(ids))
