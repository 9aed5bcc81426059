"""Leavers and account reviews (CC-1, LV-3).

A :class:`Departure` is a person's last day at one library.  When that day is over in the
library's time zone, the ``departures`` job ends the person's access there: every role at
the library is revoked and, if they hold no role anywhere else, the account is turned off
and its sessions end.  A contractor whose end date has passed goes through the same action
with a departure of its own kind, recorded by the job.

An :class:`AccountReview` is the director's periodic review of every account of a library
(each quarter by default, :class:`AccountReviewSettings`): one :class:`AccountReviewItem`
per person, with the decision taken and what the director saw when taking it.  A finished
review is kept as evidence.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bookwarden.core.models import Library, ScopedQuerySet
from bookwarden.core.when import zone_of

#: A person who has not signed in for this many days is flagged at the account review.
IDLE_DAYS = 90
#: A role whose end date is this close is flagged at the account review.
ENDING_SOON_DAYS = 14
#: How often the director reviews the accounts, unless the library chose otherwise.
DEFAULT_REVIEW_MONTHS = 3


def local_today(library: Library) -> datetime.date:
    """Today in ``library``'s time zone (a last day is over when this date is past it)."""
    return timezone.localtime(timezone.now(), zone_of(library)).date()


class DepartureKind(models.TextChoices):
    LEAVING = "leaving", "Leaving"
    CONTRACT_END = "contract_end", "Contractor's end date"


class DepartureQuerySet(ScopedQuerySet):
    def pending(self) -> DepartureQuerySet:
        """Recorded, not cancelled, access not yet ended."""
        return self.filter(cancelled_at__isnull=True, ended_at__isnull=True)


class Departure(models.Model):
    """A person's last day at a library (CC-1).  Their access there ends when the day is
    over; until then the departure can be changed or cancelled."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="departures")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="departures"
    )
    kind = models.CharField(
        max_length=16, choices=DepartureKind.choices, default=DepartureKind.LEAVING
    )
    last_day = models.DateField(help_text="The person's last working day at the library.")
    reason = models.TextField(blank=True, help_text="Optional: why they leave.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: When the access ended, by whom (None: the job), and what ending it did.
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    roles_ended = models.PositiveSmallIntegerField(default=0)
    account_turned_off = models.BooleanField(default=False)

    objects = DepartureQuerySet.as_manager()

    class Meta:
        ordering = ["-last_day", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "library"],
                condition=Q(cancelled_at__isnull=True, ended_at__isnull=True),
                name="one_pending_departure_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"Departure of {self.user} from {self.library}"

    @property
    def is_pending(self) -> bool:
        return self.cancelled_at is None and self.ended_at is None

    @property
    def is_due(self) -> bool:
        """The last day is over in the library's time zone: the job ends the access."""
        return self.is_pending and self.last_day < local_today(self.library)

    @property
    def status(self) -> str:
        if self.cancelled_at is not None:
            return "Cancelled"
        if self.ended_at is not None:
            return "Access ended"
        return "Scheduled"


class AccountReviewSettings(models.Model):
    """How often the director of a library reviews every account (a quarter by default)."""

    library = models.OneToOneField(
        Library, on_delete=models.PROTECT, related_name="account_review_settings"
    )
    every_months = models.PositiveSmallIntegerField(
        default=DEFAULT_REVIEW_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="Months between two account reviews.",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "account review settings"

    def __str__(self) -> str:
        return f"Account review settings of {self.library}"


def review_months(library: Library) -> int:
    row = AccountReviewSettings.objects.filter(library=library).first()
    return row.every_months if row else DEFAULT_REVIEW_MONTHS


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


class AccountReview(models.Model):
    """The director's review of every account of a library (CC-1, LV-3): started, decided
    account by account (saved as it goes), finished when every account has a decision, then
    kept as evidence."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="account_reviews")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["library"],
                condition=Q(finished_at__isnull=True),
                name="one_open_account_review_per_library",
            ),
        ]

    def __str__(self) -> str:
        return f"Account review of {self.library}"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None


class Decision(models.TextChoices):
    CONFIRMED = "confirmed", "Account confirmed"
    ROLES_REMOVED = "roles_removed", "Roles removed"
    ENDED = "ended", "Account ended"


class Flag(models.TextChoices):
    """What the review points out about an account."""

    IDLE = "idle", "No sign-in for 90 days"
    ENDING_SOON = "ending_soon", "Access ends within 14 days"
    LEAVING = "leaving", "Departure recorded"


class ReviewItemQuerySet(ScopedQuerySet):
    library_field = "review__library"


class AccountReviewItem(models.Model):
    """One account of a review and the director's decision on it.  What the director saw
    when deciding (roles and branches, last sign-in, flags) is kept with the decision."""

    review = models.ForeignKey(AccountReview, on_delete=models.PROTECT, related_name="items")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    note = models.TextField(blank=True)
    #: At the decision: the roles as read ("Staff at Portageville"), the roles removed,
    #: the last sign-in and the flags (values of :class:`Flag`).
    roles = models.JSONField(default=list, blank=True)
    roles_removed = models.JSONField(default=list, blank=True)
    last_login = models.DateTimeField(null=True, blank=True)
    flags = models.JSONField(default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewItemQuerySet.as_manager()

    class Meta:
        ordering = ["user__last_name", "user__first_name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="one_item_per_account"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in account review #{self.review_id}"

    @property
    def flag_labels(self) -> list[str]:
        return [Flag(f).label for f in self.flags if f in Flag.values]
