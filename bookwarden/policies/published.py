"""The patrons' privacy policy as the portal shows it (NM-7, CR-6b): the version in effect
from its effective date and not before, with the earlier versions and their dates."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from bookwarden.core.models import Library

from .models import Policy, PolicyKind, PolicyVersion
from .rendering import render_markdown


@dataclass(frozen=True)
class PublishedVersion:
    version: PolicyVersion
    html: str
    until: datetime.date | None  # the day the next version replaced it


@dataclass(frozen=True)
class PublishedPolicy:
    policy: Policy
    current: PublishedVersion
    earlier: list[PublishedVersion]


def privacy_policy_of(
    library: Library, today: datetime.date | None = None
) -> PublishedPolicy | None:
    """The library's privacy policy in effect today (one query), or None: the portal then
    shows its fixed text."""
    today = today or timezone.localdate()
    versions = list(
        PolicyVersion.objects.filter(
            policy__library=library,
            policy__kind=PolicyKind.PATRON_PRIVACY,
            policy__retired_at__isnull=True,
            effective_on__lte=today,
        )
        .select_related("policy")
        .order_by("-effective_on", "-number")
    )
    if not versions:
        return None
    policy = versions[0].policy
    versions = [v for v in versions if v.policy_id == policy.pk]
    shown = []
    until: datetime.date | None = None
    for version in versions:
        shown.append(PublishedVersion(version, render_markdown(version.text), until))
        until = version.effective_on
    return PublishedPolicy(policy, shown[0], shown[1:])
