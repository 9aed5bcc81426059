"""The periodic job of the compliance controls (discovered by :mod:`bookwarden.jobs`)."""

from __future__ import annotations

import datetime

from bookwarden.jobs.registry import periodic

from .snapshots import write_snapshots


@periodic(
    "compliance_snapshots",
    title="Daily snapshot of the compliance controls",
    every=datetime.timedelta(days=1),
    description="Record each control's status at each library for today, for the history "
    "of the controls, the dashboard and the board report.",
)
def compliance_snapshots() -> str:
    """CC-8: safe to run twice the same day (the day's rows are replaced); the output names
    a count only."""
    written = write_snapshots()
    return f"{written} control statuses recorded."
