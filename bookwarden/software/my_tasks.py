""" "My tasks" of software (CC-4, LV-6, LV-10), a query each:

- the approvers' requests waiting for a decision, and the person's own requests decided in
  the last two days (to see the decision), in one query;
- the technology coordinator's licenses expired or expiring within 30 days.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from bookwarden.core import when as formats
from bookwarden.core.my_tasks import Task, task_provider
from bookwarden.core.permissions import has_perm
from bookwarden.core.roles import Perm, Role

from .models import EXPIRY_NOTICE_DAYS, RequestStatus, Software, SoftwareRequest

if TYPE_CHECKING:
    from bookwarden.core.models import User

#: A decision stays on the requester's "My tasks" this long.
DECISION_SHOWN_FOR = datetime.timedelta(days=2)


@task_provider
def software_requests(user: User) -> Iterable[Task]:
    """CC-4, LV-6: a request waiting for the coordinator's or the director's decision, and
    the person who asked sees the decision for two days (one query for both)."""
    since = timezone.now() - DECISION_SHOWN_FOR
    wanted = Q(requested_by=user, decided_at__gte=since) & ~Q(decided_by=user)
    if user.library_ids(Perm.APPROVE_SOFTWARE):
        wanted |= Q(status=RequestStatus.PENDING)
    found = (
        SoftwareRequest.objects.for_user(user)
        .filter(wanted)
        .select_related("software", "device", "requested_by")
        .order_by("requested_at")
    )
    for r in found:
        if r.status != RequestStatus.PENDING:
            yield Task(
                f"Your software request: {r.software_name} on {r.device}",
                url=reverse("software:request", args=[r.pk]),
                key=f"software:decided:{r.pk}",
                state=f"{r.get_status_display()} {formats.ago(r.decided_at)}.",
                info=True,
            )
        elif has_perm(user, Perm.APPROVE_SOFTWARE, r.library_id):
            yield Task(
                f"Software request: {r.get_kind_display().lower()} {r.software_name} on {r.device}",
                "Approve or refuse it.",
                reverse("software:request", args=[r.pk]),
                due=r.requested_at,
                key=f"software:request:{r.pk}",
                state=f"Asked by {r.requested_by} {formats.ago(r.requested_at)}.",
            )


@task_provider
def licenses_expiring(user: User) -> Iterable[Task]:
    """LV-10: for the technology coordinator, a license expired or expiring within 30 days
    (the software is not licensed once it has expired)."""
    if not user.library_ids(role=Role.TECH_COORDINATOR):
        return
    today = timezone.localdate()
    soon = (
        Software.objects.for_user(user, role=Role.TECH_COORDINATOR)
        .filter(license_expires_on__lte=today + datetime.timedelta(days=EXPIRY_NOTICE_DAYS))
        .order_by("license_expires_on")
    )
    for s in soon:
        expired = s.license_expires_on < today
        yield Task(
            f"License of {s}",
            "Renew it, or ask for its removal." if expired else "Renew it before it expires.",
            reverse("software:detail", args=[s.pk]),
            due=s.license_expires_on,
            urgent=expired,
            key=f"software:license:{s.pk}",
            state=(
                f"Expired on {formats.day(s.license_expires_on)}."
                if expired
                else f"Expires on {formats.day(s.license_expires_on)}."
            ),
        )
