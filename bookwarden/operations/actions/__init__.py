"""Every write to the security operations log (DESIGN mechanism 1; IT-10, CC-9, IT-9, IT-7,
IT-4, CC-2).

Each action runs in one transaction, takes the acting person as ``actor=`` (``None`` for the
command line, the demo and the job loop), checks the permission and records its audit event
in the same transaction.  Mail is queued in the outbox inside the same transaction
(:func:`bookwarden.mail.actions.queue_mail`), so an incident and the notices about it commit
together.  Audit events carry ids, kinds and the *names* of changed text fields, never the
narrative, titles or file names (which may name a patron).

By feature:

* :mod:`.entries` -- reporting a concern, recording, updating and closing an entry, its
  attachments, the passwords changed after outside access, the export on record;
* :mod:`.timeline` -- the steps of an entry's timeline;
* :mod:`.incidents` -- who is told of an incident, acknowledgement and escalation;
* :mod:`.settings` -- the library's escalation time and timeliness targets.

Callers import from here (``from bookwarden.operations import actions``).  Public API for
other apps: :func:`add_step` (keep its signature).
"""

from __future__ import annotations

from .entries import (
    EDITABLE,
    MAX_ATTACHMENT_BYTES,
    REPORT_KINDS,
    add_attachment,
    close_entry,
    create_entry,
    record_export,
    report_concern,
    resolve_outside_access,
    update_entry,
)
from .incidents import (
    INCIDENT_ROLES,
    INTEGRITY_ROLES,
    acknowledge,
    escalate_unacknowledged,
)
from .settings import escalation_minutes, update_settings
from .timeline import STEP_PERMS, add_step, add_step_as_of

__all__ = [
    "EDITABLE",
    "INCIDENT_ROLES",
    "INTEGRITY_ROLES",
    "MAX_ATTACHMENT_BYTES",
    "REPORT_KINDS",
    "STEP_PERMS",
    "acknowledge",
    "add_attachment",
    "add_step",
    "add_step_as_of",
    "close_entry",
    "create_entry",
    "escalate_unacknowledged",
    "escalation_minutes",
    "record_export",
    "report_concern",
    "resolve_outside_access",
    "update_entry",
    "update_settings",
]
