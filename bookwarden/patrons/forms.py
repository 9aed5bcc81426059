"""Forms of the staff pages about patrons."""

from __future__ import annotations

from typing import Any

from django import forms

from .access import CUSTODIAN_PURPOSES, PURPOSE_TYPES, Purpose
from .actions import REPORTABLE
from .models import Card, CardStatus
from .records import RECORD_TYPES


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Card number or name",
        max_length=200,
        required=False,
        help_text="The exact card number, or one or more words of the name.",
    )


class OpenRecordsForm(forms.Form):
    """Opening a patron's library records: a purpose first (CR-5)."""

    purpose = forms.ChoiceField(label="Purpose", widget=forms.RadioSelect)
    card_number = forms.CharField(
        label="Card number presented",
        max_length=64,
        required=False,
        help_text="Needed when serving the patron at the desk: the card they present.",
    )
    note = forms.CharField(
        label="Note",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was asked, what is suspected, how identity was checked. "
        "Needed for every purpose except the desk and overdue recovery.",
    )
    record_types = forms.MultipleChoiceField(
        label="Kinds of records",
        choices=[(key, rt.label) for key, rt in RECORD_TYPES.items()],
        widget=forms.CheckboxSelectMultiple,
        help_text="Open only what the purpose needs. Overdue recovery shows overdue loans only.",
    )

    def __init__(self, *args: Any, custodian: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every purpose is accepted, so that a custodian purpose sent by someone else
        # reaches the access function and its refusal is recorded; only those the role may
        # use are offered.
        field = self.fields["purpose"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = Purpose.choices
        field.widget.choices = [
            (value, label)
            for value, label in Purpose.choices
            if custodian or value not in CUSTODIAN_PURPOSES
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        purpose = data.get("purpose")
        if purpose == Purpose.DESK and not (data.get("card_number") or "").strip():
            self.add_error("card_number", "Enter the number of the card the patron presents.")
        allowed = PURPOSE_TYPES.get(purpose or "")
        if allowed and data.get("record_types"):
            wrong = [t for t in data["record_types"] if t not in allowed]
            if wrong:
                labels = ", ".join(RECORD_TYPES[t].label.lower() for t in allowed)
                self.add_error("record_types", f"This purpose may open only: {labels}.")
        return data


class CardChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.number)


class ReportCardForm(forms.Form):
    card = CardChoiceField(queryset=Card.objects.none(), label="Card")
    status = forms.ChoiceField(
        label="Report as",
        choices=[(s.value, s.label) for s in REPORTABLE],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, patron: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["card"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Card.objects.filter(patron=patron, status=CardStatus.ACTIVE)


class LastBorrowerForm(forms.Form):
    library = forms.ChoiceField(label="Library")
    item_barcode = forms.CharField(label="Item barcode", max_length=64)
    note = forms.CharField(
        label="What was found",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was left inside the item, or what harmful content it had (CR-5i).",
    )

    def __init__(self, *args: Any, libraries: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["library"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(lib.slug, lib.name) for lib in libraries]
