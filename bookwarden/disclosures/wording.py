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
from typing import Any

from django.utils.translation import gettext_noop

from .rules.loader import load_pack
from .rules.schema import (
    NEEDS_INFORMATION,
    OUTCOME_TEXT,
    REFUSE,
    RELEASE,
    RELEASE_IDENTITY_ONLY,
    RELEASE_OVERDUE_ONLY,
    STEP_CONSULT_COUNSEL,
    STEP_CUSTODIAN_DECISION,
    STEP_VERIFY_IDENTITY,
    STEP_VERIFY_INSTRUMENT,
)
from .scopes import RELEASE_CONTACT_AND_AMOUNT_OWED, RELEASE_PARENT_IDENTITY_ONLY

#: What a court order states as its reason for asking, in words.
FINDING_TEXT: dict[str, str] = {
    "none": "No particular finding stated",
    "public_safety": "Disclosure is necessary to protect public safety",
    "prosecution": "Disclosure is necessary to prosecute a crime",
    "rational_connection_cogent_compelling": (
        "A rational connection to a legitimate end, and a cogent and compelling need "
        "(a judicial determination)"
    ),
    "good_cause": "Good cause is shown for the records",
    "necessary_to_prosecution": "The records are necessary to the prosecution",
}

#: Who asks, as the intake form and the request page name them (the rule packs' requesters,
#: ``prosecutor`` included).
REQUESTER_WORDS: dict[str, str] = {
    "patron": "The patron",
    "parent": "A parent or guardian",
    "law_enforcement": "Law enforcement (an agency or officer)",
    "court": "A court (a judge or clerk)",
    "prosecutor": "A prosecutor (district or state's attorney)",
    "attorney": "An attorney",
    "collection_agency": "A collection agency",
    "public": "A member of the public",
    "other_library": "Another library",
    "vendor": "A vendor",
}
#: The same, inside a sentence ("released to a collection agency").
REQUESTER_IN_SENTENCE: dict[str, str] = {
    "patron": gettext_noop("the patron"),
    "parent": gettext_noop("a parent or guardian"),
    "law_enforcement": gettext_noop("law enforcement"),
    "court": gettext_noop("a court"),
    "prosecutor": gettext_noop("a prosecutor"),
    "attorney": gettext_noop("an attorney"),
    "collection_agency": gettext_noop("a collection agency"),
    "public": gettext_noop("a member of the public"),
    "other_library": gettext_noop("another library"),
    "vendor": gettext_noop("a vendor"),
}

#: What the requester says the records are for (the packs' purposes).
PURPOSE_TEXT: dict[str, str] = {
    "unstated": "Not stated",
    "fines_and_overdues": "Collecting fines or recovering overdue materials",
    "investigation": "A criminal investigation",
    "library_operation": "The proper operation of the library",
    "research": "Statistics or research, without identifying anyone",
}

#: Who issued a subpoena or an order.
ISSUER_TEXT: dict[str, str] = {
    "court": "A court of this state",
    "federal_court": "A federal court",
    "out_of_state_court": "A court of another state",
    "grand_jury": "A grand jury",
    "attorney": "An attorney",
    "agency": "A government agency",
}

#: Each outcome of a rule as a short label (lists, the policy page).
OUTCOME_LABELS: dict[str, str] = {
    RELEASE: "Release",
    RELEASE_OVERDUE_ONLY: "Release for overdue recovery only",
    RELEASE_CONTACT_AND_AMOUNT_OWED: "Release only the name, contact information and amount owed",
    RELEASE_IDENTITY_ONLY: "Release only to identify a suspect, witness or victim",
    RELEASE_PARENT_IDENTITY_ONLY: "Release only who the minor's parent or guardian is",
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


#: The facts of a request as the decision page names them.
FACT_NAMES: dict[str, str] = {
    "requester": "Who asks",
    "instrument": "What the request rests on",
    "records": "Records asked for",
    "finding": "What the order finds",
    "age": "The patron's age",
    "bill_sent": "A bill was sent",
    "card_lost": "The card was reported lost or stolen",
    "amount_owed": "Amount owed",
    "issued_by": "Issued by",
    "purpose": "What the records are for",
    "sworn_officer": "The requester is a sworn officer",
    "crime_at_library": "The crime was committed at the library",
    "particular_suspect": "A particular person is suspected of a known crime",
    "publicly_funded": "The library is publicly funded",
    "custodial": "The parent or guardian has custody",
}

_YES_NO_IF: dict[str, tuple[str, str]] = {
    "bill_sent": ("a bill had been sent", "no bill had been sent yet"),
    "sworn_officer": (
        "the requester were a sworn law-enforcement officer",
        "the requester were not a sworn officer",
    ),
    "crime_at_library": (
        "the crime had been committed at the library",
        "the crime had not been committed at the library",
    ),
    "particular_suspect": (
        "the investigation concerned a particular person suspected of a known crime",
        "the investigation did not concern a particular suspect",
    ),
    "publicly_funded": ("the library were publicly funded", "the library were not publicly funded"),
    "custodial": (
        "the parent or guardian had custody of the minor",
        "the parent or guardian did not have custody",
    ),
    "card_lost": ("the card had been reported lost", "the card had not been reported lost"),
}

_YES_NO_IS: dict[str, tuple[str, str]] = {
    "bill_sent": ("a bill was sent", "no bill was sent yet"),
    "sworn_officer": (
        "the requester is a sworn law-enforcement officer",
        "the requester is not a sworn officer",
    ),
    "crime_at_library": (
        "the crime was committed at the library",
        "the crime was not committed at the library",
    ),
    "particular_suspect": (
        "the investigation concerns a particular person suspected of a known crime",
        "the investigation does not concern a particular suspect",
    ),
    "publicly_funded": ("the library is publicly funded", "the library is not publicly funded"),
    "custodial": (
        "the parent or guardian has custody of the minor",
        "the parent or guardian does not have custody",
    ),
}


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _listed(values: Any, names: dict[str, str], joiner: str = "or") -> str:
    items = list(values) if isinstance(values, list | tuple) else [values]
    words = [_lower_first(names.get(str(v), str(v))) for v in items]
    if len(words) <= 1:
        return words[0] if words else ""
    return ", ".join(words[:-1]) + f" {joiner} " + words[-1]


def fact_value(name: str, value: Any) -> str:
    """One fact's value in words ("Yes", "12", "A court of this state", "Not known")."""
    if value is None or value == "":
        return "Not known"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    named = {
        "requester": REQUESTER_WORDS,
        "purpose": PURPOSE_TEXT,
        "issued_by": ISSUER_TEXT,
        "finding": FINDING_TEXT,
    }.get(name)
    if named is not None:
        return named.get(str(value), str(value))
    if name == "amount_owed":
        return f"{value} dollars"
    if name == "records":
        from .rules.schema import RECORDS

        values = value if isinstance(value, list | tuple) else [value]
        return ", ".join(RECORDS.get(str(v), str(v)) for v in values)
    if name == "instrument":
        from .rules.evaluate import INSTRUMENT_TEXT

        return INSTRUMENT_TEXT.get(str(value), str(value)).capitalize()
    return str(value)


def condition_if(name: str, value: Any) -> str:
    """A condition a near miss needed, after "if": "the patron were under 16"."""
    if name in _YES_NO_IF and isinstance(value, bool):
        return _YES_NO_IF[name][0 if value else 1]
    if name == "max_age":
        return f"the patron were under {int(value) + 1}"
    if name == "min_age":
        return f"the patron were at least {value}"
    if name == "min_amount_owed":
        return f"at least {value} dollars were owed"
    if name == "purpose":
        return f"the records were asked for {_listed(value, PURPOSE_TEXT)}"
    if name == "issued_by":
        return f"it had been issued by {_listed(value, ISSUER_TEXT)}"
    if name == "finding":
        return f"the order found that {_listed(value, FINDING_TEXT)}"
    if name == "requester":
        return f"the requester were {_listed(value, REQUESTER_IN_SENTENCE)}"
    if name == "instrument":
        from .rules.evaluate import INSTRUMENT_TEXT

        return f"the request rested on {_listed(value, INSTRUMENT_TEXT)}"
    if name == "age":
        return f"the patron's age were {value}"
    return f"{FACT_NAMES.get(name, name).lower()} were {fact_value(name, value).lower()}"


def condition_words(conditions: dict[str, Any]) -> list[str]:
    """A rule's conditions in words, for the policy page: "the patron is under 18"."""
    out = []
    for name, value in conditions.items():
        if name in _YES_NO_IS and isinstance(value, bool):
            out.append(_YES_NO_IS[name][0 if value else 1])
        elif name == "max_age":
            out.append(f"the patron is under {int(value) + 1}")
        elif name == "min_age":
            out.append(f"the patron is at least {value}")
        elif name == "min_amount_owed":
            out.append(f"at least {value} dollars are owed")
        elif name == "issued_by":
            out.append(f"issued by {_listed(value, ISSUER_TEXT)}")
        elif name == "finding":
            out.append(f"the order finds that {_listed(value, FINDING_TEXT)}")
        elif name == "purpose":
            out.append(f"for {_listed(value, PURPOSE_TEXT)}")
    return out
