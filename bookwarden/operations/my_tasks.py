""" "My tasks" of the operations log, one query each (CC-9, IT-4, IT-7):

- incidents waiting for the person's acknowledgement (those told of them);
- for a director, who has acknowledged each open incident of their library;
- for the technology coordinator, passwords to change after an outside party's access;
- for those who run the log, entries past their timeliness target.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from bookwarden.core import when as formats
from bookwarden.core.my_tasks import Task, task_provider
from bookwarden.core.permissions import has_perm_anywhere
from bookwarden.core.roles import Perm, Role

from .models import INCIDENT_KINDS, Acknowledgement, EntryStatus, IncidentNotice, LogEntry
from .timeliness import due_at, is_overdue, shortest_target

if TYPE_CHECKING:
    from bookwarden.core.models import User

#: At most this many overdue entries are listed one by one.
MAX_OVERDUE_TASKS = 20


@task_provider
def incidents_to_acknowledge(user: User) -> Iterable[Task]:
    """CC-9: an incident the person was told of, until they acknowledge it."""
    if not has_perm_anywhere(user, Perm.ACKNOWLEDGE_INCIDENTS):
        return
    waiting = (
        IncidentNotice.objects.for_user(user, Perm.ACKNOWLEDGE_INCIDENTS)
        .filter(user=user)
        .exclude(entry__status=EntryStatus.CLOSED)
        .exclude(entry__acknowledgements__user=user)
        .select_related("entry")
        .order_by("entry__occurred_at", "entry_id")
    )
    for notice in waiting:
        entry = notice.entry
        yield Task(
            f"Acknowledge security incident #{entry.pk}: "
            f"{entry.get_kind_display().removeprefix('Security incident: ')}",
            f"Severity {entry.get_severity_display().lower()}, reported "
            f"{formats.when(notice.at)}. Read it and acknowledge it.",
            reverse("operations:detail", args=[entry.pk]),
            due=timezone.localtime(notice.at).date(),
            urgent=True,
        )


@task_provider
def incident_acknowledgements(user: User) -> Iterable[Task]:
    """CC-9: the director sees who has acknowledged each open incident, and who not yet.
    A duty of the director's role, not of a permission (the director holds every one)."""
    if not user.library_ids(role=Role.DIRECTOR):
        return
    notices = (
        IncidentNotice.objects.for_user(user, role=Role.DIRECTOR)
        .filter(entry__kind__in=INCIDENT_KINDS)
        .exclude(entry__status=EntryStatus.CLOSED)
        .annotate(
            acked=Exists(
                Acknowledgement.objects.filter(
                    entry_id=OuterRef("entry_id"), user_id=OuterRef("user_id")
                )
            )
        )
        .select_related("entry", "user")
        .order_by("entry__occurred_at", "entry_id", "user__username")
    )
    by_entry: dict[int, list[IncidentNotice]] = {}
    for notice in notices:
        by_entry.setdefault(notice.entry_id, []).append(notice)
    for group in by_entry.values():
        entry = group[0].entry
        done = [str(n.user) for n in group if getattr(n, "acked", False)]
        waiting = [str(n.user) for n in group if not getattr(n, "acked", False)]
        yield Task(
            f"Incident #{entry.pk}: acknowledged by {len(done)} of {len(group)}",
            f"Acknowledged: {', '.join(done) or 'nobody yet'}. "
            f"Not yet: {', '.join(waiting) or 'nobody'}.",
            reverse("operations:detail", args=[entry.pk]),
            due=timezone.localtime(entry.occurred_at).date(),
        )


@task_provider
def passwords_to_change(user: User) -> Iterable[Task]:
    """IT-4: after access by someone who is not library IT staff, passwords change at once.
    A duty of the technology coordinator's role."""
    if not user.library_ids(role=Role.TECH_COORDINATOR):
        return
    visits = (
        LogEntry.objects.for_user(user, role=Role.TECH_COORDINATOR)
        .filter(outside_party=True, outside_access_resolved_at__isnull=True)
        .order_by("occurred_at", "pk")
    )
    for entry in visits:
        when = timezone.localtime(entry.occurred_at)
        yield Task(
            f"Passwords to change now: outside access on {formats.day(when)}",
            f"{entry.outside_party_name} had access (entry #{entry.pk}). Change the affected "
            "passwords, then record it on the entry.",
            reverse("operations:detail", args=[entry.pk]),
            due=when.date(),
            urgent=True,
        )


@task_provider
def overdue_entries(user: User) -> Iterable[Task]:
    """IT-7: entries not closed within their target, for those who run the log."""
    if not has_perm_anywhere(user, Perm.MANAGE_OPERATIONS):
        return
    now = timezone.now()
    candidates = (
        LogEntry.objects.for_user(user, Perm.MANAGE_OPERATIONS)
        .filter(recorded_at__lte=now - shortest_target())
        .exclude(status=EntryStatus.CLOSED)
        .select_related("library__operations_settings")
        .order_by("recorded_at", "pk")
    )
    overdue = [e for e in candidates if is_overdue(e, now)]
    for entry in overdue[:MAX_OVERDUE_TASKS]:
        due = timezone.localtime(due_at(entry))
        yield Task(
            f"Overdue: entry #{entry.pk} ({entry.get_kind_display()})",
            f"{entry.title} — open since {formats.day(entry.recorded_at)}, "
            f"target was {formats.day(due)}.",
            reverse("operations:detail", args=[entry.pk]),
            due=due.date(),
        )
    if len(overdue) > MAX_OVERDUE_TASKS:
        yield Task(
            f"{len(overdue) - MAX_OVERDUE_TASKS} more overdue entries",
            "See the operations log, filtered to entries not closed.",
            reverse("operations:list") + "?status=unclosed",
        )
