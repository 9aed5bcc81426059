"""The policy library: policies, their versions, reviews and acknowledgements.

IT-1, IT-11: staff read, sign and date the security policies of their audience (name,
branch, the version's fingerprint), returned to human resources.  CC-11, CC-12: each
policy is reviewed yearly and carries board-approved versions with adoption dates.  LV-8,
CC-4: the monitoring notice is a policy of its own kind that staff acknowledge before going
on.  NM-7, CR-6b: the patrons' privacy policy is published on the portal the day its
version takes effect.  CC-6: a consortium's policy applies to every member library.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bookwarden.core.models import Branch, Consortium, Library, ScopedQuerySet, _library_ids_of


class PolicyKind(models.TextChoices):
    STAFF = "staff", "Policy for staff"
    MONITORING_NOTICE = "monitoring_notice", "Notice that library systems are monitored"
    PATRON_PRIVACY = "patron_privacy", "Privacy policy for patrons"


class Audience(models.TextChoices):
    ALL_STAFF = "all_staff", "All staff"
    IT_STAFF = "it_staff", "IT staff"
    CHOSEN = "chosen", "Certain roles or branches"
    PATRONS = "patrons", "Patrons (shown on the patron portal)"


class PolicyQuerySet(ScopedQuerySet):
    def for_user(
        self, user: Any, perm: str | None = None, *, role: str | None = None
    ) -> PolicyQuerySet:
        """A library's own policies and those of its consortium (CC-6), for the libraries
        where ``user`` holds a role (with ``perm``: a role granting it)."""
        ids = _library_ids_of(user, perm, role)
        if ids is None:
            return self.none()
        consortia = Library.objects.filter(pk__in=ids, consortium__isnull=False).values(
            "consortium_id"
        )
        return self.filter(Q(library__in=ids) | Q(consortium__in=consortia))

    def of_library(self, library: Library) -> PolicyQuerySet:
        """The policies that apply at ``library``: its own and its consortium's."""
        if library.consortium_id:
            return self.filter(Q(library=library) | Q(consortium_id=library.consortium_id))
        return self.filter(library=library)


class Policy(models.Model):
    """One policy of a library (or of a consortium, for all its members), across versions.

    Audience: all staff, IT staff (holders of the IT roles), or chosen roles and/or
    branches; ``PATRONS`` only for the patrons' privacy policy.  ``must_sign``: people of
    the audience sign each version marked as needing signatures (IT-11); a notice is
    acknowledged the same way.
    """

    library = models.ForeignKey(
        Library, null=True, blank=True, on_delete=models.PROTECT, related_name="policies"
    )
    consortium = models.ForeignKey(
        Consortium, null=True, blank=True, on_delete=models.PROTECT, related_name="policies"
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    kind = models.CharField(max_length=24, choices=PolicyKind.choices, default=PolicyKind.STAFF)
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.ALL_STAFF)
    #: With ``Audience.CHOSEN``: the roles (values of core.roles.Role) and branches it
    #: applies to; a person matches by holding one of the roles, or working at one of the
    #: branches (or both lists, when both are given: a role at one of the branches).
    audience_roles = models.JSONField(default=list, blank=True)
    audience_branches = models.ManyToManyField(Branch, blank=True, related_name="+")
    must_sign = models.BooleanField(
        default=True, help_text="People of the audience must sign (or acknowledge) it."
    )
    review_every_months = models.PositiveSmallIntegerField(
        default=12, help_text="How often the policy is reviewed; a year by default."
    )
    next_review_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "policies"
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(library__isnull=True, consortium__isnull=False)
                | Q(library__isnull=False, consortium__isnull=True),
                name="policy_of_a_library_or_a_consortium",
            ),
            models.UniqueConstraint(
                fields=["library", "slug"],
                condition=Q(library__isnull=False),
                name="policy_slug_unique_in_library",
            ),
            models.UniqueConstraint(
                fields=["consortium", "slug"],
                condition=Q(consortium__isnull=False),
                name="policy_slug_unique_in_consortium",
            ),
        ]

    def __str__(self) -> str:
        return self.title


def version_document_path(instance: PolicyVersion, filename: str) -> str:
    return f"policies/{instance.policy_id}/{filename}"


class PolicyVersion(models.Model):
    """One version of a policy: its text, who approved it and when, when it takes effect.

    ``fingerprint`` is the SHA-256 of the text and of the uploaded document's SHA-256: it is
    what a signature records, so a signed acknowledgement names exactly what was read.
    ``needs_signatures``: a material change that everyone in the audience must sign again;
    a correction that is not material leaves earlier signatures standing.
    """

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField(help_text="The policy's text, in Markdown.")
    document = models.FileField(upload_to=version_document_path, max_length=300, blank=True)
    document_name = models.CharField(max_length=200, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    fingerprint = models.CharField(max_length=64)
    approved_by = models.CharField(
        max_length=200, blank=True, help_text="Who approved it, e.g. the Board of Trustees."
    )
    adopted_on = models.DateField(null=True, blank=True, help_text="Board adoption date.")
    effective_on = models.DateField(help_text="The day it takes effect.")
    needs_signatures = models.BooleanField(
        default=True, help_text="A material change: everyone in the audience signs again."
    )
    days_to_sign = models.PositiveSmallIntegerField(default=30)
    summary = models.CharField(max_length=300, blank=True, help_text="What changed.")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="policy_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.policy}, version {self.number}"

    @staticmethod
    def fingerprint_of(text: str, document_sha256: str = "") -> str:
        digest = hashlib.sha256(text.encode("utf-8"))
        digest.update(b"\0" + document_sha256.encode("ascii"))
        return digest.hexdigest()

    def in_effect(self, on: datetime.date | None = None) -> bool:
        return self.effective_on <= (on or timezone.localdate())


class PolicyReview(models.Model):
    """CC-11: a review of a policy, kept as is or answered with a new version."""

    class Outcome(models.TextChoices):
        KEPT = "kept", "Kept as it is"
        NEW_VERSION = "new_version", "Replaced by a new version"

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="reviews")
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    reviewed_on = models.DateField()
    #: None: recorded from the command line or the demo.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    next_review_on = models.DateField()

    class Meta:
        ordering = ["policy", "-reviewed_on", "-pk"]

    def __str__(self) -> str:
        return f"Review of {self.policy} on {self.reviewed_on}"


class SignatureQuerySet(ScopedQuerySet):
    pass


class Signature(models.Model):
    """IT-1, IT-11, LV-8: a person signed (or acknowledged) one version of a policy.

    What the acknowledgement form asks: the typed full name, the date, the branch, and the
    version's fingerprint.  ``library`` is where the person signed as staff (a consortium
    policy is signed once, at the library the person works for).  One per person and
    version.
    """

    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="signatures")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="policy_signatures"
    )
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    typed_name = models.CharField(max_length=150)
    signed_on = models.DateField()
    signed_at = models.DateTimeField(default=timezone.now)
    fingerprint = models.CharField(max_length=64)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="one_signature_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.typed_name} signed {self.version}"
