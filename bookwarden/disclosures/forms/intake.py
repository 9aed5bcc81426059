"""The intake of a request for records: who asks, on what, for which patrons and records
(CR-5a, NM-4), each question asked only when it matters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q
from django.forms.utils import ErrorDict
from django.http import QueryDict

from bookwarden.core.models import Library
from bookwarden.patrons.models import Card, Patron

from ..models import (
    FINDING_CHOICES,
    INSTRUMENT_CHOICES,
    ISSUER_CHOICES,
    PURPOSE_CHOICES,
    RECORD_CHOICES,
    REQUESTER_CHOICES,
)
from ..wording import REQUESTER_IN_SENTENCE
from .fields import DATE, yes_no_unknown

#: Instruments that rest on a court's or an agency's document (a non-disclosure order may
#: come with them).
_LEGAL_PAPERS = ("court_order", "subpoena", "search_warrant")
#: Requesters that write for an agency, a firm or an institution.
_ORGANISATIONS = (
    "law_enforcement",
    "court",
    "attorney",
    "collection_agency",
    "other_library",
    "vendor",
)
#: Requesters for whom an overdue bill may matter (the overdue-recovery rules of the packs).
_OVERDUE_RECOVERY = ("parent", "collection_agency", "law_enforcement")
#: Requesters whose stated purpose some states' rules turn on (everyone but the patron and
#: a court).
_PURPOSEFUL = (
    "parent",
    "law_enforcement",
    "prosecutor",
    "attorney",
    "collection_agency",
    "public",
    "other_library",
    "vendor",
)
#: Requesters who investigate or prosecute crimes.
_CRIMINAL_JUSTICE = ("law_enforcement", "prosecutor")

_INSTRUMENT_WORDS = dict(INSTRUMENT_CHOICES)
_REQUESTER_WORDS = REQUESTER_IN_SENTENCE


@dataclass(frozen=True)
class Applies:
    """When a field of the intake form applies: the instruments or requesters it is for."""

    instruments: tuple[str, ...] = ()
    requesters: tuple[str, ...] = ()

    def __call__(self, instrument: str, requester: str) -> bool:
        return (not self.instruments or instrument in self.instruments) and (
            not self.requesters or requester in self.requesters
        )

    @property
    def text(self) -> str:
        """The label's note for a page without JavaScript: "Only for a court order or a
        search warrant"."""
        if self.instruments:
            names = [_INSTRUMENT_WORDS[i].lower() for i in self.instruments]
        else:
            names = [_REQUESTER_WORDS[r] for r in self.requesters]
        words = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        if self.instruments:
            return f"Only when the request rests on {words}."
        return f"Only when the requester is {words}."


#: The intake fields that apply only to some instruments or requesters (issue 10); a field
#: not listed always applies.  The form ignores what was typed in a field that does not
#: apply, and the page hides it (static/disclosures/intake.js) or notes when it applies.
CONDITIONAL_FIELDS: dict[str, Applies] = {
    "requester_agency": Applies(requesters=_ORGANISATIONS),
    "instrument_reference": Applies(instruments=(*_LEGAL_PAPERS, "written_consent")),
    "document": Applies(instruments=(*_LEGAL_PAPERS, "written_consent", "open_records_request")),
    "finding": Applies(instruments=("court_order", "search_warrant")),
    "issued_by": Applies(instruments=_LEGAL_PAPERS),
    "stated_purpose": Applies(requesters=_PURPOSEFUL),
    "sworn_officer": Applies(requesters=("law_enforcement",)),
    "crime_at_library": Applies(requesters=_CRIMINAL_JUSTICE),
    "particular_suspect": Applies(requesters=(*_CRIMINAL_JUSTICE, "court")),
    "custodial": Applies(requesters=("parent",)),
    "gag_order": Applies(instruments=_LEGAL_PAPERS),
    "gag_reference": Applies(instruments=_LEGAL_PAPERS),
    "gag_until": Applies(instruments=_LEGAL_PAPERS),
    "bill_sent": Applies(requesters=_OVERDUE_RECOVERY),
    "amount_owed": Applies(requesters=_OVERDUE_RECOVERY),
}
#: What a field that does not apply counts as.
_NOT_APPLYING: dict[str, Any] = {
    "requester_agency": "",
    "instrument_reference": "",
    "document": None,
    "finding": "none",
    "issued_by": "",
    "stated_purpose": "unstated",
    "sworn_officer": None,
    "crime_at_library": None,
    "particular_suspect": None,
    "custodial": None,
    "gag_order": False,
    "gag_reference": "",
    "gag_until": None,
    "bill_sent": False,
    "amount_owed": None,
}


class _PatronChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        born = f", born {obj.birth_date.year}" if obj.birth_date else ""
        branch = f", {obj.home_branch}" if obj.home_branch_id else ""
        return f"{obj}{born}{branch}"


#: The most patrons one look-up lists (as the patron search page).
LOOKUP_LIMIT = 100


class PatronScopeForm(forms.Form):
    """Which patrons a request names: by card number, or picked from the library's own
    patrons after a search (the search is scoped to what the person may find), or only as
    the request names them, for the custodian to identify later."""

    cards = forms.CharField(
        label="Card numbers, if the request gives them",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="One per line. Leave empty when the request does not give them.",
    )
    find = forms.CharField(
        label="Find the patrons among the library's patrons",
        max_length=100,
        required=False,
        help_text="A name or a card number, then press Look up; tick the patrons the request "
        "names.",
    )
    found = _PatronChoices(
        label="Patrons found: tick the ones the request names",
        queryset=Patron.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(
        self, *args: Any, patrons: Any = None, library: Library | None = None, **kwargs: Any
    ) -> None:
        """``patrons``: the patrons the person may look up (``Patron.objects.for_user``),
        or None when they may not look patrons up."""
        super().__init__(*args, **kwargs)
        self.patrons = patrons
        self.for_library = library
        self.searched = False
        #: How many patrons the look-up found (at most LOOKUP_LIMIT), for the audit log.
        self.found_count = 0
        if patrons is None:
            del self.fields["find"], self.fields["found"]
            return
        found = self.fields["found"]
        assert isinstance(found, forms.ModelMultipleChoiceField)
        ticked = (
            self.data.getlist(self.add_prefix("found")) if isinstance(self.data, QueryDict) else []
        )
        search = (self.data.get(self.add_prefix("find")) or "") if self.is_bound else ""
        matches = (
            list(patrons.search(search).values_list("pk", flat=True)[:LOOKUP_LIMIT])
            if search.strip()
            else []
        )
        self.found_count = len(matches)
        picked = [p for p in ticked if str(p).isdigit()]
        found.queryset = (
            patrons.filter(Q(pk__in=matches) | Q(pk__in=picked))
            .select_related("home_branch")
            .order_by("last_name", "first_name", "pk")
        )
        self.searched = bool(search.strip())

    def scope_library(self) -> Library | None:
        return self.for_library

    def show_lookup(self) -> None:
        """Shown again after "Look up": what was typed, the patrons found, and no errors
        yet (nothing was submitted)."""
        self._errors = ErrorDict()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        library = self.scope_library()
        numbers = [n.strip() for n in (data.get("cards") or "").split() if n.strip()]
        chosen: dict[int, Patron] = {}
        if library is not None and numbers:
            cards = {
                c.number: c
                for c in Card.objects.filter(library=library, number__in=numbers).select_related(
                    "patron"
                )
            }
            missing = [n for n in numbers if n not in cards]
            if missing:
                self.add_error("cards", f"No card of this library has number {missing[0]}.")
            chosen.update({c.patron_id: c.patron for c in cards.values()})
        for patron in data.get("found") or []:
            if library is not None and patron.library_id != library.pk:
                self.add_error("found", "Tick only patrons of the library the request is for.")
                break
            chosen.setdefault(patron.pk, patron)
        data["patrons"] = list(chosen.values())
        return data


class IntakeForm(PatronScopeForm):
    """What staff write down when a request for records arrives (CC-5: then hand it on).
    Only the fields the chosen instrument and requester need apply (CONDITIONAL_FIELDS)."""

    field_order = [
        "library",
        "requester_name",
        "requester_type",
        "requester_agency",
        "requester_contact",
        "sworn_officer",
        "custodial",
        "stated_purpose",
        "crime_at_library",
        "particular_suspect",
        "instrument",
        "instrument_reference",
        "document",
        "issued_by",
        "finding",
        "gag_order",
        "gag_reference",
        "gag_until",
        "patrons_as_named",
        "cards",
        "find",
        "found",
        "record_types",
        "date_from",
        "date_to",
        "deadline",
        "bill_sent",
        "amount_owed",
        "notes",
    ]
    #: The parts of the page, each a fieldset: (legend, fields).
    SECTIONS = (
        (
            "Who asks",
            (
                "library",
                "requester_name",
                "requester_type",
                "requester_agency",
                "requester_contact",
                "sworn_officer",
                "custodial",
                "stated_purpose",
                "crime_at_library",
                "particular_suspect",
            ),
        ),
        (
            "What the request rests on",
            (
                "instrument",
                "instrument_reference",
                "document",
                "issued_by",
                "finding",
                "gag_order",
                "gag_reference",
                "gag_until",
            ),
        ),
        ("Which patrons", ("patrons_as_named", "cards", "find", "found")),
        (
            "Which records",
            ("record_types", "date_from", "date_to", "deadline", "bill_sent", "amount_owed"),
        ),
        ("Anything else", ("notes",)),
    )

    library = forms.ModelChoiceField(
        queryset=Library.objects.none(), to_field_name="slug", empty_label=None
    )
    requester_name = forms.CharField(label="Who asks (name)", max_length=200)
    requester_agency = forms.CharField(
        label="Agency or firm",
        max_length=200,
        required=False,
        help_text="Police department, court, law firm, collection agency...",
    )
    requester_type = forms.ChoiceField(label="The requester is", choices=REQUESTER_CHOICES)
    requester_contact = forms.CharField(label="How to reach them", max_length=300, required=False)
    instrument = forms.ChoiceField(label="The request rests on", choices=INSTRUMENT_CHOICES)
    instrument_reference = forms.CharField(
        label="Court, case or document number", max_length=300, required=False
    )
    document = forms.FileField(
        label="The document (subpoena, order, warrant, letter)",
        required=False,
        help_text="Up to 20 MB. It is stored with its fingerprint (SHA-256), never shown publicly.",
    )
    patrons_as_named = forms.CharField(
        label="The patrons as the request names them",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Names, addresses or dates of birth, as written. Enough for the director "
        "or a designee to find them when you do not know their cards.",
    )
    record_types = forms.MultipleChoiceField(
        label="Records asked for", choices=RECORD_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    date_from = forms.DateField(
        label="From (date)", required=False, widget=DATE, help_text="Empty: from the start."
    )
    date_to = forms.DateField(
        label="To (date)", required=False, widget=DATE, help_text="Empty: up to now."
    )
    deadline = forms.DateField(label="Deadline in the document", required=False, widget=DATE)
    finding = forms.ChoiceField(
        label="What the order states as its reason", choices=FINDING_CHOICES, initial="none"
    )
    issued_by = forms.ChoiceField(
        label="Who issued the subpoena, order or warrant",
        choices=[("", "Not known"), *ISSUER_CHOICES],
        required=False,
    )
    stated_purpose = forms.ChoiceField(
        label="What the records are for, as the requester says",
        choices=PURPOSE_CHOICES,
        initial="unstated",
        required=False,
        help_text="Some states allow a release only for one purpose, such as collecting "
        "fines or recovering overdue materials.",
    )
    sworn_officer = yes_no_unknown(
        "Is the requester a sworn law-enforcement officer?",
        "A police officer or deputy with a badge, not civilian staff of the agency.",
    )
    crime_at_library = yes_no_unknown("Was the crime committed at the library?")
    particular_suspect = yes_no_unknown(
        "Does the investigation concern a particular person suspected of a known crime?"
    )
    custodial = yes_no_unknown("Does this parent or guardian have custody of the child?")
    bill_sent = forms.BooleanField(
        label="A bill for overdue items was sent to the patron", required=False
    )
    amount_owed = forms.DecimalField(
        label="Amount billed (dollars)", required=False, min_value=0, decimal_places=2
    )
    gag_order = forms.BooleanField(
        label="The document forbids telling the patron (non-disclosure order)", required=False
    )
    gag_reference = forms.CharField(
        label="The non-disclosure order", max_length=200, required=False
    )
    gag_until = forms.DateField(
        label="It lasts until", required=False, widget=DATE, help_text="Empty: until lifted."
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, libraries: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["library"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = libraries if libraries is not None else Library.objects.none()
        self.order_fields(self.field_order)
        for name, applies in CONDITIONAL_FIELDS.items():
            self.fields[name].widget.attrs.update(
                {
                    "data-instruments": " ".join(applies.instruments),
                    "data-requesters": " ".join(applies.requesters),
                }
            )

    def scope_library(self) -> Library | None:
        return self.cleaned_data.get("library")

    def applies(self, name: str) -> bool:
        """Whether ``name`` applies to the instrument and requester chosen (bound form)."""
        rule = CONDITIONAL_FIELDS.get(name)
        if rule is None:
            return True
        instrument = self.data.get("instrument", "") if self.is_bound else ""
        requester = self.data.get("requester_type", "") if self.is_bound else ""
        return rule(instrument, requester)

    def sections(self) -> list[tuple[str, list[tuple[Any, str]]]]:
        """The page's fieldsets: each field with the note saying when it applies."""
        return [
            (
                legend,
                [
                    (
                        self[name],
                        CONDITIONAL_FIELDS[name].text if name in CONDITIONAL_FIELDS else "",
                    )
                    for name in names
                    if name in self.fields
                ],
            )
            for legend, names in self.SECTIONS
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        instrument = data.get("instrument", "")
        requester = data.get("requester_type", "")
        for name, rule in CONDITIONAL_FIELDS.items():
            if not rule(instrument, requester):  # typed before the choice changed: ignored
                data[name] = _NOT_APPLYING[name]
                self._errors.pop(name, None)
        if not data.get("stated_purpose"):
            data["stated_purpose"] = "unstated"
        return data
