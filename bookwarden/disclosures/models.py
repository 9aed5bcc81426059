"""Requests for library records and the library's own disclosure policy (CR-5a, CC-5, NM-1,
NM-2, CR-5c).  Every write goes through :mod:`bookwarden.disclosures.actions`."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from bookwarden.core import when as formats
from bookwarden.core.models import Library, ScopedQuerySet
from bookwarden.mail.models import MailStatus, OutboxMessage
from bookwarden.patrons.models import Patron

from .rules.evaluate import INSTRUMENT_TEXT, REQUESTER_TEXT
from .rules.schema import (
    COUNSEL_INSTRUMENTS,
    FINDINGS,
    INSTRUMENTS,
    ISSUER_TEXT,
    ISSUERS,
    OUTCOMES,
    RECORDS,
    REQUESTERS,
)
from .wording import FINDING_TEXT, OUTCOME_LABELS, labels

REQUESTER_CHOICES = [(k, REQUESTER_TEXT[k].removeprefix("the ").capitalize()) for k in REQUESTERS]
INSTRUMENT_CHOICES = [(k, INSTRUMENT_TEXT[k].capitalize()) for k in INSTRUMENTS]
FINDING_CHOICES = [(k, FINDING_TEXT[k]) for k in FINDINGS]
ISSUER_CHOICES = [(k, ISSUER_TEXT[k].capitalize()) for k in ISSUERS]
RECORD_CHOICES = list(RECORDS.items())
OUTCOME_CHOICES = [(k, OUTCOME_LABELS[k]) for k in OUTCOMES]


class Status(models.TextChoices):
    RECORDED = "recorded", "Recorded, awaiting the custodian"
    DECIDED = "decided", "Decided, awaiting fulfilment"
    FULFILLED = "fulfilled", "Fulfilled"
    CLOSED = "closed", "Closed"


class Verdict(models.TextChoices):
    RELEASE_ALL = "release_all", "Release all"
    RELEASE_PART = "release_part", "Release part"
    REFUSE = "refuse", "Refuse"


_WAITING_FOR_COUNSEL = models.Q(
    status=Status.RECORDED, instrument__in=COUNSEL_INSTRUMENTS, counsel_at__isnull=True
)
_CARRIED_OUT = models.Q(status__in=[Status.FULFILLED, Status.CLOSED])

#: What happened to a request, as people read it (issue 10), with the rows it selects.  A
#: request is in exactly one of these; the list filters by them.
SHOWN_STATUSES: dict[str, tuple[str, models.Q]] = {
    "waiting_for_counsel": ("Waiting for counsel", _WAITING_FOR_COUNSEL),
    "waiting_for_decision": (
        "Waiting for a decision",
        models.Q(status=Status.RECORDED) & ~_WAITING_FOR_COUNSEL,
    ),
    "refused": ("Refused", models.Q(verdict=Verdict.REFUSE)),
    "release_decided": (
        "Release decided, packet not produced yet",
        models.Q(status=Status.DECIDED) & ~models.Q(verdict=Verdict.REFUSE),
    ),
    "released": ("Released", models.Q(verdict=Verdict.RELEASE_ALL) & _CARRIED_OUT),
    "partly_released": ("Partly released", models.Q(verdict=Verdict.RELEASE_PART) & _CARRIED_OUT),
    "closed_undecided": (
        "Closed without a decision",
        models.Q(status=Status.CLOSED, verdict=""),
    ),
}


class DisclosureRequestQuerySet(ScopedQuerySet):
    def open(self) -> DisclosureRequestQuerySet:
        return self.exclude(status=Status.CLOSED)

    def shown_as(self, key: str) -> DisclosureRequestQuerySet:
        """The requests whose status as people read it is ``key`` (of SHOWN_STATUSES)."""
        return self.filter(SHOWN_STATUSES[key][1])


class DisclosureRequest(models.Model):
    """One request for library records, from intake to closure."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECORDED)
    # Intake: who asks, on what, for what.
    requester_name = models.CharField(max_length=200)
    requester_agency = models.CharField(max_length=200, blank=True)
    requester_type = models.CharField(max_length=30, choices=REQUESTER_CHOICES)
    requester_contact = models.CharField(max_length=300, blank=True)
    instrument = models.CharField(max_length=30, choices=INSTRUMENT_CHOICES)
    instrument_reference = models.CharField(max_length=300, blank=True)
    finding = models.CharField(max_length=50, choices=FINDING_CHOICES, default="none")
    issued_by = models.CharField(max_length=20, choices=ISSUER_CHOICES, blank=True)
    patrons = models.ManyToManyField(Patron, related_name="+")
    patrons_as_named = models.TextField(blank=True, help_text="As the request names them.")
    record_types = models.JSONField(default=list)
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    deadline = models.DateField(null=True, blank=True)
    bill_sent = models.BooleanField(default=False)
    amount_owed = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    gag_order = models.BooleanField(default=False)
    gag_reference = models.CharField(max_length=200, blank=True)
    gag_until = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)
    # Review: the steps before any release, each a recorded fact (CR-5a, CC-5).
    counsel_name = models.CharField(max_length=200, blank=True)
    counsel_at = models.DateTimeField(null=True, blank=True)
    counsel_advice = models.TextField(blank=True)
    identity_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    identity_verified_at = models.DateTimeField(null=True, blank=True)
    identity_check = models.TextField(blank=True, help_text="How the identity was checked.")
    instrument_document = models.ForeignKey(
        "Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    instrument_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    instrument_verified_at = models.DateTimeField(null=True, blank=True)
    instrument_check = models.TextField(blank=True, help_text="How the instrument was verified.")
    finding_confirmed = models.BooleanField(
        default=False, help_text="The order states the finding recorded at intake."
    )
    # An emergency override of the steps still missing, with its written justification:
    # flagged like a decision against the rule outcome.
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_at = models.DateTimeField(null=True, blank=True)
    override_justification = models.TextField(blank=True)
    overridden_steps = models.JSONField(default=list, blank=True)
    # Decision (CC-5): the rule decision as it stood, and the custodian's.
    rule_decision = models.JSONField(null=True, blank=True)
    verdict = models.CharField(max_length=20, choices=Verdict.choices, blank=True)
    released_types = models.JSONField(default=list)
    overdue_only = models.BooleanField(default=False)
    reasons = models.TextField(blank=True)
    against_rule = models.BooleanField(default=False)
    justification = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Fulfilment.
    packet = models.FileField(upload_to="disclosures/packets/", blank=True)
    packet_sha256 = models.CharField(max_length=64, blank=True)
    packet_at = models.DateTimeField(null=True, blank=True)
    letter_at = models.DateTimeField(null=True, blank=True)
    # Closure.
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(blank=True)

    objects = DisclosureRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["library", "status"], name="disclosure_library_status")]

    def __str__(self) -> str:
        return f"Request for records #{self.pk}"

    @property
    def purpose(self) -> str:
        return f"disclosure:{self.pk}"

    @property
    def shown_status(self) -> str:
        """What happened, in words: "Refused", "Partly released", "Waiting for counsel"...
        One of the labels of SHOWN_STATUSES."""
        if self.status == Status.RECORDED:
            if self.instrument in COUNSEL_INSTRUMENTS and self.counsel_at is None:
                return "Waiting for counsel"
            return "Waiting for a decision"
        if not self.verdict:
            return "Closed without a decision"
        if self.verdict == Verdict.REFUSE:
            return "Refused"
        if self.status == Status.DECIDED:
            return "Release decided, packet not produced yet"
        return {
            Verdict.REFUSE: "Refused",
            Verdict.RELEASE_ALL: "Released",
            Verdict.RELEASE_PART: "Partly released",
        }[Verdict(self.verdict)]

    @property
    def date_range_text(self) -> str:
        """The dates asked for, in words: "All dates", "From Mar 1, 2026 to Jun 1, 2026"."""
        start, end = self.date_from, self.date_to
        if start and end:
            return f"From {formats.day(start)} to {formats.day(end)}"
        if start:
            return f"From {formats.day(start)} on"
        if end:
            return f"Up to {formats.day(end)}"
        return "All dates"

    @property
    def still_to_do(self) -> str:
        """What is left once decided, in words ("" when nothing is)."""
        if self.status != Status.DECIDED:
            return ""
        if self.verdict == Verdict.REFUSE:
            return "The refusal letter is not produced yet."
        return "The packet is not produced yet."

    @property
    def patrons_identified(self) -> bool:
        """The patrons are named as patrons of the library (not only as the request names
        them); read with ``prefetch_related("patrons")`` in lists."""
        return bool(self.patrons.all())

    def gag_in_force(self, day: datetime.date | None = None) -> bool:
        if not self.gag_order:
            return False
        day = day or timezone.localdate()
        return self.gag_until is None or self.gag_until >= day

    @property
    def overridden(self) -> bool:
        """An emergency override of the required steps was recorded (flagged)."""
        return self.override_at is not None

    @property
    def flagged(self) -> bool:
        """Decided against the rule outcome, or released with steps overridden."""
        return self.against_rule or self.overridden

    def record_labels(self) -> list[str]:
        return [RECORDS.get(t, t) for t in self.record_types]

    def released_labels(self) -> list[str]:
        return [RECORDS.get(t, t) for t in self.released_types]


def _document_path(instance: Any, filename: str) -> str:
    return f"disclosures/{instance.request.library_id}/{instance.sha256}"


class Document(models.Model):
    """The instrument and other papers of a request, stored with their SHA-256; never
    served publicly (a permission-checked view streams them)."""

    request = models.ForeignKey(
        DisclosureRequest, on_delete=models.PROTECT, related_name="documents"
    )
    file = models.FileField(upload_to=_document_path, max_length=300)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.filename


class NoticeState(models.TextChoices):
    MAILED = "mailed", "By e-mail, through the outbox"
    LETTER_NEEDED = "letter_needed", "Letter needed (no e-mail address)"
    HELD = "held", "Held: a gag order forbids telling the patron"


class PatronNotice(models.Model):
    """Whether a patron whose records were released has been told (or why not yet).  An
    e-mail notice links its outbox message: it is "e-mailed" only once the outbox sent it."""

    request = models.ForeignKey(DisclosureRequest, on_delete=models.PROTECT, related_name="notices")
    patron = models.ForeignKey(Patron, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=20, choices=NoticeState.choices)
    message = models.ForeignKey(
        OutboxMessage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "patron"], name="notice_once_per_patron")
        ]

    def __str__(self) -> str:
        return f"{self.get_state_display()} (request {self.request_id})"

    def shown_state(self) -> str:
        """The notice as the request page shows it: an e-mail by where it is in the outbox
        (read with ``select_related("message")``)."""
        if self.state != NoticeState.MAILED:
            return str(self.get_state_display())
        message = self.message
        if message is None:
            return "E-mail: not found in the outbox"
        if message.status == MailStatus.SENT and message.sent_at is not None:
            return f"E-mailed on {formats.when(message.sent_at)}"
        if message.status == MailStatus.FAILED:
            return (
                "E-mail could not be sent (the mail server refused it repeatedly): tell the "
                "patron by letter"
            )
        return "E-mail waiting in the outbox, not sent yet"


class PolicyRule(models.Model):
    """One rule of a library's own disclosure policy, in the pack's rule format (NM-2)."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    rule_id = models.CharField(max_length=60)
    requesters = models.JSONField(default=list)
    instruments = models.JSONField(default=list)
    records = models.JSONField(default=list)
    bill_sent = models.BooleanField(null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=40, choices=OUTCOME_CHOICES)
    citation = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["library", "rule_id"], name="policy_rule_id_unique")
        ]

    def __str__(self) -> str:
        return self.rule_id

    def requester_words(self) -> str:
        return labels(self.requesters, dict(REQUESTER_CHOICES))

    def instrument_words(self) -> str:
        return labels(self.instruments, dict(INSTRUMENT_CHOICES))

    def record_words(self) -> str:
        return labels(self.records, RECORDS)

    def as_data(self) -> dict[str, Any]:
        """The rule as the pack format's mapping, for the rules package's validator."""
        conditions: dict[str, Any] = {}
        if self.bill_sent is not None:
            conditions["bill_sent"] = self.bill_sent
        if self.max_age is not None:
            conditions["max_age"] = self.max_age
        data: dict[str, Any] = {
            "id": self.rule_id,
            "requester": list(self.requesters),
            "instrument": list(self.instruments),
            "records": list(self.records),
            "outcome": self.outcome,
            "citation": self.citation,
            "verified": False,
        }
        if conditions:
            data["conditions"] = conditions
        if self.note:
            data["note"] = self.note
        return data


# --- open-records requests for public records (CR-1, CR-5e, CR-5g) ---------------------------


def _open_records_path(instance: Any, filename: str) -> str:
    return f"disclosures/open-records/{instance.library_id}/{instance.file_sha256}"


class OpenRecordsRequest(models.Model):
    """A request for records that the library's jurisdiction classifies as public (Iowa Code
    chapter 22: room-booking contact information, security-camera recordings): recorded in
    one step with who asked, what they asked for and what was given.  The file given is
    stored with its SHA-256 under MEDIA_ROOT and never served publicly."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    requester_name = models.CharField(max_length=200)
    requester_contact = models.CharField(max_length=300)
    requester_organisation = models.CharField(max_length=200, blank=True)
    record_type = models.CharField(max_length=30, choices=RECORD_CHOICES)
    date_from = models.DateField()
    date_to = models.DateField()
    given = models.TextField(help_text="What was given to the requester.")
    rows_given = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(upload_to=_open_records_path, max_length=300, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"Open-records request #{self.pk}"

    @property
    def purpose(self) -> str:
        return f"open_records:{self.pk}"

    def record_label(self) -> str:
        return RECORDS.get(self.record_type, self.record_type)
