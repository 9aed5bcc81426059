"""The vocabulary and the shapes of the disclosure rules: facts of a request, rules, packs,
decisions and conflicts (NM-1, NM-2, CR-1, CR-5a, CR-5c, CC-5).

Pure data: no models, no database.  A rule pack (one per jurisdiction) and a library's
policy use the same :class:`Rule` format, so that they can be compared rule by rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from bookwarden.patrons.record_kinds import RecordKind

#: Who asks for the records.
REQUESTERS = (
    "patron",
    "parent",
    "law_enforcement",
    "court",
    "attorney",
    "collection_agency",
    "public",
    "other_library",
    "vendor",
)

#: What the request rests on.
INSTRUMENTS = (
    "none",
    "written_consent",
    "court_order",
    "subpoena",
    "search_warrant",
    "open_records_request",
    "emergency",
)

#: Every kind of record a request may name, with its label: the kinds Bookwarden stores
#: (:class:`RecordKind`), then security-camera recordings and registration records (the
#: patron's name and contact details), kept elsewhere but asked for all the same (CR-5g).
RECORDS: dict[str, str] = {
    **{kind.value: str(kind.label) for kind in RecordKind},
    "camera_recordings": "Security camera recordings",
    "registration": "Registration records",
}

#: What a court order states about why the records are needed.
FINDINGS = ("none", "public_safety", "prosecution", "rational_connection_cogent_compelling")

#: Who issued a subpoena (New Jersey: only a subpoena issued by a court suffices).
ISSUERS = ("court", "attorney", "agency")

RELEASE = "release"
RELEASE_OVERDUE_ONLY = "release_overdue_only"
RELEASE_IDENTITY_ONLY = "release_identity_only"
REFUSE = "refuse"
NEEDS_INFORMATION = "needs_information"

#: Outcomes, with how much each one releases (higher releases more).  Two different partial
#: releases are not comparable: neither is "stricter" than the other.
OUTCOMES: dict[str, int] = {
    REFUSE: 0,
    NEEDS_INFORMATION: 1,
    RELEASE_IDENTITY_ONLY: 2,
    RELEASE_OVERDUE_ONLY: 2,
    RELEASE: 3,
}

#: What each outcome means, in the director's words.
OUTCOME_TEXT: dict[str, str] = {
    RELEASE: "may be released",
    RELEASE_OVERDUE_ONLY: (
        "may be released for overdue recovery only (the overdue items and the amount owed)"
    ),
    RELEASE_IDENTITY_ONLY: (
        "may serve only to identify a suspect, witness or victim, never to show the materials used"
    ),
    REFUSE: "must not be released",
    NEEDS_INFORMATION: "cannot be decided without more information",
}

#: Condition keys a rule may carry, and what each needs.
CONDITION_KEYS = (
    "finding",  # list of FINDINGS: the court order's stated finding is one of them
    "min_age",  # the patron is at least this old
    "max_age",  # the patron is at most this old (a minor under 16: max_age 15)
    "bill_sent",  # true/false: a bill for the overdue items was sent
    "min_amount_owed",  # the patron owes at least this many dollars
    "issued_by",  # list of ISSUERS: who issued the subpoena
)

#: The steps before any release (CR-5a, CC-5).
STEP_VERIFY_IDENTITY = "verify_identity"
STEP_VERIFY_INSTRUMENT = "verify_instrument"
STEP_CONSULT_COUNSEL = "consult_counsel"
STEP_CUSTODIAN_DECISION = "custodian_decision"

#: Instruments that send the request to counsel first (CR-5a).
COUNSEL_INSTRUMENTS = ("court_order", "subpoena", "search_warrant")
#: Requesters whose identity (and standing, for a parent or an agency) staff check.
IDENTIFIED_REQUESTERS = (
    "patron",
    "parent",
    "law_enforcement",
    "attorney",
    "collection_agency",
    "other_library",
    "vendor",
)


class PackError(ImproperlyConfigured):
    """A rule pack or a library policy is invalid.  The message names the file, the rule
    (or key) and the problem, e.g. ``US-MO.yaml: rule MO-3: unknown requester 'police'``."""

    def __init__(self, source: str, where: str, problem: str) -> None:
        self.source = source
        self.where = where
        self.problem = problem
        super().__init__(f"{source}: {where}: {problem}")


@dataclass(frozen=True)
class Conditions:
    finding: tuple[str, ...] | None = None
    min_age: int | None = None
    max_age: int | None = None
    bill_sent: bool | None = None
    min_amount_owed: Decimal | None = None
    issued_by: tuple[str, ...] | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in CONDITION_KEYS:
            value = getattr(self, key)
            if value is not None:
                out[key] = list(value) if isinstance(value, tuple) else value
        return out


@dataclass(frozen=True)
class Rule:
    """One rule of a pack or of a library policy."""

    id: str
    requesters: tuple[str, ...]
    instruments: tuple[str, ...]
    records: tuple[str, ...]
    conditions: Conditions
    outcome: str
    citation: str
    verified: bool
    note: str = ""
    #: Pack rules only: the statute leaves this release to the library's own policy (Iowa's
    #: overdue recovery).  Without a matching policy rule the records stay confidential.
    needs_library_policy: bool = False
    verified_by: str = ""
    verified_on: str = ""


@dataclass(frozen=True)
class ClassificationEntry:
    record_type: str
    classification: str  # "confidential" or "public"
    citation: str
    note: str
    verified: bool


@dataclass(frozen=True)
class Pack:
    """The law of one jurisdiction: header, classification of every record type, rules."""

    jurisdiction: str
    name: str
    statutes: tuple[str, ...]
    disclaimer: str
    classification: dict[str, ClassificationEntry]
    rules: tuple[Rule, ...]
    source: Path

    @property
    def unverified(self) -> list[str]:
        return [r.id for r in self.rules if not r.verified]


@dataclass(frozen=True)
class Policy:
    """A library's own disclosure policy: rules in the pack format, layered over the pack."""

    library: str
    name: str
    rules: tuple[Rule, ...]
    source: str
    jurisdiction: str = ""


@dataclass(frozen=True)
class Facts:
    """What is known about one request.  ``age`` and ``amount_owed`` are the patron's;
    ``None`` means not known (a rule that needs them then asks for them)."""

    jurisdiction: str
    requester: str
    instrument: str = "none"
    records: tuple[str, ...] = ()
    finding: str = "none"
    age: int | None = None
    bill_sent: bool = False
    card_lost: bool = False
    amount_owed: Decimal | None = None
    issued_by: str | None = None


@dataclass(frozen=True)
class Conflict:
    """Where a library's policy allows more than its statute (never applied)."""

    policy_rule: str
    rule: str | None  # the pack rule it contradicts; None when no pack rule allows it
    records: tuple[str, ...]
    why: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "policy_rule": self.policy_rule,
            "rule": self.rule,
            "records": list(self.records),
            "why": self.why,
        }


@dataclass
class Decision:
    """The answer: ``permitted`` is True, False, or None (more information is needed)."""

    permitted: bool | None
    outcome: str
    reasons: list[str] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "permitted": self.permitted,
            "outcome": self.outcome,
            "reasons": list(self.reasons),
            "citations": list(self.citations),
            "steps": list(self.steps),
            "conflicts": [c.as_dict() for c in self.conflicts],
        }
