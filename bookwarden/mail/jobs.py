"""The outbox's periodic job (discovered by :mod:`bookwarden.jobs`)."""

from __future__ import annotations

import datetime

from bookwarden.jobs.registry import periodic

from .delivery import deliver_due


@periodic(
    "mail",
    title="Outgoing mail",
    every=datetime.timedelta(minutes=1),
    description="Send the mail waiting in the outbox; retry while the mail server is down.",
)
def mail() -> str:
    return deliver_due().summary()
