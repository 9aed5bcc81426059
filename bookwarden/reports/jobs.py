"""The weekly digest job (discovered by :mod:`bookwarden.jobs`)."""

from __future__ import annotations

import datetime

from bookwarden.jobs.registry import periodic

from .digest import send_digests


@periodic(
    "compliance_digest",
    title="Weekly compliance digest to the directors",
    every=datetime.timedelta(days=1),
    description="Mail each library's director, once a week, what changed in the compliance "
    "program, what is overdue and which controls fail (through the outbox).",
)
def compliance_digest() -> str:
    """Named to sort before ``mail``: the loop runs its jobs by name, so the digest queued
    on a tick goes out on the same tick.  Checked daily, mailed once per library and ISO
    week (the outbox's dedupe key): safe to run twice and to stop halfway (each library's
    mail commits with its audit event)."""
    queued = send_digests()
    return f"{queued} weekly digest{'s' if queued != 1 else ''} queued."
