"""How django-axes names the account a login attempt was for.

People type passwords into the username box.  Axes keeps the name of every failed attempt in
its own table, so an unknown name is stored as one placeholder, never as typed.  Known names
are folded to the account's own spelling, so that "MReyes" and "mreyes" count as failures
against the same account (no lockout bypass by changing case).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

UNKNOWN_ACCOUNT = "(unknown account)"


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    from .models import User

    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        data = getattr(request, "POST", {})
        typed = data.get("login") or data.get("username")
    if not typed:
        return None
    known = User.objects.filter(username__iexact=typed).values_list("username", flat=True)
    return known.first() or UNKNOWN_ACCOUNT
