"""A person's last day at a library, and the end of their access there (CC-1, LV-3).

Human resources or the director (``MANAGE_DEPARTURES``) records the last day; it can be
changed or cancelled until the access has ended.  The access ends when the last day is over
in the library's time zone: the hourly ``departures`` job ends it at its first run of the
next day (:func:`end_due_accounts`), or at once when the person recording asks for it.

Ending is one action, :func:`end_account`, in one transaction per person: every role at the
library is revoked (each recorded as a revoked role), and if the person holds no role at any
other library (nor the installation role) the account is turned off and its sessions end;
then one ``people.account_ended`` event says why (``reason``: ``leaving`` or
``contract_end``).  A job killed halfway leaves the person untouched and the next run does
it again; a departure already ended is not ended twice.

A contractor's role carries an end date (CC-1); once it has passed, the same job ends that
access through the same action, with a departure of its own kind recorded by the job
(:func:`end_expired_access`).
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core import when as formats
from bookwarden.core.actions import end_memberships, end_sessions, revoke_role
from bookwarden.core.models import Library, Membership, User
from bookwarden.core.permissions import require
from bookwarden.core.roles import Perm

from ..models import Departure, DepartureKind, local_today

logger = logging.getLogger(__name__)

#: The reason given to each role revoked when a contractor's end date has passed.
CONTRACT_END_REASON = "Access ended: contractor's end date"
#: The reason given to a role whose end date passed while the person keeps other roles.
END_DATE_REASON = "End date passed"


def _ids(departure: Departure) -> dict[str, Any]:
    return {
        "departure": departure.pk,
        "kind": departure.kind,
        "last_day": departure.last_day.isoformat(),
    }


def _locked_pending(departure: Departure) -> Departure:
    departure = (
        Departure.objects.select_for_update().select_related("library", "user").get(pk=departure.pk)
    )
    if departure.ended_at is not None:
        raise ValidationError("This person's access has already ended; nothing can be changed.")
    if departure.cancelled_at is not None:
        raise ValidationError("This departure was cancelled.")
    return departure


def _check_last_day(last_day: datetime.date | None, *, end_now: bool, today: datetime.date) -> None:
    if last_day is None:
        raise ValidationError({"last_day": "Give the person's last day."})
    if end_now and last_day > today:
        raise ValidationError(
            {"end_now": "To end the access now, the last day must be today or earlier."}
        )
    if last_day > today + datetime.timedelta(days=366):
        raise ValidationError({"last_day": "The last day is more than a year away."})


@transaction.atomic
def record_departure(
    *,
    actor: User | None,
    user: User,
    library: Library,
    last_day: datetime.date | None,
    reason: str = "",
    end_now: bool = False,
) -> Departure:
    """Record ``user``'s last day at ``library`` (CC-1).  A last day already past (recorded
    late) ends the access at the job's next run; ``end_now`` ends it at once."""
    require(actor, Perm.MANAGE_DEPARTURES, library)
    if actor is not None and actor.pk == user.pk:
        raise ValidationError("You cannot record your own departure: ask a colleague who may.")
    _check_last_day(last_day, end_now=end_now, today=local_today(library))
    assert last_day is not None
    User.objects.select_for_update().filter(pk=user.pk).first()  # one recording at a time
    if not Membership.objects.filter(user=user, library=library, revoked_at__isnull=True).exists():
        raise ValidationError("This person holds no role here any more: their access has ended.")
    if Departure.objects.pending().filter(user=user, library=library).exists():
        raise ValidationError("A last day is already recorded for this person: change that one.")
    departure = Departure.objects.create(
        library=library,
        user=user,
        kind=DepartureKind.LEAVING,
        last_day=last_day,
        reason=reason.strip(),
        recorded_by=actor,
    )
    record(
        AuditAction.DEPARTURE_RECORDED,
        actor=actor,
        target=departure,
        library=library,
        subject_user=user,
        after={**_ids(departure), "end_now": end_now},
    )
    if end_now:
        end_account(actor=actor, departure=departure)
        departure.refresh_from_db()
    return departure


@transaction.atomic
def change_departure(
    *,
    actor: User | None,
    departure: Departure,
    last_day: datetime.date | None,
    reason: str = "",
    end_now: bool = False,
) -> Departure:
    """Move the last day (or give its reason) while the access has not ended yet."""
    require(actor, Perm.MANAGE_DEPARTURES, departure.library_id)
    departure = _locked_pending(departure)
    _check_last_day(last_day, end_now=end_now, today=local_today(departure.library))
    assert last_day is not None
    before = {"last_day": departure.last_day.isoformat()}
    reason = reason.strip()
    reason_changed = reason != departure.reason
    departure.last_day = last_day
    departure.reason = reason
    departure.changed_at = timezone.now()
    departure.save(update_fields=["last_day", "reason", "changed_at"])
    if before["last_day"] != last_day.isoformat() or reason_changed:
        record(
            AuditAction.DEPARTURE_CHANGED,
            actor=actor,
            target=departure,
            library=departure.library,
            subject_user=departure.user,
            before=before,
            after={**_ids(departure), "reason_changed": reason_changed},
        )
    if end_now:
        end_account(actor=actor, departure=departure)
        departure.refresh_from_db()
    return departure


@transaction.atomic
def cancel_departure(*, actor: User | None, departure: Departure) -> Departure:
    """The person stays after all: the departure is kept, marked cancelled."""
    require(actor, Perm.MANAGE_DEPARTURES, departure.library_id)
    departure = _locked_pending(departure)
    departure.cancelled_at = timezone.now()
    departure.cancelled_by = actor
    departure.save(update_fields=["cancelled_at", "cancelled_by"])
    record(
        AuditAction.DEPARTURE_CANCELLED,
        actor=actor,
        target=departure,
        library=departure.library,
        subject_user=departure.user,
        after=_ids(departure),
    )
    return departure


def _revocation_reason(departure: Departure) -> str:
    if departure.kind == DepartureKind.CONTRACT_END:
        return CONTRACT_END_REASON
    return f"Access ended: last day {formats.day(departure.last_day)}"


@transaction.atomic
def end_account(*, actor: User | None, departure: Departure) -> Departure:
    """End ``departure``'s person's access at its library, all of it or nothing (CC-1, LV-3).

    Revokes every role the person holds there; if they hold no role at another library and
    not the installation role, turns the account off and ends its sessions.  Records
    ``people.account_ended`` with the reason.  A departure already ended is returned as it
    is (the job may meet it twice)."""
    require(actor, Perm.MANAGE_DEPARTURES, departure.library_id)
    departure = (
        Departure.objects.select_for_update().select_related("library", "user").get(pk=departure.pk)
    )
    if departure.ended_at is not None:
        return departure
    if departure.cancelled_at is not None:
        raise ValidationError("This departure was cancelled.")
    library = departure.library
    user = User.objects.select_for_update().get(pk=departure.user_id)
    revoked = end_memberships(
        actor=actor, user=user, library=library, reason=_revocation_reason(departure)
    )
    # Roles in force elsewhere, even while the account is held off (a lock, a suspension):
    # the account is theirs at that library too.
    elsewhere = (
        Membership.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=timezone.localdate()),
            user=user,
            revoked_at__isnull=True,
        )
        .exclude(library=library)
        .values_list("library_id", flat=True)
    )
    other_libraries = sorted(set(elsewhere))
    turned_off = False
    sessions_ended = 0
    if not other_libraries and not user.installation_role:
        if user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
            turned_off = True
        sessions_ended = end_sessions(user)
        # API tokens (a later issue): revoke the person's tokens here, in this transaction,
        # and name how many in the event below, so that nothing the person holds still works.
    departure.ended_at = timezone.now()
    departure.ended_by = actor
    departure.roles_ended = len(revoked)
    departure.account_turned_off = turned_off
    departure.save(update_fields=["ended_at", "ended_by", "roles_ended", "account_turned_off"])
    record(
        AuditAction.ACCOUNT_ENDED,
        actor=actor,
        target=departure,
        library=library,
        subject_user=user,
        after={
            **_ids(departure),
            "reason": departure.kind,
            "roles_revoked": [m.pk for m in revoked],
            "account_turned_off": turned_off,
            "account_active": user.is_active,
            "active_at_other_libraries": other_libraries,
            "sessions_ended": sessions_ended,
        },
    )
    return departure


@transaction.atomic
def end_expired_access(*, actor: User | None, user: User, library: Library) -> Departure | None:
    """CC-1: the roles of ``user`` at ``library`` whose end date has passed (in the library's
    time zone).  When every role they hold there has passed its end date, their access ends
    through :func:`end_account`, with a departure of kind ``contract_end`` (or the last day
    already recorded for them, which the end date overtook).  When other roles continue,
    only the expired ones are revoked.  Returns the departure ended, if any.  Run by the
    job (``actor=None``)."""
    require(actor, Perm.MANAGE_DEPARTURES, library)
    today = local_today(library)
    live = list(
        Membership.objects.select_for_update()
        .filter(user=user, library=library, revoked_at__isnull=True)
        .order_by("pk")
    )
    expired = [m for m in live if m.ends_on is not None and m.ends_on < today]
    if not expired:
        return None
    if len(expired) < len(live):
        for membership in expired:
            revoke_role(actor=actor, membership=membership, reason=END_DATE_REASON)
        return None
    departure = Departure.objects.pending().filter(user=user, library=library).first()
    if departure is None:
        departure = Departure.objects.create(
            library=library,
            user=user,
            kind=DepartureKind.CONTRACT_END,
            last_day=max(m.ends_on for m in expired if m.ends_on is not None),
            recorded_by=actor,
        )
    return end_account(actor=actor, departure=departure)


def _expired_pairs() -> list[tuple[int, Library]]:
    """(person, library) of every role not revoked whose end date has passed, in the
    library's time zone (a day's margin in the query, the exact day per library)."""
    margin = timezone.now().date() + datetime.timedelta(days=1)
    pairs: dict[tuple[int, int], Library] = {}
    for membership in (
        Membership.objects.filter(revoked_at__isnull=True, ends_on__lt=margin)
        .select_related("library")
        .order_by("ends_on", "pk")
    ):
        assert membership.ends_on is not None
        if membership.ends_on < local_today(membership.library):
            pairs[(membership.user_id, membership.library_id)] = membership.library
    return [(user_id, library) for (user_id, _), library in pairs.items()]


def end_due_accounts() -> tuple[int, int]:
    """The ``departures`` job: end the access of everyone whose last day is over, and of
    every contractor past their end date, as the installation.  One transaction per person;
    a person whose ending fails is left untouched, logged, and tried again at the next run.
    Returns (ended, failed)."""
    ended = failed = 0
    due = [
        d
        for d in Departure.objects.pending().select_related("library").order_by("last_day", "pk")
        if d.is_due
    ]
    for departure in due:
        try:
            end_account(actor=None, departure=departure)
            ended += 1
        except Exception:
            logger.exception("Ending the access of departure %s failed", departure.pk)
            failed += 1
    for user_id, library in _expired_pairs():
        try:
            if end_expired_access(actor=None, user=User(pk=user_id), library=library):
                ended += 1
        except Exception:
            logger.exception("Ending the expired access of user %s failed", user_id)
            failed += 1
    return ended, failed
