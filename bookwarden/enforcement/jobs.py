"""The periodic jobs of the enforcement app (discovered by :mod:`bookwarden.jobs`)."""

from __future__ import annotations

import datetime

from bookwarden.jobs.registry import periodic

from .actions import end_expired_suspensions


@periodic(
    "suspensions",
    title="End of suspensions",
    every=datetime.timedelta(hours=1),
    description="End suspensions whose end date has come and turn the accounts back on.",
)
def suspensions() -> str:
    """LV-12: a suspension is temporary.  Each one whose end date has come is ended as the
    installation (no actor, one ``enforcement.suspension_ended`` event each) and its account
    works again unless another lock or suspension holds it.  The output names a count only,
    nothing of any library."""
    ended = end_expired_suspensions()
    return f"{ended} suspension{'s' if ended != 1 else ''} ended."
