"""The outbox: every mail Bookwarden sends is first a row here (DESIGN: mail goes through
an outbox table so that nothing is lost while the mail server is down).

An action that must tell someone something (an incident to the director, a breach notice
to a patron) calls :func:`bookwarden.mail.actions.queue_mail` inside its own transaction:
the message exists if and only if the action happened.  The ``mail`` job of the job loop
(:mod:`bookwarden.mail.delivery`) sends what is due, retries with back-off while the server
is down, and gives up only after :data:`MAX_ATTEMPTS`, leaving the row as ``failed`` for
the technology coordinator to see.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bookwarden.core.models import Library, ScopedQuerySet
from bookwarden.core.permissions import has_installation_perm

#: Tries before a message is marked failed (about a day and a half with the back-off).
MAX_ATTEMPTS = 12


class MailStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed: gave up after repeated errors"


class OutboxQuerySet(ScopedQuerySet):
    def for_user(
        self, user: Any, perm: str | None = None, *, role: str | None = None
    ) -> OutboxQuerySet:
        """A library's mail for its people (with ``perm``: where they hold it), and the
        installation's own mail (no library) for the installation role (with ``perm``:
        if the role grants it) alone (issue 9)."""
        mine = cast("OutboxQuerySet", super().for_user(user, perm, role=role))
        if perm is None:
            installation = bool(getattr(user, "installation_role", "")) and user.is_active
        else:
            installation = has_installation_perm(user, perm)
        return mine | self.of_installation() if installation else mine

    def of_installation(self) -> OutboxQuerySet:
        """Mail of no library: the installation's own."""
        return self.filter(library__isnull=True)

    def of_libraries(self) -> OutboxQuerySet:
        return self.filter(library__isnull=False)


#: What each reason for a message means, in the words the outbox page shows (the reasons
#: are the strings the apps pass to ``queue_mail``; one not listed here is shown in words made
#: from its name).
REASON_LABELS = {
    "account.password_reset_key": "Password reset link",
    "account.unknown_account": "Password reset asked for an address with no account",
    "audit.head": "The audit log's newest event, for the directors to keep",
    "breach.patron_notice": "Breach notice to a patron",
    "disclosure_notice": "Notice to a patron that their records were released",
    "enforcement_inform": "Enforcement case for your attention",
    "onboarding.overdue_people": "Someone far overdue with a staff task, for human resources",
    "onboarding.reminder": "Reminder of a staff task",
    "operations.escalation": "Incident nobody acknowledged in time",
    "operations.incident": "Security incident to acknowledge",
    "reports.weekly_digest": "Weekly compliance digest for the director",
    "staff.set_password": "Set-password link for a new staff account",
}


class OutboxMessage(models.Model):
    library = models.ForeignKey(
        Library, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: Why the mail exists, e.g. "incident.reported" or "breach.patron_notice".
    reason = models.CharField(max_length=64)
    #: What it is about, as "<model label>:<pk>", for the page that sent it.
    about = models.CharField(max_length=100, blank=True)
    to = models.JSONField(help_text="The recipients' addresses.")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    #: A message queued twice with the same key is queued once (e.g. one notice per
    #: patron per breach).
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(
        max_length=10, choices=MailStatus.choices, default=MailStatus.QUEUED, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = OutboxQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="queued"),
                name="outbox_due",
            ),
        ]

    def __str__(self) -> str:
        # Never the subject or the body: they may name a patron.
        return f"Mail #{self.pk} ({self.status})"

    @property
    def reason_label(self) -> str:
        """Why the message exists, in plain words."""
        label = REASON_LABELS.get(self.reason)
        if label is None:
            words = " ".join(self.reason.replace(".", " ").replace("_", " ").split())
            label = words[:1].upper() + words[1:]
        return label
