"""Every CSV the project hands out is written by ``core.files.csv_writer``: a cell typed by a
patron or a member of staff can never run as a spreadsheet formula (CSV injection)."""

from __future__ import annotations

import csv
import decimal
import io

import pytest

from bookwarden.core.files import csv_writer


def _written(row: list[object]) -> list[str]:
    out = io.StringIO()
    csv_writer(out).writerow(row)
    return next(csv.reader(io.StringIO(out.getvalue())))


@pytest.mark.parametrize(
    "typed", ['=HYPERLINK("http://x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_text_that_a_spreadsheet_would_run_is_kept_as_text(typed: str) -> None:
    assert _written([typed]) == ["'" + typed]


def test_plain_text_numbers_and_empty_cells_are_unchanged() -> None:
    row = ["Lost card", 42, -3, decimal.Decimal("-1.50"), 2.5, None, "", "a=b"]
    assert _written(row) == ["Lost card", "42", "-3", "-1.50", "2.5", "", "", "a=b"]
