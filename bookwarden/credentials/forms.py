"""Forms of the shared logins: every text field refuses what looks like a password (IT-3);
the actions check it again."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from .models import MAX_ROTATION_DAYS, CredentialKind, ManagerKind
from .secrets_check import REFUSAL, looks_like_password


class DateInput(forms.DateInput):
    input_type = "date"


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.username})"


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.username})"


class DevicesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class NoSecretsForm(forms.Form):
    """IT-3: any text field whose value looks like a password is refused."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, value in list(data.items()):
            if isinstance(value, str) and looks_like_password(value):
                self.add_error(name, REFUSAL)
        return data


class CredentialForm(NoSecretsForm):
    system = forms.CharField(
        max_length=120, label="System", help_text="What it opens, for example: Main router."
    )
    kind = forms.ChoiceField(choices=CredentialKind.choices, label="Kind of system")
    account_name = forms.CharField(
        max_length=120, label="Account name", help_text="The login name only, for example: admin."
    )
    manager_kind = forms.ChoiceField(choices=ManagerKind.choices, label="Password manager")
    manager_item = forms.CharField(
        max_length=200,
        label="Where the password is kept",
        help_text="The folder and item in the password manager, for example: Network / Main "
        "router. Never the password itself.",
    )
    holders = PeopleField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="IT staff who hold it",
    )
    devices = DevicesField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Devices it opens",
    )
    last_changed_on = forms.DateField(
        widget=DateInput, label="Last changed on", help_text="When the password last changed."
    )
    retired = forms.BooleanField(
        required=False, label="No longer in use", help_text="It stays in the history."
    )

    def __init__(self, *args: Any, holders: Any, devices: Any, editing: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["holders"].queryset = holders  # type: ignore[attr-defined]
        self.fields["devices"].queryset = devices  # type: ignore[attr-defined]
        if editing:
            del self.fields["last_changed_on"]
        else:
            del self.fields["retired"]


class RotationForm(NoSecretsForm):
    changed_on = forms.DateField(widget=DateInput, label="Changed on")
    changed_by = PersonField(queryset=None, label="Changed by", empty_label="Choose a person")
    note = forms.CharField(
        max_length=300,
        required=False,
        label="Note (optional)",
        help_text="For example: changed after the vendor visit. Never the new password.",
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["changed_by"].queryset = people  # type: ignore[attr-defined]
        self.fields["changed_on"].initial = timezone.localdate()


class IncidentField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"Security incident #{obj.pk}: {obj.title}"


class CompromisedForm(forms.Form):
    incident = IncidentField(queryset=None, label="Security incident", empty_label="Choose one")

    def __init__(self, *args: Any, incidents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["incident"].queryset = incidents  # type: ignore[attr-defined]


class SettingsForm(forms.Form):
    rotation_days = forms.IntegerField(
        min_value=1,
        max_value=MAX_ROTATION_DAYS,
        label="Change every shared password at least every (days)",
        help_text="At most 180 days; a shorter period is stricter.",
    )


class ExportForm(forms.Form):
    start = forms.DateField(widget=DateInput, label="From")
    end = forms.DateField(widget=DateInput, label="To")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("The start comes after the end.")
        return data


def a_year_back() -> dict[str, datetime.date]:
    today = timezone.localdate()
    return {"start": today - datetime.timedelta(days=365), "end": today}
