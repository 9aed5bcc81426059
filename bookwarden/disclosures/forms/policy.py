"""The library's own disclosure policy: its rules and whether it is publicly funded (NM-2)."""

from __future__ import annotations

from django import forms

from ..models import (
    INSTRUMENT_CHOICES,
    OUTCOME_CHOICES,
    PURPOSE_CHOICES,
    RECORD_CHOICES,
    REQUESTER_CHOICES,
)


def _only_when(label: str) -> forms.TypedChoiceField:
    """A yes/no condition of a policy rule: does not matter, only when yes, only when no."""
    return forms.TypedChoiceField(
        label=label,
        choices=[("", "Does not matter"), ("yes", "Only when yes"), ("no", "Only when no")],
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        required=False,
    )


class PolicyRuleForm(forms.Form):
    """One rule of the library's own policy (NM-2), in the pack's rule format."""

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
    purposes = forms.MultipleChoiceField(
        label="Only for these purposes",
        choices=PURPOSE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Tick none for any purpose.",
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
    min_age = forms.IntegerField(
        label="Condition: the patron is at least this old",
        min_value=0,
        max_value=130,
        required=False,
    )
    max_age = forms.IntegerField(
        label="Condition: the patron is at most this old",
        min_value=0,
        max_value=130,
        required=False,
        help_text="A child under 16: 15.",
    )
    min_amount_owed = forms.DecimalField(
        label="Condition: the patron owes at least (dollars)",
        min_value=0,
        decimal_places=2,
        required=False,
    )
    sworn_officer = _only_when("Condition: the requester is a sworn law-enforcement officer")
    crime_at_library = _only_when("Condition: the crime was committed at the library")
    particular_suspect = _only_when("Condition: a particular person is suspected of a known crime")
    publicly_funded = _only_when("Condition: the library is publicly funded")
    custodial = _only_when("Condition: the parent or guardian has custody of the minor")
    outcome = forms.ChoiceField(label="Outcome", choices=OUTCOME_CHOICES)
    citation = forms.CharField(label="Citation (the policy section)", max_length=200)
    quote = forms.CharField(
        label="The policy's words (quoted)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="The sentence of the library's written policy this rule rests on.",
    )
    note = forms.CharField(
        label="In plain words",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="What the rule does, as the custodian will read it on a request.",
    )


class PubliclyFundedForm(forms.Form):
    """Whether the library is publicly funded (a public library): some states' laws turn on
    it."""

    publicly_funded = forms.TypedChoiceField(
        label="Is the library publicly funded (a public library)?",
        choices=[("yes", "Yes"), ("no", "No"), ("", "Not said yet")],
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
