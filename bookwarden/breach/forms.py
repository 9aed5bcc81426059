"""Forms of the breach pages (CR-6e)."""

from __future__ import annotations

from typing import Any

from django import forms

from bookwarden.core.models import Library, User


class _Local(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def staff_of(library: Library) -> Any:
    """Anyone who ever held a role at the library (a compromised account is often revoked
    by the time the breach is declared)."""
    return User.objects.filter(memberships__library=library).distinct().order_by("username")


class _AccountsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.username})"


class ScopeForm(forms.Form):
    window_start = forms.DateTimeField(
        label="Window starts",
        widget=_Local(),
        help_text="The earliest time the accounts may have been misused (library's time zone).",
    )
    window_end = forms.DateTimeField(
        label="Window ends",
        widget=_Local(),
        help_text="The latest time, for example when the passwords were changed.",
    )
    accounts = _AccountsField(
        label="Compromised staff accounts",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, library: Library, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["accounts"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = staff_of(library)


class DeclareForm(ScopeForm):
    summary = forms.CharField(
        label="What happened, for the patrons",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Plain words, no names: it goes into every notice.",
        initial="A staff account's password was stolen and used by someone outside the "
        "library to look at patrons' library records.",
    )
    library_response = forms.CharField(
        label="What the library is doing",
        widget=forms.Textarea(attrs={"rows": 3}),
        initial="We locked the account, changed its password, checked every other staff "
        "account and are reviewing how staff sign in.",
    )
    contact = forms.CharField(
        label="Whom patrons may contact",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A name, a phone number, an e-mail address.",
    )


class AddPatronForm(forms.Form):
    card_number = forms.CharField(
        label="Card number",
        max_length=64,
        help_text="Any card of the patron at this library, even one reported lost.",
    )
    reason = forms.CharField(
        label="Why is this patron affected?",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: their card number was on a screenshot the intruder took.",
    )


class LettersForm(forms.Form):
    reprint = forms.BooleanField(label="Also print the letters printed before", required=False)


class ReviewForm(forms.Form):
    practice_evaluated = forms.CharField(
        label="Practice evaluated",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Which practice was reviewed after the breach, and what was found.",
    )
    procedures_changed = forms.CharField(
        label="Procedures changed",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the library now does differently (or why nothing changes).",
    )
