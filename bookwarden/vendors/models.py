"""The register of third parties and the patron data each receives (NM-3, CR-5h).

A :class:`Vendor` is a company the library contracts with: its service, contract dates,
privacy terms (a link or an uploaded document kept with its SHA-256), whether the contract
binds it to the state's library-records law (Missouri: RSMo 182.817 names third parties
contracted by a library), the categories of patron data it receives and at which branches.
Each :class:`VendorReview` records the standard privacy checklist's answers; the vendor
keeps its last review and the date of the next one.  A :class:`VendorIncident` names the
vendor on an incident of the operations log.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_noop

from bookwarden.core.models import Branch, Library, ScopedQuerySet
from bookwarden.patrons.record_kinds import RecordKind

#: A review is due again this long after the last one.
REVIEW_EVERY_DAYS = 365

CONTACT = "contact"
CARD_NUMBER = "card_number"

#: The categories of patron data a vendor may receive: the patron's contact information
#: and card number, then the same kinds of records as the patron records (CR-5h).
DATA_CATEGORIES: tuple[tuple[str, str], ...] = (
    # Marked for translation: the portal's privacy notice names them in the patron's language.
    (CONTACT, gettext_noop("Contact information (name, address, phone, e-mail)")),
    (CARD_NUMBER, gettext_noop("Library card number")),
    *((str(k.value), str(k.label)) for k in RecordKind),
)
CATEGORY_LABELS: dict[str, str] = dict(DATA_CATEGORIES)


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Not known"


#: The standard vendor privacy checklist: (key, question, the answer a library wants).
CHECKLIST: tuple[tuple[str, str, str], ...] = (
    ("no_selling", "Does it promise never to sell or share patron data?", Answer.YES),
    ("encrypts_in_transit", "Does it encrypt the data in transit?", Answer.YES),
    ("encrypts_at_rest", "Does it encrypt the data where it is stored?", Answer.YES),
    ("deletes_at_end", "Does it delete the data when the contract ends?", Answer.YES),
    ("stored_in_us", "Does it store the data in the United States?", Answer.YES),
    ("notifies_breaches", "Does it tell the library of a breach within a set time?", Answer.YES),
    ("library_use_only", "Does it use the data only for the library's service?", Answer.YES),
)
QUESTIONS: dict[str, str] = {key: question for key, question, _ in CHECKLIST}


class VendorQuerySet(ScopedQuerySet):
    def current(self, on: datetime.date | None = None) -> VendorQuerySet:
        """Vendors whose contract has not ended (NM-3: the published list)."""
        today = on or timezone.localdate()
        return self.filter(
            models.Q(contract_ends_on__isnull=True) | models.Q(contract_ends_on__gte=today)
        )

    def review_due(self, on: datetime.date | None = None) -> VendorQuerySet:
        """Current vendors never reviewed, or whose next review date has passed."""
        today = on or timezone.localdate()
        return self.current(today).filter(
            models.Q(next_review_on__isnull=True) | models.Q(next_review_on__lt=today)
        )


class ThroughVendorQuerySet(ScopedQuerySet):
    library_field = "vendor__library"


def terms_path(instance: Vendor, filename: str) -> str:
    return f"vendors/{instance.library_id}/{filename}"


class Vendor(models.Model):
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    service = models.CharField(max_length=300, help_text="What it does for the library.")
    website = models.URLField(blank=True)
    contract_starts_on = models.DateField(null=True, blank=True)
    contract_ends_on = models.DateField(null=True, blank=True)
    terms_url = models.URLField(blank=True, max_length=500)
    terms_document = models.FileField(upload_to=terms_path, max_length=300, blank=True)
    terms_document_name = models.CharField(max_length=200, blank=True)
    terms_document_sha256 = models.CharField(max_length=64, blank=True)
    bound_by_state_law = models.BooleanField(default=False)
    data_categories = models.JSONField(default=list, blank=True)
    all_branches = models.BooleanField(default=True)
    branches = models.ManyToManyField(Branch, blank=True, related_name="+")
    last_reviewed_on = models.DateField(null=True, blank=True)
    last_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    next_review_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = VendorQuerySet.as_manager()

    class Meta:
        ordering = ["library__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["library", "name"], name="vendor_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def category_labels(self) -> list[str]:
        return [label for key, label in DATA_CATEGORIES if key in (self.data_categories or [])]

    def is_current(self, on: datetime.date | None = None) -> bool:
        today = on or timezone.localdate()
        return self.contract_ends_on is None or self.contract_ends_on >= today

    def review_overdue(self, on: datetime.date | None = None) -> bool:
        today = on or timezone.localdate()
        return self.next_review_on is None or self.next_review_on < today


class VendorReview(models.Model):
    """One review of a vendor's privacy terms, with the checklist's answers:
    ``answers`` maps each :data:`CHECKLIST` key to ``{"answer": ..., "note": ...}``."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField(default=dict)
    note = models.TextField(blank=True)
    next_review_on = models.DateField()
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ThroughVendorQuerySet.as_manager()

    class Meta:
        ordering = ["vendor", "-reviewed_on", "-pk"]

    def __str__(self) -> str:
        return f"Review of {self.vendor} on {self.reviewed_on.isoformat()}"

    def checklist(self) -> list[dict[str, Any]]:
        """The questions in order, each with its answer, its note and whether the answer is
        the one a library wants."""
        rows = []
        for key, question, wanted in CHECKLIST:
            given = (self.answers or {}).get(key) or {}
            answer = given.get("answer", Answer.UNKNOWN)
            rows.append(
                {
                    "question": question,
                    "answer": Answer(answer).label,
                    "note": given.get("note", ""),
                    "good": answer == wanted,
                }
            )
        return rows


class VendorIncident(models.Model):
    """A vendor named on an incident of the operations log (a breach it was involved in)."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="incidents")
    entry = models.ForeignKey("operations.LogEntry", on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    named_at = models.DateTimeField(default=timezone.now)

    objects = ThroughVendorQuerySet.as_manager()

    class Meta:
        ordering = ["-named_at"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "entry"], name="vendor_incident_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.vendor} on log entry #{self.entry_id}"
