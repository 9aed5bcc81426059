"""Forms of the API's pages: a token, an alert source (fields and their checks only; the
rules live in the actions)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from bookwarden.core.forms import DateInput
from bookwarden.core.models import Library

from .models import Scope, default_expiry


class LibraryChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class TokenForm(forms.Form):
    name = forms.CharField(
        label="What it is for",
        max_length=100,
        help_text="Such as “HR roster” or “Firewall reports”, so that you know it later.",
    )
    scope = forms.ChoiceField(
        label="It may",
        choices=Scope.choices,
        initial=Scope.READ,
        widget=forms.RadioSelect,
        help_text="Read only is enough for a system that only reads.",
    )
    libraries = LibraryChoices(
        label="Libraries",
        queryset=Library.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Only where you hold a role. It can never do more than you can.",
    )
    expires_on = forms.DateField(
        label="Stops working after",
        widget=DateInput,
        help_text="90 days from today unless you choose; a year at most.",
    )

    def __init__(self, *args: Any, libraries: QuerySet[Library], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["libraries"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = libraries
        if len(libraries) == 1:
            field.initial = [libraries[0].pk]
        self.fields["expires_on"].initial = default_expiry()


class AlertSourceForm(forms.Form):
    name = forms.CharField(
        label="Service",
        max_length=100,
        help_text="The monitoring or firewall service that will send alerts, such as “Firewall”.",
    )
