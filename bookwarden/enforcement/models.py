"""Enforcement steps on a violation or incident (IT-9, LV-12), suspensions of staff accounts
and workstations (LV-12), and restrictions of a patron's computer use (CC-3, CC-11).

A :class:`EnforcementCase` follows one entry of the security operations log through the
seven steps of IT-9 and LV-12 (:class:`Step`).  Every step taken is a :class:`CaseStep` row
(who, when, details); the human-resources decision (:class:`HRDecision`) and each attempt to
reach the account user (:class:`ContactAttempt`) have rows of their own.  ``stage`` is the
next step, kept up to date by the actions (:mod:`bookwarden.enforcement.actions`) so that
"My tasks" finds the cases waiting on someone with one query.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bookwarden.core.models import Library, ScopedQuerySet

#: IT-9: "after repeated failed contact the account may be locked": how many, by default.
DEFAULT_FAILED_CONTACTS_BEFORE_LOCK = 3


class Step(models.TextChoices):
    """The checklist of IT-9 and LV-12, in order."""

    DETAILS = "details", "Record the details"
    INFORM = "inform", "Inform the IT manager or assistant director for operations"
    ISOLATE = "isolate", "Isolate the device from the network"
    HR_DECISION = "hr_decision", "Human resources decides whether discipline is needed"
    CONTACT = "contact", "Notify the account user and request an explanation"
    LOCK = "lock", "Lock the account after repeated failed contact"
    REFER = "refer", "The director may refer the matter to law enforcement"


CHECKLIST: tuple[Step, ...] = tuple(Step)


class Stage(models.TextChoices):
    """Where a case stands: the next checklist step, then closing."""

    DETAILS = "details", "Record the details"
    INFORM = "inform", "Inform the IT manager or assistant director"
    ISOLATE = "isolate", "Isolate the device"
    HR_DECISION = "hr_decision", "Waiting for human resources"
    CONTACT = "contact", "Contact the account user"
    LOCK = "lock", "Lock the account (failed contacts)"
    REFER = "refer", "Referral possible; close when done"
    CLOSE = "close", "Close the case"
    CLOSED = "closed", "Closed"


class StepKind(models.TextChoices):
    """What a :class:`CaseStep` row records: a checklist step, or another event of the case."""

    DETAILS = "details", "Details recorded"
    INFORM = "inform", "IT manager or assistant director informed"
    ISOLATE = "isolate", "Device isolated"
    ISOLATION_NOT_NEEDED = "isolation_not_needed", "Isolation not needed"
    HR_DECISION = "hr_decision", "Human resources decided"
    CONTACT = "contact", "Contact attempt"
    LOCK = "lock", "Account locked"
    UNLOCK = "unlock", "Account unlocked"
    SUSPENSION = "suspension", "Suspension"
    REFER = "refer", "Referred to law enforcement"
    CLOSED = "closed", "Case closed"


#: Which checklist step each kind of row completes.
KIND_STEP: dict[str, Step] = {
    StepKind.DETAILS: Step.DETAILS,
    StepKind.INFORM: Step.INFORM,
    StepKind.ISOLATE: Step.ISOLATE,
    StepKind.ISOLATION_NOT_NEEDED: Step.ISOLATE,
    StepKind.HR_DECISION: Step.HR_DECISION,
    StepKind.CONTACT: Step.CONTACT,
    StepKind.LOCK: Step.LOCK,
    StepKind.REFER: Step.REFER,
}


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ContactMethod(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone"


class ContactOutcome(models.TextChoices):
    RESPONDED = "responded", "Responded with an explanation"
    NO_RESPONSE = "no_response", "No response"
    REFUSED = "refused", "Refused to explain"


#: Outcomes that count as a failed contact (IT-9: "fail to resolve the issues").
FAILED_OUTCOMES = frozenset({ContactOutcome.NO_RESPONSE, ContactOutcome.REFUSED})


class EnforcementSettings(models.Model):
    """Per library: how many failed contacts before the lock is offered (IT-9)."""

    library = models.OneToOneField(
        Library, on_delete=models.PROTECT, related_name="enforcement_settings"
    )
    failed_contacts_before_lock = models.PositiveSmallIntegerField(
        default=DEFAULT_FAILED_CONTACTS_BEFORE_LOCK,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="Failed attempts to reach the account user before the lock is offered.",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "enforcement settings"

    def __str__(self) -> str:
        return f"Enforcement settings of {self.library}"


def failed_contacts_before_lock(library: Library | int) -> int:
    library_id = library if isinstance(library, int) else library.pk
    value = (
        EnforcementSettings.objects.filter(library_id=library_id)
        .values_list("failed_contacts_before_lock", flat=True)
        .first()
    )
    return value or DEFAULT_FAILED_CONTACTS_BEFORE_LOCK


class EnforcementCase(models.Model):
    """The enforcement steps taken on one violation or incident (IT-9, LV-12)."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(
        "operations.LogEntry", on_delete=models.PROTECT, related_name="enforcement_cases"
    )
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The staff account involved, if any.",
    )
    device = models.CharField(
        max_length=200, blank=True, help_text="The computer or device involved, if any."
    )
    status = models.CharField(
        max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN, db_index=True
    )
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.DETAILS)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    device_isolated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"],
                condition=Q(status="open"),
                name="one_open_case_per_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"Enforcement case #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN

    @property
    def is_staff_matter(self) -> bool:
        """A staff account is involved: discipline waits for human resources (IT-9)."""
        return self.subject_user_id is not None


class CaseStep(models.Model):
    """One step taken on a case: which, by whom, when, and what was done."""

    case = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(max_length=24, choices=StepKind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    details = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on case #{self.case_id}"

    @property
    def step(self) -> Step | None:
        return KIND_STEP.get(self.kind)


class HRDecision(models.Model):
    """IT-9: human resources decides whether discipline is needed, before any action."""

    case = models.OneToOneField(
        EnforcementCase, on_delete=models.PROTECT, related_name="hr_decision"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    discipline_needed = models.BooleanField()
    note = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"HR decision on case #{self.case_id}"


class ContactAttempt(models.Model):
    """IT-9: an attempt to reach the account user and ask for an explanation."""

    case = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, related_name="contacts")
    method = models.CharField(max_length=10, choices=ContactMethod.choices)
    outcome = models.CharField(max_length=12, choices=ContactOutcome.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"Contact attempt on case #{self.case_id}"

    @property
    def failed(self) -> bool:
        return self.outcome in FAILED_OUTCOMES


class AccountHoldQuerySet(ScopedQuerySet):
    def live(self) -> AccountHoldQuerySet:
        return self.filter(ended_at__isnull=True)


class AccountLock(models.Model):
    """IT-9: a staff account locked after repeated failed contact (or, after a discipline
    decision, by the director).  Until it is unlocked the account cannot sign in."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        EnforcementCase, null=True, blank=True, on_delete=models.PROTECT, related_name="locks"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    #: The account was active when this hold began: ending the last hold turns it back on.
    deactivated_account = models.BooleanField(default=False)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = AccountHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Lock of {self.user}"

    @property
    def is_live(self) -> bool:
        return self.ended_at is None


class Suspension(models.Model):
    """LV-12: a staff account or a workstation suspended to protect the library's systems,
    with a reason and an end date.  The ``suspensions`` job ends it on its end date."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The staff account suspended (or name a workstation).",
    )
    workstation = models.CharField(
        max_length=200, blank=True, help_text="The workstation suspended (or choose an account)."
    )
    reason = models.TextField()
    starts_at = models.DateTimeField(default=timezone.now)
    ends_on = models.DateField(help_text="The suspension ends at the start of this day.")
    case = models.ForeignKey(
        EnforcementCase,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="suspensions",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    deactivated_account = models.BooleanField(default=False)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = AccountHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(workstation=""))
                | (Q(user__isnull=True) & ~Q(workstation="")),
                name="suspension_of_account_or_workstation",
            ),
        ]

    def __str__(self) -> str:
        return f"Suspension of {self.what}"

    @property
    def what(self) -> str:
        return str(self.user) if self.user_id else f"workstation {self.workstation}"

    @property
    def is_live(self) -> bool:
        return self.ended_at is None


class RestrictionKind(models.TextChoices):
    COMPUTER_USE = "computer_use", "Computer use"


class PatronRestrictionQuerySet(ScopedQuerySet):
    def in_force(self, on: datetime.date | None = None) -> PatronRestrictionQuerySet:
        today = on or timezone.localdate()
        return self.filter(lifted_at__isnull=True, starts_on__lte=today, ends_on__gt=today)


class PatronRestriction(models.Model):
    """CC-3, CC-11: a patron's computer privileges restricted for a period after a patron
    policy violation.  In force from ``starts_on`` until the day before ``ends_on``."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    patron = models.ForeignKey(
        "patrons.Patron", on_delete=models.PROTECT, related_name="restrictions"
    )
    kind = models.CharField(
        max_length=20, choices=RestrictionKind.choices, default=RestrictionKind.COMPUTER_USE
    )
    reason = models.TextField()
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField(help_text="The patron may use the computers again on this day.")
    entry = models.ForeignKey(
        "operations.LogEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="patron_restrictions",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = PatronRestrictionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="restriction_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} restricted for patron #{self.patron_id}"

    def in_force_on(self, day: datetime.date | None = None) -> bool:
        today = day or timezone.localdate()
        return self.lifted_at is None and self.starts_on <= today < self.ends_on
