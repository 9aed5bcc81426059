"""The "My tasks" home: each app registers what a person should do next.

A provider is a function ``(user) -> iterable of Task``; apps register theirs with
``@task_provider`` in their ``my_tasks.py``, imported from their AppConfig.ready().

A task names one thing (an incident, a request for records, a breach ...), says in plain
words what to do with it and by when, and where the thing stands.  The home page shows one
list in three groups: urgent now, due soon and for information (:func:`grouped_tasks`).
Two providers may speak of the same thing (an incident the director must acknowledge, and
who else has acknowledged it): tasks with the same ``key`` become one item.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from . import when as formats
from .models import Membership, User
from .permissions import has_perm_anywhere
from .roles import Perm
from .second_factor import has_totp, needs_mfa

#: A task due within this many days is "due soon"; later ones are for information.
SOON_DAYS = 7

#: How far ahead a director is told that someone's access is about to end.
EXPIRY_NOTICE_DAYS = 14

URGENT, SOON, INFO = "urgent", "soon", "info"


@dataclass(frozen=True)
class Task:
    """One thing, and what this person should do with it.

    ``title`` names the thing ("Security incident #18: malware"); ``todo`` is a plain
    imperative sentence ("Read it and acknowledge it."), empty when there is nothing to do;
    ``due`` is by when (a date, or a time); ``state`` says where the thing stands ("2 of 3
    people told have acknowledged it."); ``info`` marks a task with nothing for this person
    to do; ``key`` names the thing, so that two tasks about it become one item."""

    title: str
    todo: str = ""
    url: str = ""
    due: datetime.date | datetime.datetime | None = None
    urgent: bool = False
    key: str = ""
    state: str = ""
    info: bool = False
    #: The todo already says by when (two merged tasks with their own dates), so the item
    #: shows no separate "By ..." line.
    due_in_todo: bool = False

    @property
    def due_date(self) -> datetime.date | None:
        if isinstance(self.due, datetime.datetime):
            return timezone.localtime(self.due).date()
        return self.due

    @property
    def due_has_time(self) -> bool:
        return isinstance(self.due, datetime.datetime)

    @property
    def overdue(self) -> bool:
        if isinstance(self.due, datetime.datetime):
            return self.due < timezone.now()
        return self.due is not None and self.due < timezone.localdate()

    def group(self, today: datetime.date) -> str:
        """Urgent now: marked urgent, or due today or earlier.  Due soon: something to do
        within :data:`SOON_DAYS` days, or something to do with no date.  For information:
        nothing to do, or not due for a while."""
        due = self.due_date
        if self.urgent or (due is not None and due <= today and not self.info):
            return URGENT
        if self.info:
            return INFO
        if due is None or due <= today + datetime.timedelta(days=SOON_DAYS):
            return SOON
        return INFO

    def merge(self, other: Task) -> Task:
        """One item for two tasks about the same thing: the one asking something of this
        person leads; the more urgent, the earlier due date and both states are kept."""
        lead, second = sorted((self, other), key=lambda t: (t.info, not t.urgent))
        dues = [t for t in (lead, second) if t.due is not None]
        dated_apart = bool(dues) and lead.todo and second.todo and lead.due != second.due
        todos = [
            s
            for s in dict.fromkeys(
                (t.todo_with_due() if dated_apart else t.todo) for t in (lead, second)
            )
            if s
        ]
        states = [s for s in dict.fromkeys((lead.state, second.state)) if s]
        return replace(
            lead,
            todo=" ".join(todos),
            url=lead.url or second.url,
            due=min(dues, key=lambda t: t.due_date or datetime.date.max).due if dues else None,
            urgent=lead.urgent or second.urgent,
            state=" ".join(states),
            info=lead.info and second.info,
            due_in_todo=bool(dated_apart) or lead.due_in_todo or second.due_in_todo,
        )

    def todo_with_due(self) -> str:
        """The todo with its own date: "Close the entry by Dec 9, 2026, 5:21 AM."."""
        if self.due is None or not self.todo or self.due_in_todo:
            return self.todo
        shown = formats.when(self.due) if self.due_has_time else formats.day(self.due)
        said = f"(it was due {shown})" if self.overdue else f"by {shown}"
        return f"{self.todo.rstrip('.')} {said}."


@dataclass(frozen=True)
class TaskGroup:
    key: str
    label: str
    tasks: list[Task]

    @property
    def count(self) -> int:
        return len(self.tasks)


GROUP_LABELS = {URGENT: "Urgent now", SOON: "Due soon", INFO: "For information"}


Provider = Callable[[User], Iterable[Task]]
_providers: list[Provider] = []


def task_provider(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def _merged(tasks: Iterable[Task]) -> list[Task]:
    by_key: dict[str, int] = {}
    out: list[Task] = []
    for task in tasks:
        if not task.key:
            out.append(task)
        elif task.key in by_key:
            out[by_key[task.key]] = out[by_key[task.key]].merge(task)
        else:
            by_key[task.key] = len(out)
            out.append(task)
    return out


def _order(task: Task) -> tuple[bool, bool, datetime.date, str]:
    return (task.info, not task.urgent, task.due_date or datetime.date.max, task.title)


def tasks_for(user: User) -> list[Task]:
    """Every task of every provider, one per thing: urgent first, then by due date."""
    return sorted(_merged(t for provider in _providers for t in provider(user)), key=_order)


def grouped_tasks(user: User) -> list[TaskGroup]:
    """The three groups of the home page, each in order (an empty group is kept)."""
    today = timezone.localdate()
    groups: dict[str, list[Task]] = {key: [] for key in GROUP_LABELS}
    for task in tasks_for(user):
        groups[task.group(today)].append(task)
    return [TaskGroup(key, GROUP_LABELS[key], tasks) for key, tasks in groups.items()]


def role_label(role_display: str) -> str:
    """A role's label inside a sentence: "Technology coordinator (IT manager)" becomes
    "technology coordinator (IT manager)", keeping acronyms as they are."""
    first, _, rest = role_display.partition(" ")
    if len(first) > 1 and first[1:].islower():
        first = first.lower()
    return f"{first} {rest}".strip()


@task_provider
def _second_factor(user: User) -> Iterable[Task]:
    if not needs_mfa(user) and not has_totp(user):
        yield Task(
            "Two-factor sign-in",
            "Consider turning it on: it protects your account if your password leaks.",
            reverse("mfa_index"),
            info=True,
        )


@task_provider
def _my_access_ends(user: User) -> Iterable[Task]:
    for m in user.active_memberships():
        if m.ends_on:
            yield Task(
                f"Your access at {m.library}",
                "Ask the director before then if you need it for longer.",
                reverse("library_detail", args=[m.library.slug]),
                due=m.ends_on,
                state=f"It ends on {formats.day(m.ends_on)}.",
            )


@task_provider
def _colleagues_locked_out(user: User) -> Iterable[Task]:
    """Directors see who at their library cannot sign in after repeated failures, to
    unlock them sooner once they know it was the person themself (LV-3)."""
    from axes.models import AccessAttempt

    from .lockout import account_lock

    if not has_perm_anywhere(user, Perm.MANAGE_ROLES):
        return
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    failed_names = AccessAttempt.objects.filter(attempt_time__gte=since).values("username")
    members = (
        Membership.objects.active()
        .for_user(user, Perm.MANAGE_ROLES)
        .filter(user__username__in=failed_names)
        .exclude(user=user)
        .select_related("user", "library")
        .order_by("user__last_name", "user__first_name", "pk")
    )
    seen: set[int] = set()
    for m in members:
        if m.user_id in seen:
            continue
        seen.add(m.user_id)
        lock = account_lock(m.user)
        if lock is None:
            continue
        yield Task(
            f"{m.user} cannot sign in",
            "If you know they are the one who mistyped, unlock their sign-in from their "
            "staff page; otherwise it unlocks by itself.",
            reverse("staff_detail", args=[m.library.slug, m.user_id]),
            key=f"sign-in-lock:{m.user_id}",
            state=f"Locked after repeated failed sign-ins until {formats.when(lock.until)}.",
        )


@task_provider
def _staff_access_ends(user: User) -> Iterable[Task]:
    """Directors see whose access ends soon, to renew it or let it lapse (CC-1)."""
    if not has_perm_anywhere(user, Perm.MANAGE_ROLES):
        return
    today = timezone.localdate()
    ending = (
        Membership.objects.active()
        .for_user(user, Perm.MANAGE_ROLES)
        .filter(ends_on__lte=today + datetime.timedelta(days=EXPIRY_NOTICE_DAYS))
        .exclude(user=user)
        .select_related("user", "library")
        .order_by("ends_on")
    )
    for m in ending:
        yield Task(
            f"{m.user}'s access as {role_label(m.get_role_display())}",
            "Extend it from the role page, or let it end.",
            reverse("membership_edit", args=[m.library.slug, m.pk]),
            due=m.ends_on,
            state=f"It ends on {formats.day(m.ends_on)}.",
        )
