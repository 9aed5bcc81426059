"""``{{ value|shown:unit }}``: a chart's number as its table prints it (reports/charts.py)."""

from __future__ import annotations

from django import template

from ..charts import Value
from ..charts import shown as shown_value

register = template.Library()


@register.filter
def shown(value: Value, unit: str = "") -> str:
    return shown_value(value, unit)
