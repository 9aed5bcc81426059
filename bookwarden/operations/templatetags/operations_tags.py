"""Template helpers of the operations log."""

from __future__ import annotations

from typing import Any

from django import template

from bookwarden.core.permissions import has_perm_anywhere
from bookwarden.core.roles import Perm

register = template.Library()


@register.filter
def may_report(user: Any) -> bool:
    """CC-2: whether the person may report a concern somewhere (no query: roles are read
    once per request)."""
    return has_perm_anywhere(user, Perm.REPORT_CONCERN)
