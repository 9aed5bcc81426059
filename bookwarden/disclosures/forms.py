"""Forms of the disclosure workflow: intake, the steps before a release (counsel, identity,
the instrument, an emergency override), decision, closure, policy, open records."""

from __future__ import annotations

from typing import Any

from django import forms

from bookwarden.core.models import Library
from bookwarden.patrons.models import Card

from .models import (
    FINDING_CHOICES,
    INSTRUMENT_CHOICES,
    ISSUER_CHOICES,
    OUTCOME_CHOICES,
    RECORD_CHOICES,
    REQUESTER_CHOICES,
    DisclosureRequest,
    Document,
    Verdict,
)

_DATE = forms.DateInput(attrs={"type": "date"})


class IntakeForm(forms.Form):
    """What staff write down when a request for records arrives (CC-5: then hand it on)."""

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
    cards = forms.CharField(
        label="Card numbers of the patrons named",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line.",
    )
    patrons_as_named = forms.CharField(
        label="The patrons as the request names them",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    record_types = forms.MultipleChoiceField(
        label="Records asked for", choices=RECORD_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    date_from = forms.DateField(label="From (date)", required=False, widget=_DATE)
    date_to = forms.DateField(label="To (date)", required=False, widget=_DATE)
    deadline = forms.DateField(label="Deadline in the document", required=False, widget=_DATE)
    finding = forms.ChoiceField(
        label="What a court order states as its reason", choices=FINDING_CHOICES, initial="none"
    )
    issued_by = forms.ChoiceField(
        label="A subpoena was issued by",
        choices=[("", "Not a subpoena / not known"), *ISSUER_CHOICES],
        required=False,
    )
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
        label="It lasts until", required=False, widget=_DATE, help_text="Empty: until lifted."
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, libraries: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["library"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = libraries if libraries is not None else Library.objects.none()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        library = data.get("library")
        numbers = [n.strip() for n in (data.get("cards") or "").split() if n.strip()]
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
            data["patrons"] = list({c.patron_id: c.patron for c in cards.values()}.values())
        return data


class CounselForm(forms.Form):
    counsel_name = forms.CharField(label="Counsel consulted", max_length=200)
    consulted_at = forms.DateTimeField(
        label="When", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    advice = forms.CharField(label="Advice", widget=forms.Textarea(attrs={"rows": 4}))


class IdentityForm(forms.Form):
    how = forms.CharField(
        label="How the requester's identity was checked",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: badge 4471 and photo ID, checked at the desk; the agency "
        "called back on its published number.",
    )


class InstrumentForm(forms.Form):
    document = forms.ModelChoiceField(
        label="The stored document of the instrument",
        queryset=Document.objects.none(),
        empty_label=None,
    )
    how = forms.CharField(
        label="How the instrument was verified",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: called the clerk of the court on its published number; the "
        "order is genuine, in force and names these records.",
    )
    finding_confirmed = forms.BooleanField(label="The order states this finding", required=False)

    def __init__(self, *args: Any, request: DisclosureRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["document"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = request.documents.all()
        if request.finding == "none":
            del self.fields["finding_confirmed"]
        else:
            finding = dict(FINDING_CHOICES).get(request.finding, request.finding)
            self.fields["finding_confirmed"].label = f"The order states the finding: {finding}"


class OverrideForm(forms.Form):
    justification = forms.CharField(
        label="Why the records must go before the missing steps (in writing)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,  # the action says what an empty one lacks
        help_text="For example: a child is missing, the order came by fax at night and counsel "
        "cannot be reached before morning.",
    )


class DecisionForm(forms.Form):
    verdict = forms.ChoiceField(label="Decision", choices=Verdict.choices, widget=forms.RadioSelect)
    released_types = forms.MultipleChoiceField(
        label="Release only these (release part)",
        choices=RECORD_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    reasons = forms.CharField(label="Reasons", widget=forms.Textarea(attrs={"rows": 4}))
    justification = forms.CharField(
        label="Justification (needed when deciding against the rule outcome)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args: Any, record_types: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if record_types is not None:
            field = self.fields["released_types"]
            assert isinstance(field, forms.MultipleChoiceField)
            field.choices = [(k, v) for k, v in RECORD_CHOICES if k in record_types]


class CloseForm(forms.Form):
    note = forms.CharField(
        label="Closing note", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class DocumentForm(forms.Form):
    document = forms.FileField(label="Add a document", help_text="Up to 20 MB.")


class PolicyRuleForm(forms.Form):
    rule_id = forms.RegexField(
        label="Rule id",
        regex=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        max_length=60,
        help_text="Letters, digits, - _ . e.g. NMCL-overdue",
    )
    requesters = forms.MultipleChoiceField(
        label="Requesters", choices=REQUESTER_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    instruments = forms.MultipleChoiceField(
        label="Instruments", choices=INSTRUMENT_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    records = forms.MultipleChoiceField(
        label="Records", choices=RECORD_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    bill_sent = forms.TypedChoiceField(
        label="Condition: a bill was sent",
        choices=[
            ("", "Does not matter"),
            ("yes", "Only after a bill was sent"),
            ("no", "Only before"),
        ],
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        required=False,
    )
    max_age = forms.IntegerField(
        label="Condition: the patron is at most this old",
        min_value=0,
        max_value=130,
        required=False,
    )
    outcome = forms.ChoiceField(label="Outcome", choices=OUTCOME_CHOICES)
    citation = forms.CharField(label="Citation (the policy section)", max_length=200)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class OpenRecordsForm(forms.Form):
    """An open-records request for public records, and what was given, in one step."""

    library = forms.ModelChoiceField(
        queryset=Library.objects.none(), to_field_name="slug", empty_label=None
    )
    requester_name = forms.CharField(label="Who asks (name)", max_length=200)
    requester_contact = forms.CharField(
        label="How to reach them", max_length=300, help_text="Phone, e-mail or address."
    )
    requester_organisation = forms.CharField(
        label="Organisation (optional)", max_length=200, required=False
    )
    record_type = forms.ChoiceField(label="Records asked for", choices=RECORD_CHOICES)
    date_from = forms.DateField(label="From (date)", widget=_DATE)
    date_to = forms.DateField(label="To (date)", widget=_DATE)
    given = forms.CharField(
        label="What was given",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: a copy of the camera recording of the front entrance, "
        "2 to 3 p.m., on a USB stick. Room-booking contacts are read and stored for you.",
    )
    upload = forms.FileField(
        label="A copy of what was given (optional)",
        required=False,
        help_text="Stored with its fingerprint (SHA-256), never shown publicly.",
    )

    def __init__(self, *args: Any, libraries: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["library"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = libraries if libraries is not None else Library.objects.none()
