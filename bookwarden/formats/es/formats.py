"""Dates and times in Spanish, for the patron portal and the mail and letters to a patron
who reads Spanish (core/when.py): "2 de diciembre de 2026" and
"2 de diciembre de 2026, 16:19", as a Spanish reader writes them.  Amounts keep the point
of the dollars they count ("$2.50"), as Spanish is written in the United States."""

DATE_FORMAT = r"j \d\e F \d\e Y"
DATETIME_FORMAT = r"j \d\e F \d\e Y, H:i"
#: A moment to the second (``when(x, seconds=True)``).
DATETIME_SECONDS_FORMAT = r"j \d\e F \d\e Y, H:i:s"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = r"j \d\e F \d\e Y"
SHORT_DATETIME_FORMAT = r"j \d\e F \d\e Y, H:i"
MONTH_DAY_FORMAT = r"j \d\e F"
YEAR_MONTH_FORMAT = r"F \d\e Y"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 1
