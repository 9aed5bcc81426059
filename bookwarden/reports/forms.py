"""The choices of the reports: a year for the board report, a range for the auditor."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

#: How many past years the board report offers.
YEARS_BACK = 6


class DateInput(forms.DateInput):
    input_type = "date"


def year_choices(today: datetime.date | None = None) -> list[tuple[int, str]]:
    this_year = (today or timezone.localdate()).year
    return [(y, str(y)) for y in range(this_year, this_year - YEARS_BACK, -1)]


def default_year(today: datetime.date | None = None) -> int:
    """The year a board looks back on: the last one, until March; then this one so far."""
    today = today or timezone.localdate()
    return today.year - 1 if today.month <= 3 else today.year


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label="Year", coerce=int, choices=year_choices)

    def chosen(self) -> int:
        if self.is_valid():
            return int(self.cleaned_data["year"])
        return default_year()


class PackageForm(forms.Form):
    first = forms.DateField(label="From", widget=DateInput)
    last = forms.DateField(label="To (included)", widget=DateInput)

    @staticmethod
    def initial_range() -> dict[str, datetime.date]:
        today = timezone.localdate()
        return {
            "first": today.replace(year=today.year - 1) + datetime.timedelta(days=1),
            "last": today,
        }
