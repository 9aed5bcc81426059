"""The audit log's periodic jobs (discovered by :mod:`bookwarden.jobs`): the nightly anchor,
the weekly full check and the directors' weekly mail of the log's head (LV-3, CC-9;
docs/threat-model.md)."""

from __future__ import annotations

import datetime

from bookwarden.jobs.registry import periodic
from bookwarden.mail.delivery import mail_is_set_up

from .anchoring import anchor_head, mail_head_to_directors
from .anchors import read_anchors
from .verify import verify_chain


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
    "audit-verify",
    title="Audit log full check",
    every=datetime.timedelta(days=7),
    description="Walk the whole audit log, every chain from its first event, and every anchor.",
)
def audit_verify() -> str:
    """The weekly full walk (LV-3, CC-9): the nightly anchor checks only what is newer than
    the anchors; this finds a change anywhere.  Fails, naming the first bad event."""
    result = verify_chain(anchors=read_anchors())
    if not result.ok:
        raise RuntimeError(f"The audit log fails its check: {result.reason}.")
    return f"Audit log checked whole: {result.events} events in {len(result.heads)} chains."


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
