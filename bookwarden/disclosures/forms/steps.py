"""The steps before a release (counsel, identity, the instrument, an emergency override),
the decision, closure and documents of a request (CR-5a, CC-5)."""

from __future__ import annotations

from typing import Any

from django import forms

from ..models import (
    FINDING_CHOICES,
    RECORD_CHOICES,
    DisclosureRequest,
    Document,
    Verdict,
)


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
