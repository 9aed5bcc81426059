"""The onboarding settings form (fields and their checks; the rules are in the action)."""

from __future__ import annotations

from django import forms


class SettingsForm(forms.Form):
    new_account_days = forms.IntegerField(
        label="A person counts as new for (days)",
        min_value=1,
        max_value=365,
        help_text="From their first role at the library. New people are listed with their "
        "progress even once everything is done.",
    )
    tell_hr_after_days = forms.IntegerField(
        label="Tell human resources when someone is this many days late",
        min_value=1,
        max_value=365,
        help_text="Once for each person and task. Where the library has no human resources "
        "role, the director is told.",
    )
