from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from bookwarden.patrons.forms import NewPinForm


class LoginForm(forms.Form):
    card_number = forms.CharField(
        label=_("Library card number"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "numeric"}),
    )
    pin = forms.CharField(
        label=_("PIN"),
        max_length=12,
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "inputmode": "numeric"}
        ),
    )


class ReadingHistoryForm(forms.Form):
    keep = forms.TypedChoiceField(
        label=_("Reading history"),
        choices=[
            ("yes", _("Keep a list of what I borrow, so that I can look back at it")),
            ("no", _("Do not keep it: forget each item once I return it and owe nothing")),
        ],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )


class ChangePinForm(NewPinForm):
    """The patron changes their own PIN: the current one first."""

    current = forms.CharField(
        label=_("Current PIN"),
        max_length=12,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["current", "pin", "pin_again"]


class LanguageForm(forms.Form):
    """The language switch on every portal page: one button per language."""

    language = forms.ChoiceField(choices=settings.LANGUAGES)
