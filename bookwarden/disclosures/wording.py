"""How the disclosure pages say things: findings, outcomes and steps in words, each with its
citation, and the rule decision's reasons without requirement ids or raw codes.

Nothing here changes what the rules decide (:mod:`.rules.evaluate` does); it only turns the
codes of the rule packs (``rational_connection_cogent_compelling``, ``consult_counsel``,
``needs_information``) into sentences a custodian reads.  The requirement ids that the rules
name in their reasons (NM-1, CR-5a, CC-5 ...) stay in the code, the command line and the
docs; the pages drop them (issue 10).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .rules.loader import load_pack
from .rules.schema import (
    NEEDS_INFORMATION,
    OUTCOME_TEXT,
    REFUSE,
    RELEASE,
    RELEASE_CONTACT_AND_AMOUNT_OWED,
    RELEASE_IDENTITY_ONLY,
    RELEASE_OVERDUE_ONLY,
    RELEASE_PARENT_IDENTITY_ONLY,
    STEP_CONSULT_COUNSEL,
    STEP_CUSTODIAN_DECISION,
    STEP_VERIFY_IDENTITY,
    STEP_VERIFY_INSTRUMENT,
)

#: What a court order states as its reason for asking, in words.
FINDING_TEXT: dict[str, str] = {
    "none": "No particular finding stated",
    "public_safety": "Disclosure is necessary to protect public safety",
    "prosecution": "Disclosure is necessary to prosecute a crime",
    "rational_connection_cogent_compelling": (
        "A rational connection to a legitimate end, and a cogent and compelling need "
        "(a judicial determination)"
    ),
    "good_cause": "Good cause shown",
    "necessary_to_prosecution": "The records are necessary to the prosecution of a case",
}

#: Each outcome of a rule as a short label (lists, the policy page).
OUTCOME_LABELS: dict[str, str] = {
    RELEASE: "Release",
    RELEASE_OVERDUE_ONLY: "Release for overdue recovery only",
    RELEASE_CONTACT_AND_AMOUNT_OWED: "Release only name, contact information and amount owed",
    RELEASE_IDENTITY_ONLY: "Release only to identify a suspect, witness or victim",
    RELEASE_PARENT_IDENTITY_ONLY: "Release only the identity of the parent or guardian",
    REFUSE: "Refuse",
    NEEDS_INFORMATION: "More information needed",
}

#: Why each step comes before a release, in the custodian's words.
STEP_WHY: dict[str, str] = {
    STEP_VERIFY_IDENTITY: (
        "Check that the requester is who they say they are and may ask for these records."
    ),
    STEP_VERIFY_INSTRUMENT: (
        "Check that the document the request rests on is genuine, in force and names these records."
    ),
    STEP_CONSULT_COUNSEL: (
        "On a subpoena, court order or warrant, seek legal counsel and answer on counsel's advice."
    ),
    STEP_CUSTODIAN_DECISION: (
        "Only the custodian of library records (the director or a designee) decides."
    ),
}

#: Where each step comes from when no statute section names it.
STEP_BASIS: dict[str, str] = {
    STEP_CONSULT_COUNSEL: "The library's procedure for requests for records",
    STEP_CUSTODIAN_DECISION: "The library's procedure for requests for records",
}

#: A requirement id as the requirements list writes them (CC-9, CR-5b, IT-4, LV-12, NM-2).
REQUIREMENT_ID = re.compile(r"(?<![\w-])(?:CC|CR|IT|LV|NM)-\d+[a-z]?\b")
_IDS_IN_BRACKETS = re.compile(r"\s*\((?:(?:CC|CR|IT|LV|NM)-\d+[a-z]?(?:,\s*|\s+and\s+|;\s*)?)+\)")
_IDS_BEFORE_COLON = re.compile(r"(?:(?:CC|CR|IT|LV|NM)-\d+[a-z]?(?:,\s*)?)+:\s*")
_OUTCOME_IN_BRACKETS = re.compile(r"\((" + "|".join(OUTCOME_TEXT) + r")\)")


def without_requirement_ids(text: str) -> str:
    """``text`` without the requirement ids it names: "(CR-5a)", "(IT-9, LV-12)" and a
    leading "LV-12: " go; the sentence around them stays."""
    text = _IDS_IN_BRACKETS.sub("", text)
    text = _IDS_BEFORE_COLON.sub("", text)
    return REQUIREMENT_ID.sub("", text).replace("  ", " ")


def plain_reason(text: str) -> str:
    """One reason of a rule decision as the page shows it: no requirement ids, and an
    outcome code in brackets said in words."""
    text = _OUTCOME_IN_BRACKETS.sub(lambda m: f"(the records {OUTCOME_TEXT[m.group(1)]})", text)
    return without_requirement_ids(text)


def finding_citations(jurisdiction: str, finding: str) -> list[str]:
    """The statute sections of the library's rule pack whose rules ask for ``finding``."""
    if finding == "none":
        return []
    pack = load_pack(jurisdiction)
    if pack is None:
        return []
    cited = (
        rule.citation
        for rule in pack.rules
        if rule.conditions.finding is not None and finding in rule.conditions.finding
    )
    return list(dict.fromkeys(cited))


@dataclass(frozen=True)
class Finding:
    """A court order's stated finding, in words, with the sections that ask for it."""

    text: str
    citations: list[str]


def finding_of(jurisdiction: str, finding: str) -> Finding:
    return Finding(
        FINDING_TEXT.get(finding, "A finding this version does not know"),
        finding_citations(jurisdiction, finding),
    )


def labels(codes: Iterable[str], names: dict[str, str]) -> str:
    """Codes of a rule (requesters, instruments, records) as words, joined."""
    return ", ".join(names.get(code, "another kind") for code in codes)
