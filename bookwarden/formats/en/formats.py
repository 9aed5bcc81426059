"""Bookwarden's date and time formats (core/when.py): they replace Django's English ones,
so that a date or time a template prints without a filter looks the same as ``|when``."""

DATE_FORMAT = "M j, Y"
DATETIME_FORMAT = "M j, Y, g:i A"
TIME_FORMAT = "g:i A"
SHORT_DATE_FORMAT = "M j, Y"
SHORT_DATETIME_FORMAT = "M j, Y, g:i A"
MONTH_DAY_FORMAT = "M j"
YEAR_MONTH_FORMAT = "M Y"
