"""The audit-log search form, shared by the page and the CSV export."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from bookwarden.core.models import Library

from .models import AuditAction, AuditEvent


class DateInput(forms.DateInput):
    input_type = "date"


class LongSelect(forms.Select):
    """A select of many options (every audit action), written out in Python: the same HTML
    as Django's template for a select, without a template include per option, which made
    the list of actions the costliest part of the audit log's page (issue 16)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group for group, _options, _index in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        options = format_html_join(
            "\n",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], flatatt(option["attrs"]), option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html(
            '<select name="{}"{}>\n{}\n</select>', widget["name"], flatatt(widget["attrs"]), options
        )


class AuditFilterForm(forms.Form):
    q = forms.CharField(
        required=False, label="Search", help_text="Request id, target id, username or purpose."
    )
    action = forms.ChoiceField(
        required=False,
        choices=[("", "Any action"), *AuditAction.choices],
        widget=LongSelect,
        error_messages={"invalid_choice": "Not one of the actions in the list."},
    )
    library = forms.ModelChoiceField(
        queryset=Library.objects.none(),
        required=False,
        empty_label="All my libraries",
        error_messages={"invalid_choice": "Not one of your libraries."},
    )
    actor = forms.CharField(required=False, label="Person (username)")
    patron = forms.IntegerField(
        required=False,
        min_value=1,
        label="Patron id",
        error_messages={"invalid": "A patron id is a whole number, such as 1042."},
    )
    since = forms.DateField(
        required=False,
        widget=DateInput,
        label="From",
        error_messages={"invalid": "Not a date: give it as year-month-day, such as 2025-03-14."},
    )
    until = forms.DateField(
        required=False,
        widget=DateInput,
        label="To",
        error_messages={"invalid": "Not a date: give it as year-month-day, such as 2025-03-14."},
    )

    def __init__(self, *args: Any, libraries: QuerySet[Library], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = libraries  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error(
                "until", forms.ValidationError("The start date is after the end date.", "range")
            )
        return data

    def problems(self) -> list[str]:
        """Each refused filter value, in plain words, with what was typed: a bad filter
        must read as an error, never as "no events match" (an empty result that would say
        that nothing happened)."""
        out = []
        for name, errors in self.errors.as_data().items():
            label = self[name].label if name in self.fields else name
            typed = str(self.data.get(self.add_prefix(name), ""))[:80]
            for error in errors:
                message = " ".join(error.messages)
                given = f" (given: {typed})" if typed and error.code != "range" else ""
                out.append(f"{label}: {message}{given}")
        return out

    def refused_fields(self) -> list[str]:
        """The names of the refused filters, as stored in the AUDIT_VIEWED event."""
        return sorted(self.errors)

    def filter(self, qs: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        data = self.cleaned_data
        if data.get("action"):
            qs = qs.filter(action=data["action"])
        if data.get("library"):
            qs = qs.filter(library=data["library"])
        if data.get("actor"):
            qs = qs.filter(actor__username__iexact=data["actor"].strip())
        if data.get("patron"):
            qs = qs.filter(patron_id=data["patron"])
        tz = timezone.get_current_timezone()
        if data.get("since"):
            qs = qs.filter(
                created_at__gte=datetime.datetime.combine(
                    data["since"], datetime.time.min, tzinfo=tz
                )
            )
        if data.get("until"):
            qs = qs.filter(
                created_at__lt=datetime.datetime.combine(
                    data["until"] + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
                )
            )
        text = (data.get("q") or "").strip()
        if text:
            cond = (
                Q(request_id=text)
                | Q(target_id=text)
                | Q(purpose__icontains=text)
                | Q(actor__username__iexact=text)
                | Q(subject_user__username__iexact=text)
            )
            if text.isdigit():
                cond |= Q(seq=int(text))
            qs = qs.filter(cond)
        return qs

    def as_record(self) -> dict[str, Any]:
        """The filters, as stored in the AUDIT_VIEWED event."""
        return {k: (v.pk if hasattr(v, "pk") else v) for k, v in self.cleaned_data.items() if v}
