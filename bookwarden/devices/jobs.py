"""The periodic job of the devices app (discovered by :mod:`bookwarden.jobs`)."""

from __future__ import annotations

import datetime

from bookwarden.core.wording import counted
from bookwarden.jobs.registry import periodic

from .sync import sync_from_other_apps


@periodic(
    "devices",
    title="Devices updated from the operations log and enforcement",
    every=datetime.timedelta(minutes=15),
    description="Record the patches that operations log entries name, and mark isolated the "
    "devices that an enforcement case isolated or a suspension names.",
)
def devices() -> str:
    """CC-7, IT-9: safe to run twice (each patch is recorded once per entry; an isolation
    ended by hand is not repeated).  The output names counts only."""
    patched, isolated, returned = sync_from_other_apps()
    return (
        f"{counted(patched, 'patch', 'patches')} recorded, "
        f"{counted(isolated, 'device')} isolated, {returned} returned to service."
    )
