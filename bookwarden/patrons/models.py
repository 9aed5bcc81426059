"""Patrons, their cards, and their library records (CR-2, NM-1, CC-5).

Personal information (name, address, phone, e-mail, birth date) sits on :class:`Patron`.
Library records -- what a person borrowed, held, searched, asked, and which services they
used -- are the seven record models below.  Their default manager refuses to read, and so
does the base manager Django uses itself (``refresh_from_db``, relations, ``dumpdata
--all``): the only way to read them is :func:`bookwarden.patrons.record_access.open_records`,
which checks the role, requires a purpose and writes the audit event first (DESIGN
mechanism 2).  Retention and the importer write through ``_unguarded`` (never to show
contents), and nothing else may use it (``tests/test_no_other_path.py`` checks the source).
"""

from __future__ import annotations

import datetime
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from bookwarden.core.models import Branch, Library, ScopedQuerySet


class ConfidentialRecordError(PermissionError):
    """A library record was read without going through the access function."""


class CardStatus(models.TextChoices):
    ACTIVE = "active", gettext_noop("Active")
    EXPIRED = "expired", gettext_noop("Expired")
    LOST = "lost", gettext_noop("Reported lost")
    STOLEN = "stolen", gettext_noop("Reported stolen")
    REPLACED = "replaced", gettext_noop("Replaced")


class NoticeChannel(models.TextChoices):
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone"
    MAIL = "mail", "Mail"
    NONE = "none", "No notices"


#: Personal Information (CR-2c): what the patron page, the forms, the actions and the
#: importer all mean by a patron's name, address, phone, e-mail and birth date.
CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "phone",
    "email",
    "birth_date",
)


class PatronQuerySet(ScopedQuerySet):
    def search(self, text: str) -> PatronQuerySet:
        """Exact card number, or name words (each must match the first or last name).

        The two are a union of ids, not an OR of conditions: each side keeps its own index
        (the card's number, ``card_number_search``; on PostgreSQL the names' trigram
        indexes, ``patron_first_name_trgm`` and ``patron_last_name_trgm``), where an OR
        across the card join made the search read every patron of the library."""
        text = text.strip()
        if not text:
            return self.none()
        by_card = Card.objects.filter(number=text).order_by().values("patron_id")
        by_name = Patron.objects.order_by()
        for word in text.replace(",", " ").split():
            by_name = by_name.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
        return self.filter(pk__in=by_card.union(by_name.values("pk"), all=True))


class Patron(models.Model):
    """A registered library user: Personal Information (CR-2c) and their settings."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="patrons")
    home_branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="patrons"
    )
    ils_source = models.CharField(max_length=20, blank=True, help_text="koha, evergreen ...")
    ils_id = models.CharField(max_length=64, blank=True, help_text="The ILS's own patron id.")
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    email = models.EmailField(blank=True)
    birth_date = models.DateField(null=True, blank=True)
    guardian = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="wards"
    )
    guardian_name = models.CharField(
        max_length=200, blank=True, help_text="When the guardian is not a patron here."
    )
    notice_channel = models.CharField(
        max_length=10, choices=NoticeChannel.choices, default=NoticeChannel.EMAIL
    )
    barred = models.BooleanField(default=False)
    # NM-6 / CR-6a: history is kept only with the patron's consent, which can be withdrawn.
    keeps_reading_history = models.BooleanField(default=False)
    reading_history_changed_at = models.DateTimeField(null=True, blank=True)
    # The portal PIN, hashed like a password (never stored or logged in clear).
    portal_pin = models.CharField(max_length=128, blank=True)
    pin_set_at = models.DateTimeField(null=True, blank=True)
    # CR-6c: set when a card is renewed; the portal shows the privacy reminder until the
    # patron has read it.
    privacy_reminder_since = models.DateTimeField(null=True, blank=True)
    # The language the patron chose in the portal (issue 15): their mail and letters are
    # written in it.  Blank until they choose: they then get the installation's language.
    preferred_language = models.CharField(
        max_length=8, blank=True, default="", choices=settings.LANGUAGES
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PatronQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["library", "ils_source", "ils_id"],
                condition=~Q(ils_id=""),
                name="patron_ils_id_unique",
            ),
        ]
        indexes = [models.Index(fields=["library", "last_name"], name="patron_name")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def age_on(self, day: Any = None) -> int | None:
        if self.birth_date is None:
            return None
        day = day or timezone.localdate()
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    @property
    def is_minor(self) -> bool:
        age = self.age_on()
        return age is not None and age < 18


class Card(models.Model):
    """A library card (CR-2e).  Cards are never deleted: a card reported lost or stolen must
    stay on record so that presenting it never counts as consent again (CR-5b)."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="cards")
    patron = models.ForeignKey(Patron, on_delete=models.PROTECT, related_name="cards")
    number = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=CardStatus.choices, default=CardStatus.ACTIVE)
    issued_on = models.DateField(default=timezone.localdate)
    expires_on = models.DateField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["library", "number"], name="card_number_unique"),
        ]
        # The patron search by exact card number, in any of the person's libraries.
        indexes = [models.Index(fields=["number"], name="card_number_search")]

    def __str__(self) -> str:
        return self.number

    @property
    def counts_as_consent(self) -> bool:
        return self.status == CardStatus.ACTIVE


def _refusal(model: type[models.Model]) -> ConfidentialRecordError:
    return ConfidentialRecordError(
        f"{model._meta.verbose_name_plural} are library records: read them only "
        "through bookwarden.patrons.record_access.open_records()."
    )


class _RefusingManager(models.Manager):
    """``Model.objects`` and ``Model._default_manager``: refuses to make a query at all."""

    def get_queryset(self) -> models.QuerySet:
        raise _refusal(self.model)


class _SaveOnlyQuerySet(models.QuerySet):
    """The rows of a record model as Django itself reaches them (``Model._base_manager``).

    Saving an instance works (the insert, and the update of its own row by primary key,
    through the private ``_insert`` and ``_update``).  Everything that reads, counts or
    changes rows by a query refuses, as the default manager does: fetching, ``count``,
    ``exists``, ``aggregate``, ``update``, ``delete``, ``raw``, use as a subquery.  So
    ``refresh_from_db()``, loading a deferred field, ``dumpdata --all``, a relation to a
    record and ``SET_NULL`` when a patron is deleted fail loudly instead of reading past
    the access function.  (Hence the records' ``library`` and ``branch`` do nothing on
    delete in Django: the database's foreign keys refuse the deletion of a library or
    branch that still has records, without a read.)"""

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise _refusal(self.model)

    _fetch_all = _refuse
    iterator = _refuse
    aiterator = _refuse
    count = _refuse
    exists = _refuse
    contains = _refuse
    aggregate = _refuse
    explain = _refuse
    update = _refuse
    delete = _refuse
    raw = _refuse
    resolve_expression = _refuse


def linked_rows_index(name: str) -> models.Index:
    """The retention job's walk (CR-6a, issue 16): a library's rows still linked to a
    patron, in id order.  Once retention has run, nine in ten rows are unlinked; without it
    each chunk's search for rows to unlink read every linked row of every library (the
    index on the patron), for each library, every night."""
    return models.Index(fields=["library", "id"], condition=Q(patron__isnull=False), name=name)


class LibraryRecord(models.Model):
    """Common shape of the confidential record types (NM-1, CC-5, CR-2f)."""

    # DO_NOTHING, not PROTECT: the database's foreign key refuses to delete a library that
    # still has records, while PROTECT would have Django read them through the base
    # manager, which refuses (so deleting any library would fail).
    library = models.ForeignKey(Library, on_delete=models.DO_NOTHING, related_name="+")
    # Null once retention has unlinked the record from the person (CR-6a).  Deleting a
    # patron would set it to NULL through the base manager, which refuses: records leave
    # a patron by retention, with its audit events, not as a side effect of a deletion.
    patron = models.ForeignKey(
        Patron, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ils_id = models.CharField(max_length=64, blank=True)

    objects = _RefusingManager()
    #: For the access function (reads) and retention, the importer, the demo (writes).
    _unguarded = models.Manager()
    #: What Django uses itself: saves an instance, refuses to read.
    _saving = _SaveOnlyQuerySet.as_manager()

    class Meta:
        abstract = True
        base_manager_name = "_saving"

    def __str__(self) -> str:
        # Never the contents (titles, search terms): they must not leak into logs or pages.
        return f"{self._meta.verbose_name} #{self.pk}"


class Loan(LibraryRecord):
    item_barcode = models.CharField(max_length=64)
    title = models.CharField(max_length=300, blank=True)
    branch = models.ForeignKey(  # DO_NOTHING: see LibraryRecord.library
        Branch, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )
    checked_out_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    amount_owed = models.DecimalField(max_digits=8, decimal_places=2, default=0)

    class Meta(LibraryRecord.Meta):
        indexes = [
            models.Index(fields=["patron", "-checked_out_at"], name="loan_patron"),
            models.Index(fields=["library", "returned_at"], name="loan_returned"),
            linked_rows_index("loan_linked"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["library", "ils_id"], condition=~Q(ils_id=""), name="loan_ils_id_unique"
            ),
        ]


class HoldStatus(models.TextChoices):
    WAITING = "waiting", gettext_noop("Waiting")
    READY = "ready", gettext_noop("Ready for pickup")
    FULFILLED = "fulfilled", gettext_noop("Fulfilled")
    CANCELLED = "cancelled", gettext_noop("Cancelled")


class Hold(LibraryRecord):
    title = models.CharField(max_length=300)
    placed_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=HoldStatus.choices, default=HoldStatus.WAITING)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta(LibraryRecord.Meta):
        indexes = [linked_rows_index("hold_linked")]


class CatalogSearch(LibraryRecord):
    terms = models.CharField(max_length=500)
    searched_at = models.DateTimeField()

    class Meta(LibraryRecord.Meta):
        verbose_name_plural = "catalog searches"
        indexes = [linked_rows_index("search_linked")]


class ReferenceQuestion(LibraryRecord):
    question = models.TextField()
    asked_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)


class ComputerSession(LibraryRecord):
    workstation = models.CharField(max_length=100)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta(LibraryRecord.Meta):
        indexes = [linked_rows_index("session_linked")]


class RoomBooking(LibraryRecord):
    room = models.CharField(max_length=100)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # Given by the user for the reservation: public information in Iowa (CR-5e).
    contact_name = models.CharField(max_length=200, blank=True)
    contact_phone = models.CharField(max_length=50, blank=True)


class ProgramRegistration(LibraryRecord):
    program = models.CharField(max_length=200)
    registered_at = models.DateTimeField()


class SealedOpening(models.Model):
    """An opening of a patron's records that the patron must not see in the portal, because
    a court sealed the disclosure (a non-disclosure order).  The audit event itself is never
    changed or hidden from staff who may read the log; only the portal leaves it out, and
    only while the seal lasts."""

    event = models.OneToOneField(
        "audit.AuditEvent",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    order_reference = models.CharField(
        max_length=200, help_text="The court order that forbids telling the patron."
    )
    sealed_until = models.DateField(
        null=True, blank=True, help_text="Empty: until the court lifts the order."
    )
    sealed_at = models.DateTimeField(default=timezone.now)
    sealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Sealed opening (event {self.event_id})"

    def in_force(self, day: Any = None) -> bool:
        day = day or timezone.localdate()
        return self.sealed_until is None or day <= self.sealed_until


class RecordOpeningQuerySet(ScopedQuerySet):
    library_field = "patron__library"


class RecordOpening(models.Model):
    """One time a staff member opened a patron's records for a stated purpose (CR-5): the
    page that shows them (``patron_record_opening``) reads them again, through
    :func:`bookwarden.patrons.record_access.reread_opening`, for its opener only and for
    ``BOOKWARDEN_RECORD_OPENING_MINUTES``, so that a reload is not a second opening.
    Written by :func:`~bookwarden.patrons.record_access.open_records` in the transaction of
    its audit event; the purpose's note stays in the event only."""

    patron = models.ForeignKey(Patron, on_delete=models.CASCADE, related_name="+")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    purpose = models.CharField(max_length=40)
    record_types = models.JSONField(default=list)
    opened_at = models.DateTimeField(default=timezone.now)
    event = models.OneToOneField(
        "audit.AuditEvent", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )

    objects = RecordOpeningQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Opening of records (event {self.event_id})"

    def expires_at(self) -> Any:
        minutes = int(getattr(settings, "BOOKWARDEN_RECORD_OPENING_MINUTES", 10))
        return self.opened_at + datetime.timedelta(minutes=minutes)

    def expired(self, now: Any = None) -> bool:
        return (now or timezone.now()) >= self.expires_at()


from .models_retention import RetentionProof, RetentionRule, RetentionRun  # noqa: E402,F401
