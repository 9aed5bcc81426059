"""Forms of the compliance pages (fields only; the rules live in :mod:`.actions`)."""

from __future__ import annotations

from typing import Any

from django import forms

from .models import Answer

MAX_UPLOAD = 100_000


class NotApplicableForm(forms.Form):
    reason = forms.CharField(
        label="Why it does not apply",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Shown with the control, to the board and auditors too.",
    )


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(label="Answer", choices=Answer.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="What is in place, what is missing, or why it does not apply.",
    )


class OwnControlsForm(forms.Form):
    text = forms.CharField(
        label="Your controls, in the catalog's format",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false"}),
        help_text="Paste them here, or choose a file below. Leave empty to remove them.",
    )
    upload = forms.FileField(
        label="Or a file (.yaml)",
        required=False,
        help_text="A file replaces what is in the box above.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.pop("upload", None)
        if upload is not None:
            if upload.size > MAX_UPLOAD:
                self.add_error("upload", "The file is too large (at most 100 KB).")
                return data
            try:
                data["text"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("upload", "The file is not text (UTF-8).")
        return data
