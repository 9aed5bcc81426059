"""The periodic job of the shared logins (discovered by :mod:`bookwarden.jobs`)."""

from __future__ import annotations

import datetime

from bookwarden.jobs.registry import periodic

from .actions import mark_due_from_changes


@periodic(
    "credentials",
    title="Shared logins to change now",
    every=datetime.timedelta(hours=1),
    description="Mark to change now every shared login that an outside party's access "
    "named since its last change, or whose holder left or lost the IT role.",
)
def credentials() -> str:
    """IT-4: safe to run twice (a login already due now is left alone); the output names a
    count only."""
    marked = mark_due_from_changes()
    return f"{marked} shared login{'s' if marked != 1 else ''} marked to change now."
