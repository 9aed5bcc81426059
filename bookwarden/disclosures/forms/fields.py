"""Fields and widgets the disclosure forms share."""

from __future__ import annotations

from django import forms

DATE = forms.DateInput(attrs={"type": "date"})


_YES_NO_UNKNOWN = [("yes", "Yes"), ("no", "No"), ("", "Not known")]


def yes_no_unknown(label: str, help_text: str = "") -> forms.TypedChoiceField:
    """A question answered yes, no or not known (None: the rules then ask for it)."""
    return forms.TypedChoiceField(
        label=label,
        choices=_YES_NO_UNKNOWN,
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        required=False,
        initial="",
        widget=forms.RadioSelect,
        help_text=help_text,
    )
