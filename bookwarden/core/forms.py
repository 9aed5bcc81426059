from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from .models import Branch, Library
from .roles import Role

T = TypeVar("T")


class DateInput(forms.DateInput):
    input_type = "date"


class _RoleFields(forms.Form):
    # No role is chosen for the person: a director picks one (never "Director" by default).
    role = forms.ChoiceField(choices=[("", "Choose a role"), *Role.choices])
    branch = forms.ModelChoiceField(
        queryset=Branch.objects.none(),
        required=False,
        empty_label="Whole library",
        help_text="Leave as whole library unless the role is for one branch only.",
    )
    ends_on = forms.DateField(
        required=False,
        widget=DateInput,
        label="Access ends on",
        help_text="Required for contractors. Leave empty for no end date.",
    )

    def __init__(self, *args: Any, library: Library, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = library.branches.all()  # type: ignore[attr-defined]

    def clean_ends_on(self) -> datetime.date | None:
        ends_on: datetime.date | None = self.cleaned_data.get("ends_on")
        if ends_on is not None and ends_on < timezone.localdate():
            raise forms.ValidationError("The end date is in the past.")
        return ends_on


class RoleForm(_RoleFields):
    pass


class StaffCreateForm(_RoleFields):
    username = forms.SlugField(max_length=150, help_text="Letters, digits, - and _ only.")
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(help_text="Where the person's set-password link goes.")
    password = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        label="Initial password (optional)",
        help_text="Leave empty to e-mail the person a link to set their own password. "
        + password_validators_help_text_html(),
    )
    field_order = [
        "first_name",
        "last_name",
        "username",
        "email",
        "role",
        "branch",
        "ends_on",
        "password",
    ]


class MembershipForm(forms.Form):
    branch = forms.ModelChoiceField(
        queryset=Branch.objects.none(), required=False, empty_label="Whole library"
    )
    ends_on = forms.DateField(required=False, widget=DateInput, label="Access ends on")

    def __init__(self, *args: Any, library: Library, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = library.branches.all()  # type: ignore[attr-defined]


class RevokeForm(forms.Form):
    reason = forms.CharField(
        max_length=500, required=False, help_text="Why the role ends (kept in the audit log)."
    )


class SecondFactorResetForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        help_text="Why, for example: phone lost. Kept in the audit log.",
    )


# The zones of the United States first, in words; then every other zone by its name.
US_TIME_ZONES = [
    ("America/New_York", "Eastern (New York)"),
    ("America/Detroit", "Eastern (Detroit)"),
    ("America/Indiana/Indianapolis", "Eastern (Indianapolis)"),
    ("America/Chicago", "Central (Chicago)"),
    ("America/Denver", "Mountain (Denver)"),
    ("America/Boise", "Mountain (Boise)"),
    ("America/Phoenix", "Mountain, no daylight saving time (Phoenix)"),
    ("America/Los_Angeles", "Pacific (Los Angeles)"),
    ("America/Anchorage", "Alaska (Anchorage)"),
    ("Pacific/Honolulu", "Hawaii (Honolulu)"),
    ("America/Puerto_Rico", "Atlantic (Puerto Rico)"),
    ("Pacific/Guam", "Chamorro (Guam)"),
]


def time_zone_choices() -> list[tuple[str, Any]]:
    named = {name for name, _ in US_TIME_ZONES}
    others = sorted(
        name for name in zoneinfo.available_timezones() - named if "/" in name or name == "UTC"
    )
    return [
        ("United States", US_TIME_ZONES),
        ("Other time zones", [(name, name.replace("_", " ")) for name in others]),
    ]


class LibrarySettingsForm(forms.Form):
    idle_timeout_minutes = forms.IntegerField(
        min_value=1,
        max_value=120,
        label="Lock idle sessions after (minutes)",
        help_text="Staff sessions lock after this much inactivity.",
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=time_zone_choices,
        help_text="Pages, mail and letters about this library show dates and times in it.",
    )


class UnlockForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}), label="Password"
    )


def add_action_errors(
    form: forms.Form, exc: ValidationError, rename: dict[str, str] | None = None
) -> None:
    """Put an action's ValidationError on the form: on the field it names (``rename`` maps
    an action's argument to the form's field), else on the form as a whole."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        name = (rename or {}).get(name, name)
        form.add_error(name if name in form.fields else None, errors)


def focus_first_error(form: forms.Form) -> None:
    """Put the cursor on the first field to correct when a refused form is shown again far
    down a long page, so that the browser brings the error into view where the person is
    looking (an error for the whole form: its first field, just under the error box)."""
    names = [name for name in form.errors if name in form.fields] or [
        name for name, field in form.fields.items() if not field.widget.is_hidden
    ]
    if names:
        form.fields[names[0]].widget.attrs["autofocus"] = True


def flash_errors(request: HttpRequest, exc: ValidationError, prefix: str = "") -> None:
    """An action's ValidationError as error messages on the next page."""
    for text in exc.messages:
        messages.error(request, f"{prefix}{text}")


def _flash_form_errors(request: HttpRequest, form: forms.Form, prefix: str) -> None:
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = f"{field.label or name.replace('_', ' ').capitalize()}: " if field else ""
        for text in errors:
            messages.error(request, f"{prefix or label}{text}")


@dataclass(frozen=True)
class Done(Generic[T]):
    """What :func:`submit` returns when the action ran: its result."""

    result: T


def submit(
    request: HttpRequest,
    form: forms.Form | None,
    action: Callable[[dict[str, Any]], T],
    *,
    success: str | Callable[[T], str] = "",
    rename: dict[str, str] | None = None,
    flash: bool | str = False,
) -> Done[T] | None:
    """The one way a view posts a form to an action (DESIGN mechanism 1).

    Validates ``form`` (``None``: a button with no fields), then calls
    ``action(form.cleaned_data)``.  An action's ValidationError writes nothing (the action's
    transaction is rolled back) and goes on the form, on the field it names (``rename`` maps
    an action's argument to the form's field).  When the action ran, ``success`` (text, or a
    function of the result) becomes a message and :class:`Done` carries the result; else
    ``None`` and the view shows the form again.  ``flash=True`` is for a form posted from
    another page that redirects back there: its errors become messages on that page, each
    after the field's label, or after ``flash`` itself when it is text ("No PIN set: ").

        if done := submit(request, form, lambda data: actions.close(actor=..., **data),
                          success="Closed."):
            return redirect("detail", pk=done.result.pk)
        return render(request, "form.html", {"form": form})
    """
    data: dict[str, Any] = {}
    if form is not None:
        if not form.is_valid():
            if flash:
                _flash_form_errors(request, form, flash if isinstance(flash, str) else "")
            return None
        data = form.cleaned_data
    try:
        result = action(data)
    except ValidationError as exc:
        if form is None or flash:
            flash_errors(request, exc, flash if isinstance(flash, str) else "")
        else:
            add_action_errors(form, exc, rename)
        return None
    text = success(result) if callable(success) else success
    if text:
        messages.success(request, text)
    return Done(result)
