"""Forms of software and its requests: fields and their checks only (the rules live in
:mod:`bookwarden.software.actions`)."""

from __future__ import annotations

from typing import Any

from django import forms

from bookwarden.core.roles import Perm
from bookwarden.devices.models import Device

from .models import LicenseKind, RequestKind, Software


class SoftwareForm(forms.Form):
    name = forms.CharField(max_length=200)
    publisher = forms.CharField(max_length=200, required=False)
    version = forms.CharField(max_length=60, required=False)
    license_kind = forms.ChoiceField(label="License", choices=LicenseKind.choices)
    seats = forms.IntegerField(
        min_value=1, required=False, help_text="For a per-seat license: how many computers."
    )
    license_expires_on = forms.DateField(
        label="License expires on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty if it does not expire.",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class RequestForm(forms.Form):
    """LV-6: the most frequent form of the app: ask for software on a device."""

    kind = forms.ChoiceField(
        label="I would like to",
        choices=RequestKind.choices,
        widget=forms.RadioSelect,
        initial=RequestKind.INSTALL,
    )
    device = forms.ModelChoiceField(label="On the device", queryset=Device.objects.none())
    software = forms.ModelChoiceField(
        label="Software", queryset=Software.objects.none(), required=False
    )
    new_software_name = forms.CharField(
        label="Or, if it is not in the list, its name",
        max_length=200,
        required=False,
        help_text="The technology coordinator checks its license and adds it to the list.",
    )
    reason = forms.CharField(label="Why is it needed?", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        devices = Device.objects.for_user(user, Perm.REQUEST_SOFTWARE).filter(
            retired_at__isnull=True
        )
        self.fields["device"].queryset = devices.select_related("branch")  # type: ignore[attr-defined]
        self.fields["device"].label_from_instance = _device_label  # type: ignore[attr-defined]
        self.fields["software"].queryset = Software.objects.for_user(  # type: ignore[attr-defined]
            user, Perm.REQUEST_SOFTWARE
        )


def _device_label(device: Device) -> str:
    where = f", {device.branch.name}" if device.branch_id and device.branch else ""
    return f"{device.name} ({device.get_kind_display().lower()}{where})"


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("refuse", "Refuse")], widget=forms.RadioSelect
    )
    software = forms.ModelChoiceField(
        label="Software in the catalog",
        queryset=Software.objects.none(),
        required=False,
        help_text="For software not in the catalog: add it first, then choose it here.",
    )
    note = forms.CharField(
        label="Note to the person who asked",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Needed when you refuse: say why.",
    )

    def __init__(self, *args: Any, library_id: int, with_software: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_software:
            self.fields["software"].queryset = Software.objects.filter(  # type: ignore[attr-defined]
                library_id=library_id
            )
        else:
            del self.fields["software"]
