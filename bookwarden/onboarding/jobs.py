"""The onboarding app's periodic job (discovered by :mod:`bookwarden.jobs`)."""

from __future__ import annotations

import datetime

from bookwarden.jobs.registry import periodic

from .reminders import send_reminders


@periodic(
    "duty_reminders",
    title="Reminders of staff tasks",
    every=datetime.timedelta(hours=1),
    description="Mail each person once when a task is given to them, once a week before it "
    "is due and once when it is overdue; tell human resources of people far overdue.",
)
def duty_reminders() -> str:
    """CC-1, IT-1, IT-11, LV-8, CC-10: each mail once (the reminder ledger), as the
    installation.  The output gives counts only, nothing of any library."""
    return str(send_reminders())
