"""A breach involving patron information (CR-6e): notify the affected patrons, review the
practice, change procedures.

A :class:`Breach` hangs off one incident of the security operations log
(:class:`bookwarden.operations.models.LogEntry`).  It names the staff accounts that were
compromised and a time window; the affected patrons (:class:`AffectedPatron`) are listed
from the audit log -- every patron whose library records those accounts opened in the
window -- plus any listed by hand.  Each affected patron gets a notice (e-mail through the
outbox, or a printed letter) whose state is tracked here; the post-incident review closes
the breach.  Only ids, dates and record *types* are kept: never record contents.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When

from bookwarden.core.models import Library, ScopedQuerySet


class BreachStatus(models.TextChoices):
    DECLARED = "declared", "Declared: listing the affected patrons"
    NOTIFYING = "notifying", "Notifying the affected patrons"
    REVIEWED = "reviewed", "Reviewed: practice evaluated, procedures changed"


class Source(models.TextChoices):
    AUDIT = "audit", "From the audit log"
    BY_HAND = "by_hand", "Added by hand"


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    LETTER = "letter", "Printed letter"


class NoticeStatus(models.TextChoices):
    PENDING = "pending", "Not yet notified"
    QUEUED = "queued", "E-mail waiting in the outbox"
    SENT = "sent", "E-mail sent"
    FAILED = "failed", "E-mail could not be sent"
    LETTER_PENDING = "letter_pending", "Letter to print"
    PRINTED = "printed", "Letter printed, not yet mailed"
    LETTER_SENT = "letter_sent", "Letter mailed"


#: What is stored; ``SENT`` and ``FAILED`` come from the outbox message (see
#: :meth:`AffectedPatronQuerySet.with_notice_state`).
STORED_STATUSES = frozenset(
    {
        NoticeStatus.PENDING,
        NoticeStatus.QUEUED,
        NoticeStatus.LETTER_PENDING,
        NoticeStatus.PRINTED,
        NoticeStatus.LETTER_SENT,
    }
)
#: Notice states that still need someone to act (the "My tasks" reminder).
NOT_YET_NOTIFIED = frozenset({NoticeStatus.PENDING, NoticeStatus.FAILED})
LETTER_NOT_SENT = frozenset({NoticeStatus.LETTER_PENDING, NoticeStatus.PRINTED})


class Breach(models.Model):
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    entry = models.OneToOneField(
        "operations.LogEntry",
        on_delete=models.PROTECT,
        related_name="breach",
        help_text="The incident of the security operations log.",
    )
    window_start = models.DateTimeField(help_text="From when the accounts may have been misused.")
    window_end = models.DateTimeField(help_text="Until when.")
    accounts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="+",
        help_text="The staff accounts that were compromised.",
    )
    # What the notice to each patron says, in plain words (never the entry's narrative,
    # which is written for staff).
    summary = models.TextField(help_text="What happened, in plain words, for the patrons.")
    library_response = models.TextField(help_text="What the library is doing about it.")
    contact = models.TextField(help_text="Whom patrons may contact with questions, and how.")
    status = models.CharField(
        max_length=12, choices=BreachStatus.choices, default=BreachStatus.DECLARED
    )
    declared_at = models.DateTimeField()
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # The post-incident review (CR-6e: review the practice, change procedures).
    practice_evaluated = models.TextField(blank=True)
    procedures_changed = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-declared_at", "-pk"]
        verbose_name_plural = "breaches"
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gte=models.F("window_start")),
                name="breach_window_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Breach #{self.pk}"

    @property
    def title(self) -> str:
        """What happened, as a heading reads it: the incident's title without a leading
        "Breach:" (the page already says it is a breach)."""
        title = self.entry.title.strip()
        for prefix in ("breach:", "breach -"):
            if title.lower().startswith(prefix):
                title = title[len(prefix) :].strip()
        return (
            title[:1].upper() + title[1:]
            if title
            else f"Breach declared on incident {self.entry_id}"
        )

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None


class AffectedPatronQuerySet(ScopedQuerySet):
    library_field = "breach__library"

    def with_notice_state(self) -> AffectedPatronQuerySet:
        """Annotate ``notice_state``: the stored status, except that a queued e-mail
        follows its outbox message (sent when the outbox says sent, failed when it gave
        up)."""
        return self.annotate(
            notice_state=Case(
                When(
                    notice_status=NoticeStatus.QUEUED,
                    outbox_message__status="sent",
                    then=Value(NoticeStatus.SENT.value),
                ),
                When(
                    notice_status=NoticeStatus.QUEUED,
                    outbox_message__status="failed",
                    then=Value(NoticeStatus.FAILED.value),
                ),
                default=F("notice_status"),
                output_field=models.CharField(),
            )
        )


class AffectedPatron(models.Model):
    breach = models.ForeignKey(Breach, on_delete=models.PROTECT, related_name="affected")
    # PROTECT: the record of who was notified of a breach is evidence, kept with the patron.
    patron = models.ForeignKey("patrons.Patron", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices)
    reason = models.TextField(blank=True, help_text="Why the patron was added by hand.")
    first_opened_at = models.DateTimeField(
        null=True, blank=True, help_text="The first opening in the window (audit log)."
    )
    openings = models.PositiveIntegerField(default=0, help_text="Openings in the window.")
    #: The record types opened (keys of bookwarden.patrons.records.RECORD_TYPES), from the
    #: audit events; never the records themselves.
    record_types = models.JSONField(default=list, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    notice_status = models.CharField(
        max_length=16, choices=NoticeStatus.choices, default=NoticeStatus.PENDING
    )
    outbox_message = models.ForeignKey(
        "mail.OutboxMessage", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    notified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    letter_printed_at = models.DateTimeField(null=True, blank=True)
    letter_printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    marked_sent_at = models.DateTimeField(null=True, blank=True)
    marked_sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = AffectedPatronQuerySet.as_manager()

    class Meta:
        ordering = ["breach", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["breach", "patron"], name="breach_patron_unique"),
        ]

    def __str__(self) -> str:
        # Never the patron's name: this may end up in logs.
        return f"Affected patron #{self.pk} of breach #{self.breach_id}"

    @property
    def state(self) -> str:
        """The notice state (see :meth:`AffectedPatronQuerySet.with_notice_state`)."""
        annotated: Any = getattr(self, "notice_state", None)
        if annotated is not None:
            return str(annotated)
        if self.notice_status == NoticeStatus.QUEUED and self.outbox_message is not None:
            if self.outbox_message.status == "sent":
                return NoticeStatus.SENT
            if self.outbox_message.status == "failed":
                return NoticeStatus.FAILED
        return self.notice_status

    @property
    def state_label(self) -> str:
        return str(NoticeStatus(self.state).label)
