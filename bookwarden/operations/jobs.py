"""The operations log's periodic job (discovered by :mod:`bookwarden.jobs`)."""

from __future__ import annotations

import datetime

from bookwarden.jobs.registry import periodic

from .actions import escalate_unacknowledged


@periodic(
    "escalation",
    title="Escalation of unacknowledged incidents",
    every=datetime.timedelta(minutes=5),
    description="Escalate security incidents that nobody has acknowledged in time.",
)
def escalation() -> str:
    count = escalate_unacknowledged()
    return f"{count} incident{'s' if count != 1 else ''} escalated"
