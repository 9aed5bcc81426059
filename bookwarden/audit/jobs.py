"""The audit log's periodic jobs (discovered by :mod:`bookwarden.jobs`): the nightly anchor
and the directors' weekly mail of the log's head (LV-3, CC-9; docs/threat-model.md)."""

from __future__ import annotations

import datetime

from bookwarden.jobs.registry import periodic
from bookwarden.mail.delivery import mail_is_set_up

from .anchoring import anchor_head, mail_head_to_directors


@periodic(
    "audit-anchor",
    title="Audit log check",
    every=datetime.timedelta(days=1),
    description="Check the audit log and write its newest event to the anchor folder.",
)
def audit_anchor() -> str:
    """Fails, writing nothing, if the log fails ``audit verify`` (an anchor no longer
    matches, an event was changed): that failure is the alarm."""
    anchor = anchor_head()
    if anchor is None:
        return "The audit log is empty: nothing to anchor."
    return f"Audit log checked and anchored at event #{anchor.seq}."


@periodic(
    "audit-head-mail",
    title="Audit log check number by mail",
    every=datetime.timedelta(days=7),
    description="Mail each library's directors the audit log's newest event, to keep.",
)
def audit_head_mail() -> str:
    if not mail_is_set_up():
        return "Mail is not set up (EMAIL_HOST): no mail queued."
    mailed = mail_head_to_directors()
    return f"Queued for the directors of {mailed} librar{'ies' if mailed != 1 else 'y'}."
