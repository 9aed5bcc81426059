"""Forms of the operations log: the one-minute report, entries, steps, attachments, the
search filters (shared by the page and the CSV export) and the library's settings."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from bookwarden.core.models import Branch, Library, Membership, User

from .actions import MAX_ATTACHMENT_BYTES, REPORT_KINDS
from .models import EntryKind, EntryStatus, LogEntry, Severity, StepKind
from .timeliness import CATEGORIES, MAX_TARGET_DAYS

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATETIME_FORMAT)


class BranchField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class BranchesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def _now_local() -> str:
    return timezone.localtime().strftime(DATETIME_FORMAT)


def new_submission_token() -> str:
    """A one-time token for a report form, made each time the form is shown."""
    return secrets.token_urlsafe(24)


class _LibraryChoice:
    """A form with a ``library`` choice by slug: hidden when the person has one library."""

    fields: dict[str, forms.Field]

    def _set_libraries(self, libraries: list[Library]) -> None:
        field = self.fields["library"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(lib.slug, lib.name) for lib in libraries]
        if len(libraries) == 1:
            field.initial = libraries[0].slug
            field.widget = forms.HiddenInput()
            field.required = False  # one library: it is that one


class ReportForm(_LibraryChoice, forms.Form):
    """CC-2: what happened, in a few taps on a phone.  Only the narrative is required."""

    narrative = forms.CharField(
        label="What happened?",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="In your own words: what you saw, what you did. No need to be technical.",
    )
    kind = forms.ChoiceField(
        label="What is it about?",
        choices=REPORT_KINDS,
        initial=EntryKind.CONCERN,
        widget=forms.RadioSelect,
        required=False,
        help_text="Not sure? Leave the first choice.",
    )
    occurred_at = forms.DateTimeField(
        label="When did it happen?",
        required=False,
        widget=DateTimeLocalInput(),
        help_text="Leave as is if it is happening now.",
    )
    library = forms.ChoiceField(label="Library")
    branch = BranchField(
        queryset=Branch.objects.none(), label="Branch", required=False, empty_label="Not sure"
    )
    device = forms.CharField(
        label="Which computer or device?",
        max_length=200,
        required=False,
        help_text="For example: the public computer by the window, the circulation desk PC.",
    )
    patron_data_involved = forms.BooleanField(
        label="Patron information may be involved", required=False
    )
    #: Made when the form is shown; the same form sent twice makes one report.
    submission_token = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=64, initial=new_submission_token
    )

    def __init__(
        self,
        *args: Any,
        libraries: list[Library],
        branches: QuerySet[Branch],
        own_branch: Branch | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.libraries = {lib.slug: lib for lib in libraries}
        self._set_libraries(libraries)
        self.fields["occurred_at"].initial = _now_local
        field = self.fields["branch"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = branches
        if own_branch is not None:
            field.initial = own_branch.pk  # where the reporter works; "Not sure" stays offered

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("library") and len(self.libraries) == 1:
            data["library"] = next(iter(self.libraries))
        library = self.libraries.get(data.get("library") or "")
        branch = data.get("branch")
        if library is not None and branch is not None and branch.library_id != library.pk:
            self.add_error("branch", "That branch belongs to another library.")
        return data


class EntryForm(_LibraryChoice, forms.Form):
    """IT-10: an entry of any kind, with everything the record must hold."""

    library = forms.ChoiceField(label="Library")
    kind = forms.ChoiceField(label="Kind", choices=EntryKind.choices)
    severity = forms.ChoiceField(label="Severity", choices=Severity.choices)
    status = forms.ChoiceField(
        label="Status", choices=[c for c in EntryStatus.choices if c[0] != EntryStatus.CLOSED]
    )
    title = forms.CharField(label="Title", max_length=200)
    narrative = forms.CharField(
        label="Detailed narrative", widget=forms.Textarea(attrs={"rows": 8}), max_length=20000
    )
    occurred_at = forms.DateTimeField(label="Occurred", widget=DateTimeLocalInput())
    branch = BranchField(queryset=Branch.objects.none(), label="Branch", required=False)
    affected_branches = BranchesField(
        queryset=Branch.objects.none(),
        label="Affected branches",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    devices = forms.CharField(
        label="Devices",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line.",
    )
    accounts = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        label="Staff accounts involved",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preventive_measures = forms.CharField(
        label="Recommended preventive measures",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed before an incident can be closed.",
    )
    outside_party = forms.BooleanField(
        label="Someone who is not library IT staff had access (maintenance, repair, vendor)",
        required=False,
        help_text="The affected passwords must then change at once.",
    )
    outside_party_name = forms.CharField(
        label="Who (name and company)", max_length=200, required=False
    )
    patron_data_involved = forms.BooleanField(
        label="Patron information may be involved", required=False
    )

    def __init__(
        self,
        *args: Any,
        libraries: list[Library],
        branches: QuerySet[Branch],
        memberships: QuerySet[Membership],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.libraries = {lib.slug: lib for lib in libraries}
        self._set_libraries(libraries)
        if editing:
            self.fields["library"].required = False
            self.fields["library"].widget = forms.HiddenInput()
        else:
            self.fields["occurred_at"].initial = _now_local
        for name in ("branch", "affected_branches"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = branches
        accounts = self.fields["accounts"]
        assert isinstance(accounts, forms.ModelMultipleChoiceField)
        accounts.queryset = (
            User.objects.filter(pk__in=memberships.values("user_id"))
            .distinct()
            .order_by("last_name", "username")
        )

    def chosen_library(self) -> Library | None:
        return self.libraries.get(self.cleaned_data.get("library") or "")

    @staticmethod
    def initial_for(entry: LogEntry) -> dict[str, Any]:
        return {
            "library": entry.library.slug,
            "kind": entry.kind,
            "severity": entry.severity,
            "status": entry.status,
            "title": entry.title,
            "narrative": entry.narrative,
            "occurred_at": timezone.localtime(entry.occurred_at).strftime(DATETIME_FORMAT),
            "branch": entry.branch_id,
            "affected_branches": list(entry.affected_branches.values_list("pk", flat=True)),
            "devices": entry.devices,
            "accounts": list(entry.accounts.values_list("pk", flat=True)),
            "preventive_measures": entry.preventive_measures,
            "outside_party": entry.outside_party,
            "outside_party_name": entry.outside_party_name,
            "patron_data_involved": entry.patron_data_involved,
        }


class StepForm(forms.Form):
    text = forms.CharField(
        label="What was done or noticed", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    kind = forms.ChoiceField(
        label="Kind",
        choices=[
            (k, StepKind(k).label) for k in (StepKind.STEP, StepKind.NOTE, StepKind.CORRECTION)
        ],
        initial=StepKind.STEP,
    )

    def __init__(self, *args: Any, closed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if closed:
            field = self.fields["kind"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(k, StepKind(k).label) for k in (StepKind.CORRECTION, StepKind.NOTE)]
            field.initial = StepKind.CORRECTION


class AttachmentForm(forms.Form):
    file = forms.FileField(label="File", help_text="Up to 10 MB: a screenshot, a log, a letter.")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_ATTACHMENT_BYTES:
            raise forms.ValidationError("The file is larger than 10 MB.")
        return upload


class CloseForm(forms.Form):
    summary = forms.CharField(
        label="Closing summary",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OutsideResolvedForm(forms.Form):
    note = forms.CharField(label="Which passwords were changed", required=False, max_length=1000)


#: The days a search of the log may name (a day far outside would overflow the search's
#: times).
FILTER_DAYS = (datetime.date(1900, 1, 1), datetime.date(2999, 12, 31))


class EntryFilterForm(forms.Form):
    """IT-10: search the log.  The same filters serve the page and the CSV export."""

    q = forms.CharField(required=False, label="Search", help_text="Words of the title or story.")
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *EntryKind.choices])
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), ("unclosed", "Not closed"), *EntryStatus.choices],
    )
    branch = BranchField(queryset=Branch.objects.none(), required=False, empty_label="Any branch")
    since = forms.DateField(required=False, widget=DateInput, label="Occurred from")
    until = forms.DateField(required=False, widget=DateInput, label="Occurred to")
    person = forms.CharField(
        required=False,
        label="Person (username)",
        help_text="Reported it, took a step, or whose account is involved.",
    )

    def __init__(self, *args: Any, branches: QuerySet[Branch], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["branch"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = branches

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("since", "until"):
            day = data.get(name)
            if day and not FILTER_DAYS[0] <= day <= FILTER_DAYS[1]:
                self.add_error(name, "Choose a day between the years 1900 and 2999.")
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError("The start date is after the end date.")
        return data

    def filter(self, qs: QuerySet[LogEntry]) -> QuerySet[LogEntry]:
        data = self.cleaned_data
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("status") == "unclosed":
            qs = qs.exclude(status=EntryStatus.CLOSED)
        elif data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("branch"):
            branch = data["branch"]
            qs = qs.filter(Q(branch=branch) | Q(affected_branches=branch))
        tz = timezone.get_current_timezone()
        if data.get("since"):
            qs = qs.filter(
                occurred_at__gte=datetime.datetime.combine(
                    data["since"], datetime.time.min, tzinfo=tz
                )
            )
        if data.get("until"):
            qs = qs.filter(
                occurred_at__lt=datetime.datetime.combine(
                    data["until"] + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
                )
            )
        person = (data.get("person") or "").strip()
        if person:
            qs = qs.filter(
                Q(reported_by__username__iexact=person)
                | Q(accounts__username__iexact=person)
                | Q(steps__actor__username__iexact=person)
            )
        text = (data.get("q") or "").strip()
        if text:
            cond = Q()
            for word in text.split()[:8]:
                cond &= Q(title__icontains=word) | Q(narrative__icontains=word)
            if text.isdigit():
                cond |= Q(pk=int(text))
            qs = qs.filter(cond)
        return qs.distinct()

    def as_record(self) -> dict[str, Any]:
        """The filters, as stored in the export's audit event (the search words too: they
        are what the person typed, not a record's content)."""
        return {k: (v.pk if hasattr(v, "pk") else v) for k, v in self.cleaned_data.items() if v}


class SettingsForm(forms.Form):
    """IT-7: the escalation time and the target days per category and severity."""

    escalation_minutes = forms.IntegerField(
        label="Escalate an unacknowledged incident after (minutes)",
        min_value=5,
        max_value=7 * 24 * 60,
    )

    def __init__(self, *args: Any, targets: dict[str, dict[str, int]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows: list[tuple[str, list[str]]] = []
        for category, label in CATEGORIES.items():
            names = []
            for severity in reversed(Severity.values):
                name = f"{category}__{severity}"
                self.fields[name] = forms.IntegerField(
                    label=f"{label}: {Severity(severity).label.lower()} (days)",
                    min_value=1,
                    max_value=MAX_TARGET_DAYS,
                    initial=targets[category][severity],
                    required=False,
                    help_text="Empty: the default.",
                )
                names.append(name)
            self.rows.append((label, names))

    def grouped(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The target fields by category, for the template's fieldsets."""
        return [(label, [self[name] for name in names]) for label, names in self.rows]

    def target_days(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for name, value in self.cleaned_data.items():
            if "__" in name and value is not None:
                category, severity = name.split("__", 1)
                out.setdefault(category, {})[severity] = value
        return out
