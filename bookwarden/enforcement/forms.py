"""Forms of the enforcement pages (IT-9, LV-12, CC-3, CC-11)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from bookwarden.core import when as formats
from bookwarden.core.models import Membership, User
from bookwarden.operations.models import LogEntry

from .models import ContactMethod, ContactOutcome


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.username})"


def staff_of(memberships: QuerySet[Membership]) -> QuerySet[User]:
    """The people holding one of ``memberships`` (live or not, but not revoked), for
    choosing an account."""
    return User.objects.filter(
        pk__in=memberships.filter(revoked_at__isnull=True).values("user_id")
    ).order_by("last_name", "first_name", "username")


class EntryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"#{obj.pk} {obj.get_kind_display()}: {obj.title} ({formats.day(obj.occurred_at)})"


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"


class OpenCaseForm(forms.Form):
    entry = EntryChoiceField(
        queryset=LogEntry.objects.none(),
        label="Violation or incident",
        help_text="An open entry of the security operations log.",
    )
    subject_user = PersonChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Staff account involved",
        help_text="Leave empty if no staff account is known yet.",
    )
    device = forms.CharField(
        label="Device", max_length=200, required=False, help_text="For example: CIRC-PC-03."
    )
    details = forms.CharField(
        label="Details (step 1)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What happened, what was found, who reported it.",
    )

    def __init__(
        self, *args: Any, entries: Any, memberships: QuerySet[Membership], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        entry_field = self.fields["entry"]
        assert isinstance(entry_field, forms.ModelChoiceField)
        entry_field.queryset = entries
        person = self.fields["subject_user"]
        assert isinstance(person, forms.ModelChoiceField)
        person.queryset = staff_of(memberships)


class DetailsForm(forms.Form):
    details = forms.CharField(
        label="Details or follow-up",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Record all relevant details and any follow-up actions.",
    )
    subject_user = PersonChoiceField(
        queryset=User.objects.none(), required=False, label="Staff account involved"
    )
    device = forms.CharField(label="Device", max_length=200, required=False)

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if case.subject_user_id:
            del self.fields["subject_user"]
        else:
            person = self.fields["subject_user"]
            assert isinstance(person, forms.ModelChoiceField)
            person.queryset = staff_of(Membership.objects.filter(library_id=case.library_id))
        if case.device:
            del self.fields["device"]


class InformForm(forms.Form):
    people = PeopleField(
        queryset=User.objects.none(),
        label="Inform",
        widget=forms.CheckboxSelectMultiple,
        help_text="The IT manager and the assistant director for operations . "
        "Each gets an e-mail with a link to this case, nothing more.",
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["people"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = User.objects.filter(pk__in=[u.pk for u in people])
        if not self.is_bound:
            self.initial["people"] = [u.pk for u in people]


class IsolateForm(forms.Form):
    isolated = forms.TypedChoiceField(
        label="The device",
        choices=[("yes", "Was removed from the network"), ("no", "Need not be isolated")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    device = forms.CharField(label="Device", max_length=200, required=False)
    at = forms.DateTimeField(
        label="Isolated at",
        required=False,
        widget=DateTimeInput,
        help_text="Leave empty for now.",
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required if the device need not be isolated: say why.",
    )

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if case.device:
            del self.fields["device"]


class HRDecisionForm(forms.Form):
    discipline_needed = forms.TypedChoiceField(
        label="Is discipline needed?",
        choices=[
            ("no", "No: notify the account user and ask for an explanation"),
            ("yes", "Yes: human resources handles it"),
        ],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Everyone who reads this case sees it: keep personnel details in the "
        "personnel file.",
    )


class ContactForm(forms.Form):
    method = forms.ChoiceField(label="How", choices=ContactMethod.choices, widget=forms.RadioSelect)
    outcome = forms.ChoiceField(
        label="Outcome", choices=ContactOutcome.choices, widget=forms.RadioSelect
    )
    at = forms.DateTimeField(
        label="When", required=False, widget=DateTimeInput, help_text="Leave empty for now."
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RequiredReasonForm(forms.Form):
    """A reason that must be given; ``why`` is what the page says when it is missing."""

    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, why: str = "Say why.", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = why


class ReferForm(forms.Form):
    agency = forms.CharField(
        label="Agency", max_length=200, help_text="For example: New Madrid County Sheriff."
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A report number, who was contacted.",
    )


class CloseForm(forms.Form):
    note = forms.CharField(label="How the matter ended", widget=forms.Textarea(attrs={"rows": 3}))


class SuspensionForm(forms.Form):
    library = forms.ChoiceField(label="Library")
    user = PersonChoiceField(queryset=User.objects.none(), required=False, label="Staff account")
    workstation = forms.CharField(
        label="Or a workstation",
        max_length=200,
        required=False,
        help_text="For example: PUBLIC-PC-07. Choose an account or name a workstation.",
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="To protect the integrity, security or functionality of the library's systems.",
    )
    ends_on = forms.DateField(
        label="Ends on",
        widget=DateInput,
        help_text="Access returns on this day: the suspension job ends it.",
    )

    def __init__(
        self,
        *args: Any,
        libraries: list[Any],
        memberships: QuerySet[Membership],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["library"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(lib.slug, lib.name) for lib in libraries]
        person = self.fields["user"]
        assert isinstance(person, forms.ModelChoiceField)
        person.queryset = staff_of(memberships)


class RestrictForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Which policy was broken and how.",
    )
    starts_on = forms.DateField(label="Starts on", widget=DateInput, required=False)
    ends_on = forms.DateField(
        label="Ends on",
        widget=DateInput,
        help_text="The patron may use the computers again on this day.",
    )
    entry = EntryChoiceField(
        queryset=LogEntry.objects.none(),
        required=False,
        label="Violation in the log",
        help_text="The patron violation recorded in the security operations log, if any.",
    )

    def __init__(self, *args: Any, entries: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        entry_field = self.fields["entry"]
        assert isinstance(entry_field, forms.ModelChoiceField)
        entry_field.queryset = entries
        if not self.is_bound:
            self.initial.setdefault("ends_on", timezone.localdate() + datetime.timedelta(days=30))


class SettingsForm(forms.Form):
    failed_contacts_before_lock = forms.IntegerField(
        label="Failed contacts before the lock is offered",
        min_value=1,
        max_value=20,
        help_text="After repeated failed contact the account may be locked.",
    )
