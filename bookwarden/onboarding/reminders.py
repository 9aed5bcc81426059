"""Reminders of what each person owes their library, through the outbox (CC-1, IT-1, IT-11,
LV-8, CC-10).

For every person with a role in force at a library, and each open duty of the registry
(:mod:`bookwarden.core.obligations`), one mail when the duty is assigned, one
:data:`~bookwarden.core.obligations.REMINDER_DAYS_BEFORE` days before its due date, one
when it is overdue: each at most once, ever.  A duty first seen late in its life gets only
the mail of the stage it has reached (one first seen overdue gets the overdue mail alone,
not three at once).  Human resources of the library (the director where there is none) is
told once per person and duty of people late by more than the library's number of days.

Each mail is one step, one transaction: the ledger row (:class:`DutyReminder`, unique per
person, duty and kind), the outbox message and its audit event commit together, so a run
killed halfway loses nothing and a second run sends nothing twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core import when as formats
from bookwarden.core.models import Library, Membership, User
from bookwarden.core.obligations import REMINDER_DAYS_BEFORE, Duty
from bookwarden.core.roles import Role
from bookwarden.core.when import library_time
from bookwarden.core.wording import counted
from bookwarden.mail.actions import queue_mail

from .models import DutyReminder, ReminderKind, settings_for
from .progress import Progress, library_memberships, progress_of

#: The stages of a duty's life, in order: a stage's mail is sent only while no later
#: stage's mail has been.
STAGES = (ReminderKind.ASSIGNED, ReminderKind.DUE_SOON, ReminderKind.OVERDUE)

REMINDER_REASON = "onboarding.reminder"
HR_REASON = "onboarding.overdue_people"


@dataclass
class RunCounts:
    reminders: int = 0
    people_reported: int = 0

    def add(self, other: RunCounts) -> None:
        self.reminders += other.reminders
        self.people_reported += other.people_reported

    def __str__(self) -> str:
        return (
            f"{counted(self.reminders, 'reminder')} mailed, "
            f"{counted(self.people_reported, 'person', 'people')} reported to human resources."
        )


def stage_of(duty: Duty, today: datetime.date) -> str:
    """Which mail the duty calls for today: overdue, due soon, or new."""
    if duty.overdue(today):
        return ReminderKind.OVERDUE
    if duty.due_on is not None and duty.due_on - today <= datetime.timedelta(
        days=REMINDER_DAYS_BEFORE
    ):
        return ReminderKind.DUE_SOON
    return ReminderKind.ASSIGNED


def send_reminders(*, actor: User | None = None) -> RunCounts:
    """Every library's reminders due now (the ``duty_reminders`` job).  The job loop or the
    server's command line only: ``actor`` must be None."""
    if actor is not None:
        raise PermissionDenied("This is done by the job loop or on the server's command line.")
    counts = RunCounts()
    for library in Library.objects.order_by("pk"):
        with library_time(library):
            counts.add(remind_library(library))
    return counts


def remind_library(library: Library) -> RunCounts:
    """One library's reminders, in its own time zone (call inside ``library_time``)."""
    counts = RunCounts()
    people = [p for p in progress_of(library, library_memberships(library)) if p.open]
    if not people:
        return counts
    sent: dict[tuple[int, str], set[str]] = {}
    for user_id, key, kind in DutyReminder.objects.filter(
        user_id__in=[p.person.pk for p in people]
    ).values_list("user_id", "duty_key", "kind"):
        sent.setdefault((user_id, key), set()).add(kind)
    tell_after = settings_for(library).tell_hr_after_days
    human_resources: list[User] | None = None
    for p in people:
        far_overdue: list[Duty] = []
        for duty in p.open:
            kinds = sent.get((p.person.pk, duty.key), set())
            stage = stage_of(duty, p.today)
            later = STAGES[STAGES.index(stage) :]
            has_address = bool((p.person.email or "").strip())
            if (
                has_address
                and not kinds.intersection(later)
                and _remind(library, p.person, duty, stage, first=not kinds)
            ):
                counts.reminders += 1
            if duty.days_overdue(p.today) > tell_after and ReminderKind.HR_TOLD not in kinds:
                far_overdue.append(duty)
        if far_overdue:
            if human_resources is None:
                human_resources = _human_resources_of(library)
            if human_resources and _tell_human_resources(library, p, far_overdue, human_resources):
                counts.people_reported += 1
    return counts


def _human_resources_of(library: Library) -> list[User]:
    """Who hears of people far overdue: human resources, else the director(s), with an
    address."""
    for role in (Role.HUMAN_RESOURCES, Role.DIRECTOR):
        people = {
            m.user.pk: m.user
            for m in Membership.objects.active()
            .filter(library=library, role=role)
            .select_related("user")
            if (m.user.email or "").strip()
        }
        if people:
            return sorted(people.values(), key=lambda u: u.pk)
    return []


def _ledger(
    library: Library, person: User, duties: Iterable[Duty], kind: str
) -> list[DutyReminder] | None:
    """Write the ledger rows first: another run that got there first makes this step give
    up (None) before anything is mailed."""
    try:
        with transaction.atomic():
            return [
                DutyReminder.objects.create(
                    user=person, library=library, duty_key=d.key, kind=kind, due_on=d.due_on
                )
                for d in duties
            ]
    except IntegrityError:
        return None


def _due_words(duty: Duty, library: Library) -> str:
    return f"by {formats.day(duty.due_on, library=library)}" if duty.due_on else "when you can"


def reminder_text(
    library: Library, person: User, duty: Duty, stage: str, *, first: bool
) -> tuple[str, str]:
    """The subject and body of one reminder, in plain words."""
    name = person.first_name or str(person)
    due = formats.day(duty.due_on, library=library)
    if stage == ReminderKind.OVERDUE:
        subject = f"Overdue: {duty.title}"
        said = (
            f'Your task at {library.name}, "{duty.title}", was due on {due} and is not done '
            "yet. Please do it as soon as you can. If something stops you, tell your manager "
            "or human resources."
        )
    elif first:
        subject = f"You have a new task: {duty.title}"
        said = f"You have a new task at {library.name}: {duty.title}, {_due_words(duty, library)}."
    else:
        subject = f"Due on {due}: {duty.title}"
        said = f'A reminder: your task at {library.name}, "{duty.title}", is due on {due}.'
    body = "\n".join(
        [
            f"Hello {name},",
            "",
            said,
            "",
            f"Sign in to Bookwarden and open {reverse('onboarding:mine')} to see everything "
            "you owe the library, with a link to carry out each task.",
        ]
    )
    return subject, body


@transaction.atomic
def _remind(library: Library, person: User, duty: Duty, stage: str, *, first: bool) -> bool:
    rows = _ledger(library, person, [duty], stage)
    if rows is None:
        return False
    subject, body = reminder_text(library, person, duty, stage, first=first)
    row = rows[0]
    row.message = queue_mail(
        to=[person.email],
        subject=subject,
        body=body,
        reason=REMINDER_REASON,
        library=library,
        about=row,
        dedupe_key=f"{REMINDER_REASON}:{row.pk}",
    )
    row.save(update_fields=["message"])
    record(
        AuditAction.ONBOARDING_REMINDER_SENT,
        target=row,
        library=library,
        subject_user=person,
        after={"duty": duty.key, "reminder": stage, "message": row.message_id},
    )
    return True


def overdue_people_text(
    library: Library, p: Progress, duties: list[Duty], days: int
) -> tuple[str, str]:
    lines = [
        f"{p.person} ({', '.join(p.roles)}, {', '.join(p.branches)}) at {library.name} is more "
        f"than {counted(days, 'day')} late with:",
        "",
        *(
            f"- {d.title}, due on {formats.day(d.due_on, library=library)} "
            f"({counted(d.days_overdue(p.today), 'day')} late)"
            for d in duties
        ),
        "",
        f"Their progress: sign in to Bookwarden and open "
        f"{reverse('onboarding:person', args=[library.slug, p.person.pk])}.",
        "You are told once for each of these tasks.",
    ]
    return f"Overdue tasks at {library.name}: {p.person}", "\n".join(lines)


@transaction.atomic
def _tell_human_resources(
    library: Library, p: Progress, duties: list[Duty], recipients: list[User]
) -> bool:
    rows = _ledger(library, p.person, duties, ReminderKind.HR_TOLD)
    if rows is None:
        return False
    days = settings_for(library).tell_hr_after_days
    subject, body = overdue_people_text(library, p, duties, days)
    message = queue_mail(
        to=[u.email for u in recipients],
        subject=subject,
        body=body,
        reason=HR_REASON,
        library=library,
        about=rows[0],
        dedupe_key=f"{HR_REASON}:{rows[0].pk}",
    )
    DutyReminder.objects.filter(pk__in=[r.pk for r in rows]).update(message=message)
    record(
        AuditAction.ONBOARDING_HR_TOLD,
        target=rows[0],
        library=library,
        subject_user=p.person,
        after={
            "duties": [d.key for d in duties],
            "days_overdue": max(d.days_overdue(p.today) for d in duties),
            "recipients": [u.pk for u in recipients],
            "message": message.pk if message else None,
        },
    )
    return True
