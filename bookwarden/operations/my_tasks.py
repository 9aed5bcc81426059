""" "My tasks" of the operations log, one query each (CC-9, IT-7).  The shared logins to
change after an outside party's access (IT-4) are the credentials app's tasks:

- incidents waiting for the person's acknowledgement (those told of them);
- for a director, who has acknowledged each open incident of their library;
- for those who run the log, entries past their timeliness target or due soon.

Every task about an entry carries the key ``operations:<id>``, so an incident the director
must acknowledge, and who else has, is one item on the home page.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from bookwarden.core import when as formats
from bookwarden.core.my_tasks import SOON_DAYS, Task, task_provider
from bookwarden.core.permissions import has_perm_anywhere
from bookwarden.core.roles import Perm, Role
from bookwarden.core.wording import counted

from .models import INCIDENT_KINDS, Acknowledgement, EntryStatus, IncidentNotice, LogEntry
from .timeliness import category_of, due_at

if TYPE_CHECKING:
    from bookwarden.core.models import User

#: At most this many entries past or near their target are listed one by one.
MAX_OVERDUE_TASKS = 20


def entry_key(entry: LogEntry | int) -> str:
    return f"operations:{entry if isinstance(entry, int) else entry.pk}"


def entry_title(entry: LogEntry) -> str:
    """ "Security incident #18: Staff member browsed patron records", "Log entry #7: ..." """
    noun = "Security incident" if entry.kind in INCIDENT_KINDS else "Log entry"
    return f"{noun} #{entry.pk}: {entry.title}"


def _kind(entry: LogEntry) -> str:
    kind = entry.get_kind_display().removeprefix("Security incident: ")
    return kind[:1].upper() + kind[1:]


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


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
            entry_title(entry),
            "Read it and acknowledge it now.",
            reverse("operations:detail", args=[entry.pk]),
            urgent=True,
            key=entry_key(entry),
            state=f"{_kind(entry)}, {entry.get_severity_display().lower()} severity.",
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
        .order_by("entry__occurred_at", "entry_id", "user__last_name", "user__first_name")
    )
    by_entry: dict[int, list[IncidentNotice]] = {}
    for notice in notices:
        by_entry.setdefault(notice.entry_id, []).append(notice)
    for group in by_entry.values():
        entry = group[0].entry
        done = sum(1 for n in group if getattr(n, "acked", False))
        waiting = [
            "you" if n.user_id == user.pk else str(n.user)
            for n in group
            if not getattr(n, "acked", False)
        ]
        if waiting:
            state = (
                f"{done} of {counted(len(group), 'person', 'people')} told "
                f"{'has' if done == 1 else 'have'} acknowledged it; not yet {_names(waiting)}."
            )
        else:
            state = (
                "The one person told has acknowledged it."
                if len(group) == 1
                else f"All {len(group)} people told have acknowledged it."
            )
        # The director's own acknowledgement is asked for by incidents_to_acknowledge.
        remind = waiting and "you" not in waiting
        yield Task(
            entry_title(entry),
            "Remind those who have not acknowledged it." if remind else "",
            reverse("operations:detail", args=[entry.pk]),
            key=entry_key(entry),
            state=state,
            info=True,
        )


@task_provider
def entries_to_close(user: User) -> Iterable[Task]:
    """IT-7: entries not closed within their target, or due within :data:`SOON_DAYS` days,
    for those who run the log."""
    if not has_perm_anywhere(user, Perm.MANAGE_OPERATIONS):
        return
    now = timezone.now()
    horizon = now + datetime.timedelta(days=SOON_DAYS)
    candidates = (
        LogEntry.objects.for_user(user, Perm.MANAGE_OPERATIONS)
        .exclude(status=EntryStatus.CLOSED)
        .select_related("library__operations_settings")
        .order_by("recorded_at", "pk")
    )
    dated = sorted(
        (d for d in ((due_at(e), e) for e in candidates) if d[0] <= horizon), key=lambda d: d[0]
    )
    for due, entry in dated[:MAX_OVERDUE_TASKS]:
        category = category_of(entry.kind)
        if category == "concern":
            todo = "Classify the report and act on it."
        elif category == "incident":
            todo = "Resolve it and close the entry."
        else:
            todo = "Finish the work and close the entry."
        since = formats.day(entry.recorded_at)
        yield Task(
            entry_title(entry),
            todo,
            reverse("operations:detail", args=[entry.pk]),
            due=due,
            key=entry_key(entry),
            # An incident's kind is in its title and in what the other tasks say of it.
            state=f"Open since {since}."
            if category == "incident"
            else f"{_kind(entry)}, open since {since}.",
        )
    if len(dated) > MAX_OVERDUE_TASKS:
        more = len(dated) - MAX_OVERDUE_TASKS
        yield Task(
            f"{counted(more, 'more log entry', 'more log entries')} to close soon",
            "See the operations log, filtered to entries not closed.",
            reverse("operations:list") + "?status=unclosed",
        )
