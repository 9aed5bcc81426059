"""Forms of the devices app: fields and their checks only (the rules live in actions)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django import forms
from django.db.models import QuerySet
from django.forms.models import fields_for_model, model_to_dict

from bookwarden.core.forms import DateInput
from bookwarden.core.models import Branch, Library
from bookwarden.patrons.importer.small_files import FileForm

from .actions import DEVICE_FIELDS
from .models import Device, DeviceKind
from .overdue import overdue_filter


class BranchField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


_LABELS = {
    "branch": "Branch",
    "name": "Name",
    "operating_system": "Operating system",
    "antivirus": "Antivirus in place",
    "firewall": "Firewall in place",
    "intrusion_detection": "Intrusion detection in place",
    "last_patched_on": "Last patched on",
    "remote_access": "Remote access",
    "remote_access_authenticated": "Remote access needs signing in",
    "remote_access_encrypted": "Remote access uses a secure (encrypted) connection",
    "reset_mechanism": "Reset between users",
}


class DeviceForm(forms.Form):
    """CC-7: a device of the inventory (the model's fields; the action checks them)."""

    def __init__(
        self, data: Any = None, *, branches: QuerySet[Branch], device: Device | None = None
    ) -> None:
        names = ["branch", *DEVICE_FIELDS]
        super().__init__(data, initial=model_to_dict(device, fields=names) if device else None)
        self.fields.update(
            fields_for_model(
                Device,
                fields=names,
                labels=_LABELS,
                widgets={
                    "last_patched_on": DateInput(),
                    "notes": forms.Textarea(attrs={"rows": 3}),
                },
                field_classes={"branch": BranchField},
            )
        )
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]
        self.fields["branch"].empty_label = "No branch (the whole library)"  # type: ignore[attr-defined]


Devices = TypeVar("Devices", bound=QuerySet[Any])


class DeviceFilterForm(forms.Form):
    branch = BranchField(queryset=Branch.objects.none(), required=False, empty_label="All branches")
    kind = forms.ChoiceField(choices=[("", "All kinds"), *DeviceKind.choices], required=False)
    patch = forms.ChoiceField(
        label="Patches",
        choices=[("", "All devices"), ("overdue", "Overdue only")],
        required=False,
    )

    def __init__(self, *args: Any, branches: QuerySet[Branch], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]

    def filter(self, devices: Devices, libraries: Iterable[Library]) -> Devices:
        """The same filters serve the page and the API (``libraries``: those whose patch
        targets decide what is overdue)."""
        data = self.cleaned_data
        if data.get("branch"):
            devices = devices.filter(branch=data["branch"])
        if data.get("kind"):
            devices = devices.filter(kind=data["kind"])
        if data.get("patch") == "overdue":
            devices = devices.filter(overdue_filter(libraries))
        return devices


class ImportForm(FileForm):
    columns = "Columns: name, kind, branch, operating system and the others listed above."


class DeviceChoices(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        where = f", {obj.branch.name}" if obj.branch_id else ""
        return f"{obj.name} ({obj.get_kind_display().lower()}{where})"


class EntryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"#{obj.pk} {obj.title}"


class PatchForm(forms.Form):
    """CC-7: the devices patched on one day, from a log entry if there is one."""

    devices = DeviceChoices(queryset=Device.objects.none(), label="Devices patched")
    patched_on = forms.DateField(label="Patched on", widget=DateInput())
    entry = EntryChoice(
        queryset=None,
        required=False,
        label="From the operations log entry",
        empty_label="None",
    )

    def __init__(self, *args: Any, devices: QuerySet[Device], entries: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["devices"].queryset = devices  # type: ignore[attr-defined]
        self.fields["entry"].queryset = entries  # type: ignore[attr-defined]


class SettingsForm(forms.Form):
    patch_target_days = forms.IntegerField(
        label="Days before a patch is overdue",
        min_value=1,
        max_value=365,
        help_text="A device not patched for longer than this shows as overdue.",
    )


class CheckForm(forms.Form):
    """CC-3, CR-6d: after logging out of a test session on a public computer."""

    branch = BranchField(queryset=Branch.objects.none(), label="Branch")
    no_history = forms.BooleanField(required=False, label="No browsing history was left")
    no_cookies = forms.BooleanField(required=False, label="No cookies were left")
    no_files = forms.BooleanField(required=False, label="No downloaded or saved files were left")
    no_sessions = forms.BooleanField(
        required=False, label="No account was still signed in (mail, social media, the catalog)"
    )
    note = forms.CharField(
        required=False,
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when something was left: what, and on which computer.",
    )

    def __init__(self, *args: Any, branches: QuerySet[Branch], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]


class IsolateForm(forms.Form):
    reason = forms.CharField(label="Why it is isolated", max_length=300)
