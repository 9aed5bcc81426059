"""Forms of the vendor register: a vendor, a review with the checklist, an incident to name
it on.  Fields and their checks only; the rules live in :mod:`.actions`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from bookwarden.core.forms import DateInput
from bookwarden.core.models import Branch, Library
from bookwarden.core.when import day

from .models import CHECKLIST, DATA_CATEGORIES, Answer, Vendor


class _BranchesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class VendorForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name")
    service = forms.CharField(
        max_length=300, label="Service", help_text="What it does for the library."
    )
    website = forms.URLField(required=False, label="Website", assume_scheme="https")
    contract_starts_on = forms.DateField(
        required=False, widget=DateInput, label="Contract starts on"
    )
    contract_ends_on = forms.DateField(
        required=False,
        widget=DateInput,
        label="Contract ends on",
        help_text="Leave empty while it runs on. After this day the vendor leaves the "
        "privacy notice.",
    )
    terms_url = forms.URLField(
        required=False, max_length=500, label="Privacy terms (link)", assume_scheme="https"
    )
    terms_document = forms.FileField(
        required=False,
        label="Privacy terms (document)",
        help_text="The contract or the vendor's privacy terms, if you have a copy.",
    )
    bound_by_state_law = forms.BooleanField(required=False)
    data_categories = forms.MultipleChoiceField(
        required=False,
        choices=DATA_CATEGORIES,
        widget=forms.CheckboxSelectMultiple,
        label="Patron data it receives",
    )
    all_branches = forms.BooleanField(required=False, initial=True, label="It serves every branch")
    branches = _BranchesField(
        queryset=Branch.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Or only these branches",
    )

    def __init__(self, *args: Any, library: Library, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branches"].queryset = Branch.objects.filter(library=library)  # type: ignore[attr-defined]
        self.fields[
            "bound_by_state_law"
        ].label = f"The contract binds them to {library.jurisdiction_name}'s library-records law"

    @staticmethod
    def initial_of(vendor: Vendor) -> dict[str, Any]:
        return {
            "name": vendor.name,
            "service": vendor.service,
            "website": vendor.website,
            "contract_starts_on": vendor.contract_starts_on,
            "contract_ends_on": vendor.contract_ends_on,
            "terms_url": vendor.terms_url,
            "bound_by_state_law": vendor.bound_by_state_law,
            "data_categories": list(vendor.data_categories),
            "all_branches": vendor.all_branches,
            "branches": list(vendor.branches.all()),
        }


class ReviewForm(forms.Form):
    """The standard vendor privacy checklist: each question yes, no or not known, with a
    note (where the data is kept, within how many days a breach is told ...)."""

    reviewed_on = forms.DateField(widget=DateInput, label="Reviewed on")
    next_review_on = forms.DateField(
        required=False,
        widget=DateInput,
        label="Next review on",
        help_text="Leave empty for a year after this review.",
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Note")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewed_on"].initial = timezone.localdate()
        for key, question, _wanted in CHECKLIST:
            self.fields[key] = forms.ChoiceField(
                choices=Answer.choices,
                initial=Answer.UNKNOWN,
                widget=forms.RadioSelect,
                label=question,
            )
            self.fields[f"{key}_note"] = forms.CharField(
                required=False, max_length=500, label="Note"
            )

    def questions(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[key], self[f"{key}_note"]) for key, _q, _w in CHECKLIST]

    def action_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "reviewed_on": data["reviewed_on"],
            "next_review_on": data["next_review_on"],
            "note": data["note"],
            "answers": {
                key: {"answer": data[key], "note": data[f"{key}_note"]} for key, _q, _w in CHECKLIST
            },
        }


class _EntryField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"#{obj.pk} {obj.title} ({day(obj.occurred_at)})"


class IncidentForm(forms.Form):
    entry = _EntryField(queryset=None, label="Incident", empty_label="Choose an incident")
    note = forms.CharField(
        required=False, max_length=300, label="What the vendor had to do with it"
    )

    def __init__(self, *args: Any, incidents: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = incidents  # type: ignore[attr-defined]
