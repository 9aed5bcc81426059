"""Template context for every page: the navigation by role."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .navigation import menu


def navigation(request: HttpRequest) -> dict[str, Any]:
    return menu(request)
