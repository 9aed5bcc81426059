"""Forms of the policy library: fields and their checks only; the rules live in the
actions (IT-1, IT-11, CC-11, CC-12)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from bookwarden.core.forms import DateInput
from bookwarden.core.models import Branch, Library
from bookwarden.core.roles import Role

from .models import Audience, PolicyKind


class PolicyForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=PolicyKind.choices, initial=PolicyKind.STAFF)
    audience = forms.ChoiceField(
        choices=Audience.choices,
        initial=Audience.ALL_STAFF,
        label="Who it is for",
        help_text="The privacy policy for patrons is always for patrons.",
    )
    audience_roles = forms.MultipleChoiceField(
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Roles",
        help_text="With certain roles or branches: the roles it is for.",
    )
    audience_branches = forms.ModelMultipleChoiceField(
        queryset=Branch.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Branches",
        help_text="With certain roles or branches: the branches it is for. People who work "
        "for the whole library count for every branch.",
    )
    must_sign = forms.BooleanField(
        required=False, initial=True, label="Staff must sign it", help_text=""
    )
    review_every_months = forms.IntegerField(
        min_value=1,
        max_value=60,
        initial=12,
        label="Review every (months)",
        help_text="A year by default.",
    )

    def __init__(self, *args: Any, library: Library | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if library is not None:
            self.fields["audience_branches"].queryset = library.branches.order_by("name")  # type: ignore[attr-defined]


class LibraryChoiceForm(forms.Form):
    library = forms.ModelChoiceField(
        queryset=Library.objects.none(), empty_label=None, to_field_name="slug"
    )

    def __init__(self, *args: Any, libraries: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = libraries  # type: ignore[attr-defined]


class VersionForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 16}),
        required=False,
        label="Text of the policy",
        help_text="Headings start with #, lists with -. Leave empty if you upload a PDF.",
    )
    document = forms.FileField(
        required=False,
        label="The policy as a PDF (optional)",
        help_text="The signed or printed copy, kept with its fingerprint.",
    )
    approved_by = forms.CharField(
        max_length=200, required=False, help_text="For example: the Board of Trustees."
    )
    adopted_on = forms.DateField(required=False, widget=DateInput, label="Adopted by the board on")
    effective_on = forms.DateField(widget=DateInput, label="Takes effect on")
    needs_signatures = forms.BooleanField(
        required=False,
        initial=True,
        label="Staff must sign again",
        help_text="Leave unticked for a correction that changes nothing of substance: "
        "earlier signatures then stand.",
    )
    days_to_sign = forms.IntegerField(min_value=1, max_value=365, initial=30, label="Days to sign")
    summary = forms.CharField(
        max_length=300, required=False, label="What changed", help_text="One line."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective_on"].initial = timezone.localdate()


class ReviewForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Notes of the review",
        help_text="Who reviewed it and what was checked.",
    )
    next_review_on = forms.DateField(
        required=False,
        widget=DateInput,
        label="Next review on",
        help_text="Leave empty for the usual period after today.",
    )


class SignForm(forms.Form):
    typed_name = forms.CharField(
        max_length=150,
        label="Your full name",
        help_text="Typing your name is your signature.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    branch = forms.ModelChoiceField(
        queryset=Branch.objects.none(), required=False, label="Your branch", empty_label=None
    )
    confirm = forms.BooleanField(
        label="I have read this policy and agree to follow it",
        error_messages={"required": "Tick the box to confirm you have read the policy."},
    )

    def __init__(
        self, *args: Any, branches: list[Branch | None] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        named = [b for b in branches or [] if b is not None]
        if len(named) > 1:
            self.fields["branch"].queryset = Branch.objects.filter(  # type: ignore[attr-defined]
                pk__in=[b.pk for b in named]
            ).order_by("name")
            self.fields["branch"].required = True
        else:
            del self.fields["branch"]


class OverviewFilterForm(forms.Form):
    branch = forms.ModelChoiceField(
        queryset=Branch.objects.none(), required=False, empty_label="All branches"
    )

    def __init__(self, *args: Any, library: Library, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = library.branches.order_by("name")  # type: ignore[attr-defined]
