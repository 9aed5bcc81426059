"""The vocabulary and the shapes of the disclosure rules: facts of a request, rules, packs,
decisions and conflicts (NM-1, NM-2, NM-4, CR-1, CR-5a, CR-5b, CR-5c, CR-5g, CC-5).

Pure data: no models, no database.  A rule pack (one per jurisdiction) and a library's
policy use the same :class:`Rule` format, so that they can be compared rule by rule.  The
pack format is version 2 (docs/disclosures.md, "Rule packs, format 2"); every value of the
vocabulary has its plain words here (``REQUESTER_TEXT``, ``PURPOSE_TEXT`` ...).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_noop

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
    "prosecutor",
)

#: Each requester in words.
REQUESTER_TEXT: dict[str, str] = {
    "patron": "the patron",
    "parent": "a parent",
    "law_enforcement": "law enforcement",
    "court": "a court",
    "attorney": "an attorney",
    "collection_agency": "a collection agency",
    "public": "a member of the public",
    "other_library": "another library",
    "vendor": "a vendor",
    "prosecutor": "a prosecuting attorney",
}

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

#: Each instrument in words.
INSTRUMENT_TEXT: dict[str, str] = {
    "none": "no legal instrument",
    "written_consent": "the patron's written consent",
    "court_order": "a court order",
    "subpoena": "a subpoena",
    "search_warrant": "a search warrant",
    "open_records_request": "an open-records request",
    "emergency": "an emergency",
}

#: Why the requester says they want the records (the fact ``purpose``; a rule's ``purpose``).
PURPOSES = ("unstated", "fines_and_overdues", "investigation", "library_operation", "research")

#: Each purpose in words.
PURPOSE_TEXT: dict[str, str] = {
    "unstated": "no purpose stated",
    "fines_and_overdues": "collecting fines or recovering overdue materials",
    "investigation": "a criminal investigation",
    "library_operation": "the proper operation of the library",
    "research": "statistical or research use, identifying no one",
}

#: Every kind of record a request may name, with its label: the kinds Bookwarden stores
#: (:class:`RecordKind`), then security-camera recordings and registration records (the
#: patron's name and contact details), kept elsewhere but asked for all the same (CR-5g).
RECORDS: dict[str, str] = {
    **{kind.value: str(kind.label) for kind in RecordKind},
    # Marked for translation: the patron's notice of a disclosure names them (issue 15).
    "camera_recordings": gettext_noop("Security camera recordings"),
    "registration": gettext_noop("Registration records"),
}

#: What a court order states about why the records are needed.
FINDINGS = (
    "none",
    "public_safety",
    "prosecution",
    "rational_connection_cogent_compelling",
    "good_cause",
    "necessary_to_prosecution",
)

#: Each finding in words.
FINDING_TEXT: dict[str, str] = {
    "none": "no particular finding",
    "public_safety": "disclosure is necessary to protect public safety",
    "prosecution": "disclosure is necessary to prosecute a crime",
    "rational_connection_cogent_compelling": (
        "a rational connection to a legitimate end and a cogent and compelling need"
    ),
    "good_cause": "good cause shown",
    "necessary_to_prosecution": "the records are necessary to the prosecution of a case",
}

#: Who issued a subpoena or an order (New Jersey: only a subpoena issued by a court
#: suffices).  ``court`` is a court of this state.
ISSUERS = ("court", "federal_court", "out_of_state_court", "grand_jury", "attorney", "agency")

#: Each issuer in words.
ISSUER_TEXT: dict[str, str] = {
    "court": "a court of this state",
    "federal_court": "a federal court",
    "out_of_state_court": "a court of another state",
    "grand_jury": "a grand jury",
    "attorney": "an attorney",
    "agency": "an agency",
}

RELEASE = "release"
RELEASE_OVERDUE_ONLY = "release_overdue_only"
RELEASE_CONTACT_AND_AMOUNT_OWED = "release_contact_and_amount_owed"
RELEASE_IDENTITY_ONLY = "release_identity_only"
RELEASE_PARENT_IDENTITY_ONLY = "release_parent_identity_only"
REFUSE = "refuse"
NEEDS_INFORMATION = "needs_information"

#: Outcomes, from most to least released, with how much each one releases (higher releases
#: more).  Every partial release is stricter than ``release``; two different partial
#: releases are not comparable: neither is "stricter" than the other.
OUTCOMES: dict[str, int] = {
    RELEASE: 3,
    RELEASE_OVERDUE_ONLY: 2,
    RELEASE_CONTACT_AND_AMOUNT_OWED: 2,
    RELEASE_IDENTITY_ONLY: 2,
    RELEASE_PARENT_IDENTITY_ONLY: 2,
    NEEDS_INFORMATION: 1,
    REFUSE: 0,
}

#: What each outcome means, in the director's words.
OUTCOME_TEXT: dict[str, str] = {
    RELEASE: "may be released",
    RELEASE_OVERDUE_ONLY: (
        "may be released for overdue recovery only (the overdue items and the amount owed)"
    ),
    RELEASE_CONTACT_AND_AMOUNT_OWED: (
        "may serve only to give the patron's name, contact information and the amount owed, "
        "never the items"
    ),
    RELEASE_IDENTITY_ONLY: (
        "may serve only to identify a suspect, witness or victim, never to show the materials used"
    ),
    RELEASE_PARENT_IDENTITY_ONLY: (
        "may serve only to give the identity of the minor patron's parent or guardian, "
        "nothing of the child's records"
    ),
    REFUSE: "must not be released",
    NEEDS_INFORMATION: "cannot be decided without more information",
}

#: Condition keys a rule may carry, and what each needs.  ``purpose`` is also a rule-level
#: key (the format's own place for it); written under ``conditions`` it means the same.
CONDITION_KEYS = (
    "finding",  # list of FINDINGS: the court order's stated finding is one of them
    "min_age",  # the patron is at least this old
    "max_age",  # the patron is at most this old (a minor under 16: max_age 15)
    "bill_sent",  # true/false: a bill for the overdue items was sent
    "min_amount_owed",  # the patron owes at least this many dollars
    "issued_by",  # list of ISSUERS: who issued the subpoena or the order
    "sworn_officer",  # true/false: the requester is a sworn law-enforcement officer
    "crime_at_library",  # true/false: a crime was committed at the library
    "particular_suspect",  # true/false: the investigation concerns a particular suspect
    "publicly_funded",  # true/false: the library is publicly funded
    "custodial",  # true/false: the parent or guardian has custody of the minor
    "purpose",  # list of PURPOSES (same as the rule-level key)
)

#: The yes/no conditions: each reads the fact of the same name (``None`` = not known).
BOOLEAN_CONDITIONS = (
    "bill_sent",
    "sworn_officer",
    "crime_at_library",
    "particular_suspect",
    "publicly_funded",
    "custodial",
)

#: What each yes/no fact means when it is true, in words.
BOOLEAN_TEXT: dict[str, str] = {
    "bill_sent": "a bill for the overdue items was sent",
    "sworn_officer": "the requester is a sworn law-enforcement officer",
    "crime_at_library": "a crime was committed at the library",
    "particular_suspect": "the investigation concerns a particular person suspected of a crime",
    "publicly_funded": "the library is publicly funded",
    "custodial": "the parent or guardian has custody of the minor",
}

#: The facts a rule may need and that a request may leave unknown, each with the command
#: option that gives it.
MISSING_TEXT: dict[str, str] = {
    "age": "the patron's age (--age)",
    "amount_owed": "the amount the patron owes (--amount-owed)",
    "issued_by": "who issued the subpoena or order (--issued-by)",
    "bill_sent": "whether a bill was sent (--bill-sent or --no-bill-sent)",
    "sworn_officer": "whether the requester is a sworn officer (--sworn-officer or "
    "--no-sworn-officer)",
    "crime_at_library": "whether a crime was committed at the library (--crime-at-library or "
    "--no-crime-at-library)",
    "particular_suspect": "whether the investigation concerns a particular suspect "
    "(--particular-suspect or --no-particular-suspect)",
    "publicly_funded": "whether the library is publicly funded (--publicly-funded or "
    "--no-publicly-funded)",
    "custodial": "whether the parent or guardian has custody of the minor (--custodial or "
    "--no-custodial)",
}

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
class SourceText:
    """The words a rule (or a coverage entry) rests on: a short ``quote`` of the statute with
    the ``source`` it was read at and the day it was read (``read_on``), or, when the text
    could not be found, ``unavailable`` saying so.  A quote means "text checked", which is
    not counsel's verification (``verified``)."""

    quote: str = ""
    source: str = ""
    read_on: str = ""
    unavailable: str = ""

    @property
    def checked(self) -> bool:
        return bool(self.quote)

    def as_dict(self) -> dict[str, str]:
        if self.quote:
            return {"quote": self.quote, "source": self.source, "read_on": self.read_on}
        return {"unavailable": self.unavailable}


@dataclass(frozen=True)
class Statute:
    """One statute a pack encodes: its citation, title, and where and when it was read."""

    cite: str
    title: str = ""
    source: str = ""
    read_on: str = ""

    def __str__(self) -> str:
        return f"{self.cite} ({self.title})" if self.title else self.cite


@dataclass(frozen=True)
class Covers:
    """The law that protects library records, and the record types it covers."""

    law: str
    records: tuple[str, ...]
    text: SourceText | None = None
    note: str = ""


@dataclass(frozen=True)
class Outside:
    """The law a record type the pack does not cover falls to (the public-records law), and
    what follows from it (usually ``needs_information``: counsel decides under that law)."""

    law: str
    citation: str
    outcome: str
    text: SourceText | None = None
    note: str = ""


@dataclass(frozen=True)
class Confidentiality:
    """What the refusals cite when no rule matches, and when a lost card is presented."""

    citation: str
    text: SourceText | None = None
    note: str = ""


@dataclass(frozen=True)
class Conditions:
    finding: tuple[str, ...] | None = None
    min_age: int | None = None
    max_age: int | None = None
    bill_sent: bool | None = None
    min_amount_owed: Decimal | None = None
    issued_by: tuple[str, ...] | None = None
    sworn_officer: bool | None = None
    crime_at_library: bool | None = None
    particular_suspect: bool | None = None
    publicly_funded: bool | None = None
    custodial: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in CONDITION_KEYS:
            value = getattr(self, key, None)
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
    #: The purposes the rule applies to; ``None``: any purpose.
    purposes: tuple[str, ...] | None = None
    #: The statute's words the rule rests on; ``None`` in a pack written before format 2.
    text: SourceText | None = None

    @property
    def text_checked(self) -> bool:
        """The rule quotes the text it rests on (separate from counsel's ``verified``)."""
        return self.text is not None and self.text.checked


@dataclass(frozen=True)
class ClassificationEntry:
    record_type: str
    classification: str  # "confidential" or "public"
    citation: str
    note: str
    verified: bool
    text: SourceText | None = None


@dataclass(frozen=True)
class Pack:
    """The law of one jurisdiction, in one version: header, coverage, classification of every
    record type, rules.

    ``classification`` has every record type: the entries the pack gives, and for the others
    what ``covers`` and ``outside`` make of them (``classified`` lists the given ones)."""

    jurisdiction: str
    name: str
    statutes: tuple[str, ...]
    disclaimer: str
    classification: dict[str, ClassificationEntry]
    rules: tuple[Rule, ...]
    source: Path
    version: str = ""
    effective: datetime.date | None = None
    statute_entries: tuple[Statute, ...] = ()
    covers: Covers | None = None
    outside: Outside | None = None
    confidentiality: Confidentiality | None = None
    classified: tuple[str, ...] = ()

    @property
    def unverified(self) -> list[str]:
        return [r.id for r in self.rules if not r.verified]

    @property
    def unchecked(self) -> list[str]:
        """Rules whose text has not been checked (no quote)."""
        return [r.id for r in self.rules if not r.text_checked]

    def is_covered(self, record: str) -> bool:
        """The record type is protected by the pack's library-records law (its rules apply).
        Without ``covers`` (a pack written before format 2) every record type not classified
        public is; with it, the listed ones and any the pack classifies confidential."""
        given = self.classification.get(record) if record in self.classified else None
        if given is not None:
            return given.classification != "public"
        if self.covers is None:
            return True
        return record in self.covers.records

    def first_statute(self) -> str:
        if self.statute_entries:
            return self.statute_entries[0].cite
        return self.statutes[0] if self.statutes else ""

    def confidentiality_citation(self, record: str | None = None) -> str:
        """What a refusal cites: ``confidentiality``, else the record type's own
        classification citation, else the pack's first statute."""
        if self.confidentiality is not None:
            return self.confidentiality.citation
        if record is not None and record in self.classified:
            return self.classification[record].citation
        return self.first_statute()

    def law_for(self, record: str) -> str:
        """Which law governs the record type: the library-records statute, or the
        public-records law it falls to."""
        if record in self.classified and self.classification[record].classification == "public":
            return self.classification[record].citation
        if self.is_covered(record):
            return self.covers.law if self.covers is not None else self.first_statute()
        if self.outside is not None:
            return self.outside.law
        return self.confidentiality_citation(record)


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
    """What is known about one request.  ``age`` and ``amount_owed`` are the patron's.  For
    every fact that may be unknown, ``None`` means not known: a rule that needs it then asks
    for it (needs_information, naming the fact)."""

    jurisdiction: str
    requester: str
    instrument: str = "none"
    records: tuple[str, ...] = ()
    finding: str = "none"
    age: int | None = None
    bill_sent: bool | None = False
    card_lost: bool = False
    amount_owed: Decimal | None = None
    issued_by: str | None = None
    purpose: str = "unstated"
    sworn_officer: bool | None = None
    crime_at_library: bool | None = None
    particular_suspect: bool | None = None
    publicly_funded: bool | None = None
    custodial: bool | None = None


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
    """The answer: ``permitted`` is True, False, or None (more information is needed).

    ``law`` names the law that governs each record type asked for; ``explanation`` says, per
    record type, what decided it (the rule, the facts it used, the words it rests on) and
    the near misses (docs/disclosures.md, "Rule packs, format 2")."""

    permitted: bool | None
    outcome: str
    reasons: list[str] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    pack_version: str | None = None
    pack_effective: str | None = None
    law: dict[str, str] = field(default_factory=dict)
    explanation: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "permitted": self.permitted,
            "outcome": self.outcome,
            "reasons": list(self.reasons),
            "citations": list(self.citations),
            "steps": list(self.steps),
            "conflicts": [c.as_dict() for c in self.conflicts],
            "pack_version": self.pack_version,
            "pack_effective": self.pack_effective,
            "law": dict(self.law),
            "explanation": [dict(e) for e in self.explanation],
        }
