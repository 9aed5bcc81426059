"""Security incidents (CC-9, IT-9): everyone who must hear of one is told at once (a
notice and a mail through the outbox), acknowledges it, and an incident nobody acknowledged
in time is escalated to the director and everyone told."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Membership, User
from bookwarden.core.permissions import require
from bookwarden.core.roles import Perm, Role
from bookwarden.core.when import when
from bookwarden.mail.actions import queue_mail

from ..models import (
    INCIDENT_KINDS,
    INTEGRITY_KINDS,
    Acknowledgement,
    EntryStatus,
    IncidentNotice,
    LogEntry,
)
from .settings import escalation_minutes
from .timeline import system_step

#: Who is told of every incident (CC-9), and who besides for one that compromises integrity
#: (IT-9: the IT manager, i.e. the technology coordinator, or the assistant director).
INCIDENT_ROLES = frozenset({Role.DIRECTOR, Role.TECH_COORDINATOR, Role.HUMAN_RESOURCES})
INTEGRITY_ROLES = frozenset({Role.ASSISTANT_DIRECTOR, Role.TECH_COORDINATOR})


def _entry_path(entry: LogEntry) -> str:
    return reverse("operations:detail", args=[entry.pk])


def _recipients(entry: LogEntry) -> list[User]:
    """Everyone who must hear of this incident at its library (CC-9, IT-9): active members
    holding one of the roles, each once."""
    roles = set(INCIDENT_ROLES)
    if entry.kind in INTEGRITY_KINDS:
        roles |= INTEGRITY_ROLES
    memberships = (
        Membership.objects.active()
        .filter(library_id=entry.library_id, role__in=roles)
        .select_related("user")
        .order_by("user__username")
    )
    seen: dict[int, User] = {}
    for m in memberships:
        seen.setdefault(m.user_id, m.user)
    return list(seen.values())


def notify_of_incident(entry: LogEntry, actor: User | None) -> list[int]:
    """Tell everyone who must hear of an incident, once each; returns the ids newly told.

    Called inside the action that makes (or classifies) the incident: the notices, the
    outbox mail and the entry commit together.  A person without an e-mail address is told
    on their home page only, and the entry says so."""
    if entry.kind not in INCIDENT_KINDS:
        return []
    already = set(IncidentNotice.objects.filter(entry=entry).values_list("user_id", flat=True))
    told: list[int] = []
    for user in _recipients(entry):
        if user.pk in already:
            continue
        email = (user.email or "").strip()
        IncidentNotice.objects.create(entry=entry, user=user, emailed=bool(email))
        told.append(user.pk)
        if not email:
            system_step(
                entry,
                f"{user} has no e-mail address: not e-mailed, told on their home page only.",
            )
            continue
        queue_mail(
            to=[email],
            subject=f"Security incident #{entry.pk} at {entry.library.name}: "
            f"{entry.get_kind_display()}",
            body=_incident_body(entry, user),
            reason="operations.incident",
            library=entry.library_id,
            about=entry,
            dedupe_key=f"operations.incident:{entry.pk}:{user.pk}",
            actor=actor,
        )
    if told and entry.notified_at is None:
        entry.notified_at = timezone.now()
        entry.save(update_fields=["notified_at"])
    return told


def _incident_body(entry: LogEntry, user: User) -> str:
    where = entry.library.name + (f", {entry.branch.name}" if entry.branch else "")
    lines = [
        f"Hello {user},",
        "",
        "A security incident was recorded in Bookwarden's operations log.",
        "",
        f"Entry: #{entry.pk}",
        f"Kind: {entry.get_kind_display()}",
        f"Severity: {entry.get_severity_display()}",
        f"Where: {where}",
        f"When: {when(entry.occurred_at, library=entry.library)}",
        f"Patron information may be involved: {'yes' if entry.patron_data_involved else 'no'}",
        "",
        f"Sign in to Bookwarden and open {_entry_path(entry)} to read it and acknowledge it.",
        "This mail carries no details on purpose: read them in Bookwarden.",
    ]
    return "\n".join(lines)


@transaction.atomic
def acknowledge(*, actor: User, entry: LogEntry) -> Acknowledgement:
    """Someone told of an incident says they have read it (CC-9).  Once per person."""
    require(actor, Perm.ACKNOWLEDGE_INCIDENTS, entry.library_id)
    if actor is None or not IncidentNotice.objects.filter(entry=entry, user=actor).exists():
        raise PermissionDenied("Only those told of this incident acknowledge it.")
    existing = Acknowledgement.objects.filter(entry=entry, user=actor).first()
    if existing is not None:
        return existing
    ack = Acknowledgement.objects.create(entry=entry, user=actor)
    system_step(entry, f"Acknowledged by {actor}.", actor=actor)
    record(
        AuditAction.OPS_ACKNOWLEDGED,
        actor=actor,
        target=entry,
        library=entry.library_id,
        after={"acknowledgement": ack.pk},
    )
    return ack


def escalate_unacknowledged(*, now: datetime.datetime | None = None) -> int:
    """The ``escalation`` job: an incident nobody has acknowledged within the library's
    escalation time is mailed again, once, to the director and everyone told.  Returns how
    many incidents were escalated."""
    now = now or timezone.now()
    candidates = list(
        LogEntry.objects.filter(
            kind__in=INCIDENT_KINDS,
            notified_at__isnull=False,
            notified_at__lte=now - datetime.timedelta(minutes=5),
            escalated_at__isnull=True,
        )
        .exclude(status=EntryStatus.CLOSED)
        .exclude(acknowledgements__isnull=False)
        .values_list("pk", "library_id", "notified_at")
    )
    minutes: dict[int, int] = {}
    done = 0
    for pk, library_id, notified_at in candidates:
        if library_id not in minutes:
            minutes[library_id] = escalation_minutes(library_id)
        if notified_at + datetime.timedelta(minutes=minutes[library_id]) > now:
            continue
        if _escalate(pk, minutes[library_id], now):
            done += 1
    return done


@transaction.atomic
def _escalate(pk: int, minutes: int, now: datetime.datetime) -> bool:
    entry = LogEntry.objects.select_for_update(of=("self",)).select_related("library").get(pk=pk)
    if (
        entry.escalated_at is not None
        or entry.status == EntryStatus.CLOSED
        or entry.acknowledgements.exists()
    ):
        return False  # another run got there first, or someone acknowledged meanwhile
    directors = [
        m.user
        for m in Membership.objects.active()
        .filter(library_id=entry.library_id, role=Role.DIRECTOR)
        .select_related("user")
    ]
    told = [n.user for n in entry.notices.select_related("user")]
    people = {u.pk: u for u in [*directors, *told]}
    addresses = sorted({u.email.strip() for u in people.values() if (u.email or "").strip()})
    if addresses:
        queue_mail(
            to=addresses,
            subject=f"Not yet acknowledged: security incident #{entry.pk} at {entry.library.name}",
            body="\n".join(
                [
                    f"Security incident #{entry.pk} ({entry.get_kind_display()}, "
                    f"{entry.get_severity_display().lower()}) was reported {minutes} minutes "
                    "ago or more, and nobody has acknowledged it yet.",
                    "",
                    f"Sign in to Bookwarden and open {_entry_path(entry)}: read it, act on it, "
                    "and acknowledge it.",
                ]
            ),
            reason="operations.escalation",
            library=entry.library_id,
            about=entry,
            dedupe_key=f"operations.escalation:{entry.pk}",
        )
    entry.escalated_at = now
    entry.save(update_fields=["escalated_at"])
    system_step(
        entry,
        f"Nobody acknowledged this incident within {minutes} minutes: escalated to the "
        "director and everyone told.",
    )
    record(
        AuditAction.OPS_ESCALATED,
        target=entry,
        library=entry.library_id,
        after={"minutes": minutes, "recipients": sorted(people)},
    )
    return True
