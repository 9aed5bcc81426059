"""Open-records requests for public records (CR-1, CR-5e, CR-5g)."""

from __future__ import annotations

from typing import Any

from django import forms

from bookwarden.core.models import Library

from ..models import (
    RECORD_CHOICES,
)
from .fields import DATE


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
    date_from = forms.DateField(label="From (date)", widget=DATE)
    date_to = forms.DateField(label="To (date)", widget=DATE)
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
