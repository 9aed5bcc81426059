"""Every write about a breach of patron information (CR-6e; DESIGN mechanism 1).

Each action runs in one transaction, takes the acting person as ``actor=`` (``None`` for
the command line), requires :attr:`Perm.MANAGE_BREACH` at the breach's library, and writes
its audit event in the same transaction.  Events carry ids, dates, counts and record
*types*: never a patron's name, an address or what a record contains.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Membership, User
from bookwarden.core.permissions import require
from bookwarden.core.roles import Perm
from bookwarden.core.when import when
from bookwarden.core.wording import counted
from bookwarden.mail.actions import queue_mail
from bookwarden.mail.models import MailStatus, OutboxMessage
from bookwarden.operations.models import LogEntry
from bookwarden.patrons.models import Patron

from .listing_rows import Listing, write_listing
from .models import (
    AffectedPatron,
    Breach,
    BreachStatus,
    Channel,
    NoticeStatus,
    Source,
)
from .notices import Notice, build_notice

#: Why the outbox holds a breach notice (``OutboxMessage.reason``).
MAIL_REASON = "breach.patron_notice"


def dedupe_key(breach: Breach, patron_id: int) -> str:
    """One notice per patron per breach, however often "Notify" is pressed."""
    return f"breach:{breach.pk}:patron:{patron_id}"


def _note_on_entry(actor: Any, breach: Breach, text: str) -> None:
    """Note a milestone on the incident's timeline, if the operations log offers it."""
    try:
        from bookwarden.operations import actions as ops_actions
    except ImportError:
        return
    add_step = getattr(ops_actions, "add_step", None)
    if add_step is None:
        return
    entry = breach.entry
    # A closed entry takes notes only (the review often comes after the incident closed).
    add_step(actor=actor, entry=entry, text=text, kind="note" if entry.is_closed else "step")


def _check_scope(
    library_id: int,
    window_start: datetime.datetime | None,
    window_end: datetime.datetime | None,
    accounts: list[User],
) -> None:
    errors: dict[str, str] = {}
    if window_start is None:
        errors["window_start"] = "Give the start of the time window."
    elif window_start > timezone.now():
        errors["window_start"] = "The window cannot start in the future."
    if window_end is None:
        errors["window_end"] = "Give the end of the time window."
    if window_start and window_end and window_end < window_start:
        errors["window_end"] = "The window must end after it starts."
    if not accounts:
        errors["accounts"] = "Name at least one compromised staff account."
    else:
        # Any role at the library, revoked ones too: a compromised account is often
        # revoked before the breach is declared.
        staff = set(
            Membership.objects.filter(
                library_id=library_id, user__in=[a.pk for a in accounts]
            ).values_list("user_id", flat=True)
        )
        strangers = [str(a) for a in accounts if a.pk not in staff]
        if strangers:
            errors["accounts"] = "Not staff of this library: " + ", ".join(strangers) + "."
    if errors:
        raise ValidationError(errors)


def _scope(breach: Breach) -> dict[str, Any]:
    return {
        "window_start": breach.window_start.isoformat(),
        "window_end": breach.window_end.isoformat(),
        "accounts": sorted(breach.accounts.values_list("pk", flat=True)),
    }


def _locked(breach: Breach) -> Breach:
    return Breach.objects.select_for_update().select_related("library", "entry").get(pk=breach.pk)


@transaction.atomic
def declare_breach(
    *,
    actor: Any,
    entry: LogEntry,
    window_start: datetime.datetime,
    window_end: datetime.datetime,
    accounts: Iterable[User],
    summary: str,
    library_response: str,
    contact: str,
) -> Breach:
    """Declare that an incident of the operations log is a breach of patron information."""
    require(actor, Perm.MANAGE_BREACH, entry.library_id)
    entry = LogEntry.objects.select_for_update().get(pk=entry.pk)
    accounts = list(accounts)
    errors: dict[str, str] = {}
    if not entry.is_incident:
        errors["entry"] = "Only a security incident can be declared a breach."
    elif not entry.patron_data_involved:
        errors["entry"] = "Mark the incident as involving patron information first."
    if Breach.objects.filter(entry=entry).exists():
        errors["entry"] = "This incident is already declared a breach."
    for name, text in (
        ("summary", summary),
        ("library_response", library_response),
        ("contact", contact),
    ):
        if not text.strip():
            errors[name] = "The notice to patrons needs this."
    if errors:
        raise ValidationError(errors)
    _check_scope(entry.library_id, window_start, window_end, accounts)
    breach = Breach.objects.create(
        library_id=entry.library_id,
        entry=entry,
        window_start=window_start,
        window_end=window_end,
        summary=summary.strip(),
        library_response=library_response.strip(),
        contact=contact.strip(),
        declared_at=timezone.now(),
        declared_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    breach.accounts.set(accounts)
    record(
        AuditAction.BREACH_DECLARED,
        actor=actor,
        target=breach,
        library=breach.library_id,
        after={"entry": entry.pk, **_scope(breach)},
    )
    _note_on_entry(
        actor,
        breach,
        "Declared a breach of patron information: "
        f"{counted(len(accounts), 'compromised account')}, "
        f"window {when(breach.window_start, library=breach.library)} to "
        f"{when(breach.window_end, library=breach.library)}.",
    )
    return breach


@transaction.atomic
def change_scope(
    *,
    actor: Any,
    breach: Breach,
    window_start: datetime.datetime,
    window_end: datetime.datetime,
    accounts: Iterable[User],
) -> Breach:
    """Change the compromised accounts or the window.  List the affected patrons again
    afterwards: patrons already notified stay on the list."""
    require(actor, Perm.MANAGE_BREACH, breach.library_id)
    breach = _locked(breach)
    accounts = list(accounts)
    _check_scope(breach.library_id, window_start, window_end, accounts)
    before = _scope(breach)
    breach.window_start = window_start
    breach.window_end = window_end
    breach.save(update_fields=["window_start", "window_end"])
    breach.accounts.set(accounts)
    after = _scope(breach)
    if before != after:
        record(
            AuditAction.BREACH_SCOPE_CHANGED,
            actor=actor,
            target=breach,
            library=breach.library_id,
            before=before,
            after=after,
        )
    return breach


@transaction.atomic
def list_affected(*, actor: Any, breach: Breach) -> Listing:
    """List the affected patrons from the audit log (idempotent): every patron whose
    library records the compromised accounts opened in the window, at the breach's library.
    Patrons found again keep their row (openings and record types brought up to date);
    patrons no longer in scope are taken off the list unless they were already notified or
    were added by hand.  The database writes the list (see :mod:`.listing_rows`: under 5
    seconds at a consortium's size, issue 16)."""
    require(actor, Perm.MANAGE_BREACH, breach.library_id)
    breach = _locked(breach)
    accounts = sorted(breach.accounts.values_list("pk", flat=True))
    added_by = actor if getattr(actor, "is_authenticated", False) else None
    result = write_listing(breach, accounts, added_by)
    record(
        AuditAction.BREACH_AFFECTED_LISTED,
        actor=actor,
        target=breach,
        library=breach.library_id,
        after={
            "events": result.events,
            "patrons": result.patrons,
            "added": result.added,
            "updated": result.updated,
            "removed": result.removed,
            "gone": result.gone,
        },
    )
    _note_on_entry(
        actor,
        breach,
        f"Listed the affected patrons from the audit log: {counted(result.patrons, 'patron')}, "
        f"{counted(result.events, 'opening')} of their records in the window.",
    )
    return result


@transaction.atomic
def add_patron_by_hand(
    *, actor: Any, breach: Breach, patron: Patron, reason: str
) -> AffectedPatron:
    """Add a patron the audit log cannot show (a screenshot, a printed list ...)."""
    require(actor, Perm.MANAGE_BREACH, breach.library_id)
    breach = _locked(breach)
    reason = reason.strip()
    if patron.library_id != breach.library_id:
        raise ValidationError({"patron": "That patron belongs to another library."})
    if not reason:
        raise ValidationError({"reason": "Say why this patron is affected."})
    if AffectedPatron.objects.filter(breach=breach, patron=patron).exists():
        raise ValidationError({"patron": "This patron is already on the list."})
    affected = AffectedPatron.objects.create(
        breach=breach,
        patron=patron,
        source=Source.BY_HAND,
        reason=reason,
        added_at=timezone.now(),
        added_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record(
        AuditAction.BREACH_PATRON_ADDED,
        actor=actor,
        target=affected,
        library=breach.library_id,
        patron=patron,
        after={"breach": breach.pk, "source": Source.BY_HAND.value},
    )
    return affected


@dataclass
class Notified:
    emailed: int = 0
    letters: int = 0
    #: E-mails the outbox gave up on, turned into letters.
    switched: int = 0


@transaction.atomic
def notify(*, actor: Any, breach: Breach) -> Notified:
    """Prepare a notice for every affected patron not yet notified: an e-mail through the
    outbox (one per patron per breach), or a letter to print for a patron without an
    e-mail address.  An e-mail the outbox gave up on becomes a letter."""
    require(actor, Perm.MANAGE_BREACH, breach.library_id)
    breach = _locked(breach)
    result = Notified()
    now = timezone.now()
    by = actor if getattr(actor, "is_authenticated", False) else None
    failed = AffectedPatron.objects.filter(
        breach=breach,
        notice_status=NoticeStatus.QUEUED,
        outbox_message__status=MailStatus.FAILED,
    )
    result.switched = failed.update(
        channel=Channel.LETTER, notice_status=NoticeStatus.LETTER_PENDING
    )
    pending = (
        AffectedPatron.objects.filter(breach=breach, notice_status=NoticeStatus.PENDING)
        .select_related("patron")
        .order_by("pk")
    )
    for affected in pending:
        affected.breach = breach
        patron = affected.patron
        if patron.email:
            notice = build_notice(breach, affected)
            key = dedupe_key(breach, patron.pk)
            message = queue_mail(
                to=[patron.email],
                subject=notice.subject,
                body=notice.body,
                reason=MAIL_REASON,
                library=breach.library_id,
                about=affected,
                dedupe_key=key,
                actor=actor,
            ) or OutboxMessage.objects.get(dedupe_key=key)
            affected.channel = Channel.EMAIL
            affected.notice_status = NoticeStatus.QUEUED
            affected.outbox_message = message
            affected.notified_at, affected.notified_by = now, by
            affected.save(
                update_fields=[
                    "channel",
                    "notice_status",
                    "outbox_message",
                    "notified_at",
                    "notified_by",
                ]
            )
            record(
                AuditAction.BREACH_NOTICE_QUEUED,
                actor=actor,
                target=affected,
                library=breach.library_id,
                patron=patron,
                after={"breach": breach.pk, "channel": Channel.EMAIL.value, "message": message.pk},
            )
            result.emailed += 1
        else:
            affected.channel = Channel.LETTER
            affected.notice_status = NoticeStatus.LETTER_PENDING
            affected.save(update_fields=["channel", "notice_status"])
            result.letters += 1
    if not (result.emailed or result.letters or result.switched):
        raise ValidationError("Every affected patron already has a notice.")
    if breach.status == BreachStatus.DECLARED:
        breach.status = BreachStatus.NOTIFYING
        breach.save(update_fields=["status"])
    _note_on_entry(
        actor,
        breach,
        f"Notices to affected patrons: {result.emailed} e-mailed through the outbox, "
        f"{counted(result.letters + result.switched, 'letter')} to print.",
    )
    return result


@dataclass(frozen=True)
class Letter:
    affected: AffectedPatron
    notice: Notice


@transaction.atomic
def print_letters(*, actor: Any, breach: Breach, reprint: bool = False) -> list[Letter]:
    """The letters to print, one per patron without e-mail; each printing is recorded.
    ``reprint``: the letters already printed (or mailed) too."""
    require(actor, Perm.MANAGE_BREACH, breach.library_id)
    breach = _locked(breach)
    statuses = [NoticeStatus.LETTER_PENDING]
    if reprint:
        statuses += [NoticeStatus.PRINTED, NoticeStatus.LETTER_SENT]
    rows = list(
        AffectedPatron.objects.filter(
            breach=breach, channel=Channel.LETTER, notice_status__in=statuses
        )
        .select_related("patron")
        .order_by("patron__last_name", "patron__first_name", "pk")
    )
    if not rows:
        raise ValidationError("There are no letters to print.")
    now = timezone.now()
    by = actor if getattr(actor, "is_authenticated", False) else None
    letters = []
    for affected in rows:
        affected.breach = breach
        again = affected.notice_status != NoticeStatus.LETTER_PENDING
        if not again:
            affected.notice_status = NoticeStatus.PRINTED
            affected.notified_at, affected.notified_by = now, by
        affected.letter_printed_at, affected.letter_printed_by = now, by
        affected.save(
            update_fields=[
                "notice_status",
                "notified_at",
                "notified_by",
                "letter_printed_at",
                "letter_printed_by",
            ]
        )
        record(
            AuditAction.BREACH_LETTER_PRINTED,
            actor=actor,
            target=affected,
            library=breach.library_id,
            patron=affected.patron_id,
            after={"breach": breach.pk, "reprint": again},
        )
        letters.append(Letter(affected, build_notice(breach, affected)))
    return letters


@transaction.atomic
def mark_letter_sent(*, actor: Any, affected: AffectedPatron) -> AffectedPatron:
    """The printed letter went into the mail."""
    require(actor, Perm.MANAGE_BREACH, affected.breach.library_id)
    affected = AffectedPatron.objects.select_for_update().get(pk=affected.pk)
    if affected.notice_status == NoticeStatus.LETTER_SENT:
        return affected
    if affected.notice_status != NoticeStatus.PRINTED:
        raise ValidationError("Print the letter before marking it as mailed.")
    affected.notice_status = NoticeStatus.LETTER_SENT
    affected.marked_sent_at = timezone.now()
    affected.marked_sent_by = actor if getattr(actor, "is_authenticated", False) else None
    affected.save(update_fields=["notice_status", "marked_sent_at", "marked_sent_by"])
    record(
        AuditAction.BREACH_NOTICE_MARKED_SENT,
        actor=actor,
        target=affected,
        library=affected.breach.library_id,
        patron=affected.patron_id,
        after={"breach": affected.breach_id, "channel": Channel.LETTER.value},
    )
    return affected


@transaction.atomic
def record_review(
    *, actor: Any, breach: Breach, practice_evaluated: str, procedures_changed: str
) -> Breach:
    """The post-incident review (CR-6e): the practice evaluated, the procedures changed.
    Recording it again amends it; the audit log keeps each recording."""
    require(actor, Perm.MANAGE_BREACH, breach.library_id)
    breach = _locked(breach)
    practice_evaluated, procedures_changed = practice_evaluated.strip(), procedures_changed.strip()
    errors = {}
    if not practice_evaluated:
        errors["practice_evaluated"] = "Say which practice was evaluated and what was found."
    if not procedures_changed:
        errors["procedures_changed"] = "Say which procedures changed (or why none did)."
    if errors:
        raise ValidationError(errors)
    amended = breach.reviewed_at is not None
    breach.practice_evaluated = practice_evaluated
    breach.procedures_changed = procedures_changed
    breach.reviewed_at = timezone.now()
    breach.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    breach.status = BreachStatus.REVIEWED
    breach.save(
        update_fields=[
            "practice_evaluated",
            "procedures_changed",
            "reviewed_at",
            "reviewed_by",
            "status",
        ]
    )
    # The review's text is on the breach; the event says that it was recorded.
    record(
        AuditAction.BREACH_REVIEW_RECORDED,
        actor=actor,
        target=breach,
        library=breach.library_id,
        after={"amended": amended, "status": breach.status},
    )
    _note_on_entry(
        actor,
        breach,
        "Post-incident review recorded: practice evaluated, procedures changed.",
    )
    return breach
