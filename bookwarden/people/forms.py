"""Forms of leavers and account reviews: fields and their checks only; the rules live in
the actions."""

from __future__ import annotations

from typing import Any

from django import forms

from bookwarden.core.forms import DateInput
from bookwarden.core.models import Membership, User

from .facts import role_text
from .models import Decision


class DepartureForm(forms.Form):
    last_day = forms.DateField(
        widget=DateInput,
        label="Last day",
        help_text="Their last working day here. Their access ends when this day is over.",
    )
    reason = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason (optional)",
        help_text="For example: moved away, end of the summer program.",
    )
    end_now = forms.BooleanField(
        required=False,
        label="End their access now",
        help_text="Only when the last day is today or past: for example, someone who left "
        "without notice.",
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.username})"


class NewDepartureForm(DepartureForm):
    person = PersonChoiceField(queryset=User.objects.none(), empty_label="Choose a person")
    field_order = ["person", "last_day", "reason", "end_now"]

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


class ReviewSettingsForm(forms.Form):
    every_months = forms.IntegerField(
        min_value=1,
        max_value=12,
        label="Review every account every (months)",
        help_text="3 is once a quarter. The review shows on your tasks when it is due.",
    )


DECISION_CHOICES = [
    (Decision.CONFIRMED.value, "Confirm: the account and its roles are right"),
    (Decision.ROLES_REMOVED.value, "Remove some roles"),
    (Decision.ENDED.value, "End the account here"),
]


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return role_text(obj)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=DECISION_CHOICES, widget=forms.RadioSelect, label="Decision"
    )
    memberships = RoleChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Roles to remove",
        help_text="Only with \u201cRemove some roles\u201d.",
    )
    end_now = forms.BooleanField(
        required=False,
        label="End it now",
        help_text="Only with \u201cEnd the account here\u201d. Otherwise it ends tonight, when "
        "today is over.",
    )
    note = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Note (optional)",
    )

    def __init__(self, *args: Any, memberships: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["memberships"].queryset = memberships  # type: ignore[attr-defined]
