"""Every write of leavers and account reviews (DESIGN mechanism 1; CC-1, LV-3).

Each action runs in one transaction, takes the acting person as ``actor=`` (``None`` for the
command line and the ``departures`` job, acting as the installation), checks the permission
at the library and records its audit event in the same transaction.  Events carry ids,
dates and codes, never the free text of a reason or a note.

* :mod:`.departures` -- a person's last day, changed or cancelled before it, and the one
  action that ends a person's access at a library (:func:`end_account`), used by the job,
  the pages, the command line and the account review;
* :mod:`.reviews` -- the account review: its period, starting, a decision per account,
  finishing.

Callers import from here: ``from bookwarden.people import actions``.
"""

from __future__ import annotations

from .departures import (
    cancel_departure,
    change_departure,
    end_account,
    end_due_accounts,
    end_expired_access,
    record_departure,
)
from .reviews import (
    confirm_unflagged,
    decide_account,
    finish_review,
    start_review,
    update_review_settings,
)

__all__ = [
    "cancel_departure",
    "change_departure",
    "confirm_unflagged",
    "decide_account",
    "end_account",
    "end_due_accounts",
    "end_expired_access",
    "finish_review",
    "record_departure",
    "start_review",
    "update_review_settings",
]
