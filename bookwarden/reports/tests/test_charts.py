"""The SVG charts (issue 17): round ticks, bars and points where their numbers put them, a
missing month breaking a line, and text that is escaped (never markup)."""

from __future__ import annotations

from django.template.loader import render_to_string

from bookwarden.reports.charts import Chart, Series, csv_text, draw, nice_top
from bookwarden.reports.months import Month


def _months(n: int = 3) -> tuple[Month, ...]:
    return tuple(Month(2026, m) for m in range(1, n + 1))


def test_ticks_are_round_numbers_above_the_largest_value() -> None:
    assert nice_top(0) == (4.0, 1.0)
    assert nice_top(3) == (4.0, 1.0)
    assert nice_top(7) == (8.0, 2.0)
    assert nice_top(37) == (40.0, 10.0)
    assert nice_top(230) == (300.0, 100.0)


def test_stacked_bars_are_as_tall_as_their_numbers() -> None:
    chart = Chart(
        "c",
        "Title",
        "Text",
        "bar",
        _months(),
        (Series("A", (2, 0, 4)), Series("B", (2, 1, 0))),
        "n",
    )
    d = draw(chart)
    span = d.base_y - d.top  # the axis goes to 4: one unit is a quarter of the span
    assert [(b.value, b.height) for b in d.bars] == [
        (2, span / 2),
        (2, span / 2),
        (1, span / 4),
        (4, span),
    ]
    january = [b for b in d.bars if b.x == d.bars[0].x]
    assert january[1].y + january[1].height == january[0].y  # B sits on top of A


def test_a_missing_month_breaks_the_line() -> None:
    chart = Chart(
        "c",
        "T",
        "D",
        "line",
        _months(4),
        (Series("Share", (50.0, None, 25.0, 75.0)),),
        "%",
        unit="%",
    )
    d = draw(chart)
    [line] = d.lines
    assert len(line.paths) == 2 and [p.value for p in line.points] == [50.0, 25.0, 75.0]
    assert d.ticks[-1].label == "100%"
    assert csv_text(chart).splitlines() == [
        "month,Share",
        "2026-01,50.0",
        "2026-02,",
        "2026-03,25.0",
        "2026-04,75.0",
    ]


def test_text_is_escaped() -> None:
    chart = Chart("c", "<script>x</script>", "D", "bar", _months(1), (Series("<b>", (1,)),), "n")
    html = render_to_string("reports/_chart.html", {"d": draw(chart), "csv_url": "/x.csv"})
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>" not in html
    assert "style=" not in html
