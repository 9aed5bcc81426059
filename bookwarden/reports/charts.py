"""Charts drawn on the server as SVG (issue 17: no script, no CDN, the CSP stays strict).

A :class:`Chart` holds its numbers (one value per month and series); :func:`draw` turns it
into the geometry that ``reports/_chart.html`` writes as SVG markup, with Django's escaping.
Colours come from classes (``series-0`` ...) in ``reports/charts.css``, never from a style
attribute.  The same numbers give the table beside the chart (for screen readers) and its
CSV (:func:`csv_text`), so that the picture, the table and the download never disagree.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from bookwarden.core.files import csv_writer

from .months import Month

#: The drawing's box (viewBox units; the SVG scales to the width of its column).
WIDTH = 640
HEIGHT = 300
LEFT = 64
RIGHT = 16
TOP = 16
BOTTOM = 64
#: Colour classes: as many as a chart may have series.
SERIES_CLASSES = 8

Value = int | float | None


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[Value, ...]
    #: A colour class of its own ("series-2"), where a colour means something (failing).
    css: str = ""


@dataclass(frozen=True)
class Chart:
    """One chart: ``kind`` is ``"bar"`` (stacked bars: counts that add up) or ``"line"``."""

    key: str
    title: str
    description: str
    kind: str
    months: tuple[Month, ...]
    series: tuple[Series, ...]
    y_label: str
    unit: str = ""  # "%" for a share drawn on 0..100
    note: str = ""

    def rows(self) -> list[tuple[Month, list[Value]]]:
        """Month by month, the value of each series: the table and the CSV."""
        return [(m, [s.values[i] for s in self.series]) for i, m in enumerate(self.months)]

    @property
    def is_empty(self) -> bool:
        return all(not v for s in self.series for v in s.values)

    @property
    def dom_id(self) -> str:
        return f"chart-{self.key}"


def shown(value: Value, unit: str = "") -> str:
    """A number as the table prints it: whole numbers without decimals; None as a dash."""
    if value is None:
        return "\u2013"
    text = str(int(value)) if float(value).is_integer() else f"{value:.1f}"
    return f"{text}{unit}" if unit == "%" else text


# --- Geometry ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class XLabel:
    x: float
    month: str
    year: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    value: Value
    title: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: Value
    title: str


@dataclass(frozen=True)
class Line:
    css: str
    name: str
    points: tuple[Point, ...]
    paths: tuple[str, ...]  # "x,y x,y ..." of each unbroken run (a missing month breaks it)


@dataclass
class Drawing:
    chart: Chart
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_x: int = WIDTH - RIGHT
    top: int = TOP
    base_y: int = HEIGHT - BOTTOM
    ticks: list[Tick] = field(default_factory=list)
    x_labels: list[XLabel] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)

    @property
    def y_label_x(self) -> int:
        return 16

    @property
    def y_label_y(self) -> float:
        return (self.top + self.base_y) / 2

    @property
    def x_label_y(self) -> int:
        return self.height - 8

    @property
    def mid_x(self) -> float:
        return (self.left + self.right_x) / 2

    @property
    def legend(self) -> list[tuple[str, str]]:
        return [(series_class(i, s), s.name) for i, s in enumerate(self.chart.series)]


def series_class(index: int, series: Series | None = None) -> str:
    if series is not None and series.css:
        return series.css
    return f"series-{index % SERIES_CLASSES}"


def nice_top(largest: float) -> tuple[float, float]:
    """The top of the axis and the step between ticks: 1, 2 or 5 times a power of ten, so
    that four or five gridlines carry round numbers."""
    if largest <= 4:
        return 4.0, 1.0
    raw = largest / 4
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        step = factor * power
        if step >= raw:
            break
    if step < 1 and largest >= 1:
        step = 1
    return step * math.ceil(largest / step), float(step)


def _stack_tops(chart: Chart) -> list[float]:
    return [sum(v or 0 for v in values) for _, values in chart.rows()]


def draw(chart: Chart) -> Drawing:
    """The geometry of ``chart``: axes with round ticks, then stacked bars or lines."""
    d = Drawing(chart)
    if chart.unit == "%":
        top, step = 100.0, 25.0
    elif chart.kind == "bar":
        top, step = nice_top(max(_stack_tops(chart), default=0))
    else:
        present = [float(v) for s in chart.series for v in s.values if v is not None]
        top, step = nice_top(max(present, default=0.0))
    span = d.base_y - d.top

    def y_of(value: float) -> float:
        return round(d.base_y - span * (value / top), 2)

    n = 0
    while n * step <= top + 1e-9:
        value = n * step
        label = shown(value) + ("%" if chart.unit == "%" else "")
        d.ticks.append(Tick(y_of(value), label))
        n += 1
    slot = (d.right_x - d.left) / max(len(chart.months), 1)
    for i, month in enumerate(chart.months):
        x = d.left + slot * (i + 0.5)
        year = str(month.year) if i == 0 or month.month == 1 else ""
        d.x_labels.append(XLabel(round(x, 2), month.short, year))
    if chart.kind == "bar":
        width = round(slot * 0.6, 2)
        for i, (month, values) in enumerate(chart.rows()):
            x = round(d.left + slot * i + (slot - width) / 2, 2)
            bottom = 0.0
            for s, cell in enumerate(values):
                if not cell:
                    continue
                value = float(cell)
                y_top = y_of(bottom + value)
                height = round(y_of(bottom) - y_top, 2)
                name = chart.series[s].name
                title = f"{month.label}, {name}: {shown(cell, chart.unit)}"
                css = series_class(s, chart.series[s])
                d.bars.append(Bar(x, y_top, width, height, css, cell, title))
                bottom += value
    else:
        for s, series in enumerate(chart.series):
            points: list[Point] = []
            paths: list[str] = []
            run: list[str] = []
            for i, point in enumerate(series.values):
                if point is None:
                    if run:
                        paths.append(" ".join(run))
                    run = []
                    continue
                x = round(d.left + slot * (i + 0.5), 2)
                y = y_of(float(point))
                title = f"{chart.months[i].label}, {series.name}: {shown(point, chart.unit)}"
                points.append(Point(x, y, point, title))
                run.append(f"{x},{y}")
            if run:
                paths.append(" ".join(run))
            d.lines.append(Line(series_class(s, series), series.name, tuple(points), tuple(paths)))
    return d


def csv_text(chart: Chart) -> str:
    """The chart's numbers as CSV: the month (ISO, ``2026-03``) and one column per series."""
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(["month", *[s.name for s in chart.series]])
    for month, values in chart.rows():
        writer.writerow([month.iso, *["" if v is None else v for v in values]])
    return out.getvalue()


def from_counts(
    key: str,
    *,
    title: str,
    description: str,
    months: Sequence[Month],
    counts: dict[tuple[Month, str], int],
    names: Sequence[tuple[str, str]],
    y_label: str,
    keep_empty: bool = False,
    colours: dict[str, str] | None = None,
) -> Chart:
    """A stacked bar chart from counts by (month, category): ``names`` gives each category's
    words, in order; a category never counted is left out unless ``keep_empty``."""
    series = []
    for category, name in names:
        values = tuple(counts.get((m, category), 0) for m in months)
        if keep_empty or any(values):
            series.append(Series(name, values, (colours or {}).get(category, "")))
    return Chart(
        key=key,
        title=title,
        description=description,
        kind="bar",
        months=tuple(months),
        series=tuple(series),
        y_label=y_label,
    )
