"""The periodic job of leavers (discovered by :mod:`bookwarden.jobs`)."""

from __future__ import annotations

import datetime

from bookwarden.core.wording import counted
from bookwarden.jobs.registry import periodic

from .actions import end_due_accounts


@periodic(
    "departures",
    title="End of access of people who left",
    every=datetime.timedelta(hours=1),
    description="End the access of people whose last day is over, and of contractors whose "
    "end date has passed, at their library.",
)
def departures() -> str:
    """CC-1, LV-3: a person's access ends when their last day is over in the library's time
    zone, and a contractor's when their end date has passed; each through
    ``people.actions.end_account``, one transaction per person, as the installation.  A
    person whose ending failed is untouched and tried again at the next run, and the run
    fails so that the installation's administrator sees it.  The output names counts only."""
    ended, failed = end_due_accounts()
    if failed:
        raise RuntimeError(
            f"{counted(ended, 'account')} ended; {counted(failed, 'account')} could not be "
            "ended and will be tried again at the next run."
        )
    return f"{counted(ended, 'account')} ended."
