"""Every write to patrons and cards (DESIGN mechanism 1; CR-2, CR-5b).

Each action runs in one transaction, takes the acting person as ``actor=`` (``None`` for the
command line), checks the permission and records its audit event in the same transaction.
Personal information is never copied into the audit log: events carry ids, types and the
*names* of changed fields, never their values (NM-4, CR-6a: the log must not outlive the
data it describes).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.language import supported
from bookwarden.core.models import Branch, Library
from bookwarden.core.permissions import require
from bookwarden.core.roles import Perm

from .models import CONTACT_FIELDS, Card, CardStatus, NoticeChannel, Patron, SealedOpening
from .pins import hash_pin, pin_matches, validate_pin

#: What ``update_patron`` may change: personal information and notice preference.
PERSONAL_FIELDS = (*CONTACT_FIELDS, "guardian", "guardian_name", "home_branch", "notice_channel")
REPORTABLE = (CardStatus.LOST, CardStatus.STOLEN)


def _check(patron: Patron) -> None:
    errors: dict[str, str] = {}
    if (
        patron.home_branch_id
        and not Branch.objects.filter(
            pk=patron.home_branch_id, library_id=patron.library_id
        ).exists()
    ):
        errors["home_branch"] = "That branch belongs to another library."
    if patron.guardian_id:
        if patron.guardian_id == patron.pk:
            errors["guardian"] = "A patron cannot be their own guardian."
        elif not Patron.objects.filter(
            pk=patron.guardian_id, library_id=patron.library_id
        ).exists():
            errors["guardian"] = "The guardian must be a patron of the same library."
    if patron.notice_channel not in NoticeChannel.values:
        errors["notice_channel"] = "Unknown notice preference."
    if errors:
        raise ValidationError(errors)
    patron.full_clean(
        exclude=["library", "home_branch", "guardian", "portal_pin", "ils_source", "ils_id"]
    )


def _new_card(library: Library | int, patron: Patron, number: str) -> Card:
    number = number.strip()
    if not number:
        raise ValidationError({"card_number": "A card number is needed."})
    library_id = library if isinstance(library, int) else library.pk
    if Card.objects.filter(library_id=library_id, number=number).exists():
        raise ValidationError({"card_number": "That card number is already in use."})
    return Card.objects.create(library_id=library_id, patron=patron, number=number)


@transaction.atomic
def register_patron(
    *,
    actor: Any,
    library: Library,
    last_name: str,
    card_number: str,
    keeps_reading_history: bool = False,
    **fields: Any,
) -> Patron:
    """Register a patron with their first card.  ``fields``: any of PERSONAL_FIELDS."""
    require(actor, Perm.MANAGE_PATRONS, library)
    unknown = set(fields) - set(PERSONAL_FIELDS)
    if unknown:
        raise ValueError(f"Not personal fields: {sorted(unknown)}")
    patron = Patron(library=library, last_name=last_name, **fields)
    if keeps_reading_history:
        patron.keeps_reading_history = True
        patron.reading_history_changed_at = timezone.now()
    _check(patron)
    patron.save()
    card = _new_card(library, patron, card_number)
    given = sorted({"last_name", *(k for k, v in fields.items() if v not in ("", None))})
    record(
        AuditAction.PATRON_CREATED,
        actor=actor,
        target=patron,
        library=library,
        patron=patron,
        after={"fields": given, "card": card.pk, "reading_history": keeps_reading_history},
    )
    record(
        AuditAction.CARD_ISSUED,
        actor=actor,
        target=card,
        library=library,
        patron=patron,
        after={"card": card.pk, "status": card.status},
    )
    return patron


@transaction.atomic
def issue_card(
    *,
    actor: Any,
    patron: Patron,
    number: str,
    expires_on: datetime.date | None = None,
) -> Card:
    """A new card for ``patron``.  Their other active cards are marked replaced."""
    require(actor, Perm.MANAGE_PATRONS, patron.library_id)
    replaced = list(
        Card.objects.select_for_update()
        .filter(patron=patron, status=CardStatus.ACTIVE)
        .values_list("pk", flat=True)
    )
    card = _new_card(patron.library_id, patron, number)
    if expires_on is not None:
        card.expires_on = expires_on
        card.save(update_fields=["expires_on"])
    if replaced:
        Card.objects.filter(pk__in=replaced).update(
            status=CardStatus.REPLACED, status_changed_at=timezone.now()
        )
    record(
        AuditAction.CARD_ISSUED,
        actor=actor,
        target=card,
        library=patron.library_id,
        patron=patron,
        after={"card": card.pk, "status": card.status, "replaced": replaced},
    )
    return card


@transaction.atomic
def report_card(*, actor: Any, card: Card, status: str) -> Card:
    """A card reported lost or stolen is blocked at once: presenting it no longer counts as
    consent (CR-5b).  Reporting the same card again changes nothing."""
    require(actor, Perm.MANAGE_PATRONS, card.library_id)
    if status not in REPORTABLE:
        raise ValidationError({"status": "Report the card as lost or stolen."})
    card = Card.objects.select_for_update().get(pk=card.pk)
    if card.status in REPORTABLE:
        return card
    before = card.status
    card.status = status
    card.status_changed_at = timezone.now()
    card.save(update_fields=["status", "status_changed_at"])
    record(
        AuditAction.CARD_REPORTED,
        actor=actor,
        target=card,
        library=card.library_id,
        patron=card.patron_id,
        before={"card": card.pk, "status": before},
        after={"card": card.pk, "status": status},
    )
    return card


@transaction.atomic
def update_patron(*, actor: Any, patron: Patron, **fields: Any) -> Patron:
    """Change personal information.  The event names the changed fields, not the values:
    personal information must not be copied into the append-only log."""
    require(actor, Perm.MANAGE_PATRONS, patron.library_id)
    unknown = set(fields) - set(PERSONAL_FIELDS)
    if unknown:
        raise ValueError(f"Not personal fields: {sorted(unknown)}")
    patron = Patron.objects.select_for_update().get(pk=patron.pk)
    changed = []
    for name, value in fields.items():
        field = patron._meta.get_field(name)
        attname = getattr(field, "attname", name)
        current = getattr(patron, attname)
        new = value.pk if hasattr(value, "pk") else value
        if current != new:
            setattr(patron, attname, new)
            changed.append(name)
    if not changed:
        return patron
    _check(patron)
    patron.save(update_fields=[patron._meta.get_field(n).name for n in changed])
    record(
        AuditAction.PATRON_UPDATED,
        actor=actor,
        target=patron,
        library=patron.library_id,
        patron=patron,
        before={"fields": sorted(changed)},
        after={"fields": sorted(changed)},
    )
    return patron


def log_search(*, actor: Any, library: Library | int, results: int) -> None:
    """CR-5: searches are on record by their number of results, never their text."""
    log_searches(actor=actor, results={library: results})


def log_searches(*, actor: Any, results: dict[Any, int]) -> None:
    """One search across several libraries: an event in each library's log with the
    number of its patrons found, all in one transaction (one commit, not one per library:
    a consortium's director searches 60 libraries at once; CC-6, issue 16)."""
    with transaction.atomic():
        for library, found in results.items():
            record(
                AuditAction.PATRON_SEARCHED,
                actor=actor,
                library=library,
                after={"results": found},
            )


def log_openings_viewed(*, actor: Any, patron: Patron) -> None:
    """The custodian read the list of openings of a patron's records (from the audit log)."""
    with transaction.atomic():
        record(
            AuditAction.AUDIT_VIEWED,
            actor=actor,
            target=patron,
            library=patron.library_id,
            patron=patron,
            after={"page": "openings of the patron's records"},
        )


def log_view(*, actor: Any, patron: Patron, details: bool) -> None:
    with transaction.atomic():
        record(
            AuditAction.PATRON_VIEWED,
            actor=actor,
            target=patron,
            library=patron.library_id,
            patron=patron,
            after={"details": details},
        )


# --------------------------------------------------------------------------- the portal


@transaction.atomic
def set_portal_pin(*, actor: Any, patron: Patron, pin: str) -> Patron:
    """Staff set a patron's portal PIN at the desk, with the patron present (the patron
    types it).  The event records that a PIN was set, never the PIN."""
    require(actor, Perm.MANAGE_PATRONS, patron.library_id)
    return _store_pin(actor, patron, pin, by="staff")


@transaction.atomic
def change_own_pin(*, patron: Patron, current: str, new: str) -> Patron:
    """A patron changes their PIN in the portal; the current PIN must be given again."""
    if not pin_matches(patron.portal_pin, current):
        raise ValidationError({"current": gettext("That is not your current PIN.")})
    return _store_pin(None, patron, new, by="patron")


def _store_pin(actor: Any, patron: Patron, pin: str, *, by: str) -> Patron:
    patron = Patron.objects.select_for_update().get(pk=patron.pk)
    numbers = list(patron.cards.values_list("number", flat=True))
    try:
        pin = validate_pin(pin, numbers)
    except ValidationError as exc:
        raise ValidationError({"pin": exc.messages}) from exc
    first = not patron.portal_pin
    patron.portal_pin = hash_pin(pin)
    patron.pin_set_at = timezone.now()
    patron.save(update_fields=["portal_pin", "pin_set_at"])
    record(
        AuditAction.PIN_SET,
        actor=actor,
        target=patron,
        library=patron.library_id,
        patron=patron,
        after={"by": by, "first": first},
    )
    return patron


@transaction.atomic
def set_reading_history(*, actor: Any, patron: Patron, keep: bool) -> Patron:
    """NM-6, CR-6a: the patron's consent to keep their reading history, timestamped; it can
    be withdrawn at any time.  ``actor`` is None when the patron does it in the portal; staff
    record it only at the patron's request (MANAGE_PATRONS).  Withdrawing consent brings
    their returned loans back under the library's loans retention rule: the next retention
    run unlinks them."""
    if actor is not None:
        require(actor, Perm.MANAGE_PATRONS, patron.library_id)
    patron = Patron.objects.select_for_update().get(pk=patron.pk)
    if patron.keeps_reading_history == keep:
        return patron
    patron.keeps_reading_history = keep
    patron.reading_history_changed_at = timezone.now()
    patron.save(update_fields=["keeps_reading_history", "reading_history_changed_at"])
    record(
        AuditAction.READING_HISTORY_CHANGED,
        actor=actor,
        target=patron,
        library=patron.library_id,
        patron=patron,
        before={"reading_history": not keep},
        after={"reading_history": keep, "by": "staff" if actor is not None else "patron"},
    )
    return patron


#: How long a renewal extends a card.
CARD_TERM = datetime.timedelta(days=3 * 365)
RENEWABLE = (CardStatus.ACTIVE, CardStatus.EXPIRED)


@transaction.atomic
def renew_card(*, actor: Any, card: Card, reminded: bool) -> Card:
    """Renew a card for another term and remind the patron of their privacy rights (CR-6c).

    At the desk the staff member hands over or reads the privacy notice and confirms it
    (``reminded``); the portal also shows the reminder until the patron has read it."""
    require(actor, Perm.MANAGE_PATRONS, card.library_id)
    if not reminded:
        raise ValidationError(
            {"reminded": "Give the patron the privacy notice, then confirm that you did."}
        )
    card = Card.objects.select_for_update().get(pk=card.pk)
    if card.status not in RENEWABLE:
        raise ValidationError(
            {"card": f"A card that is {card.get_status_display().lower()} cannot be renewed."}
        )
    today = timezone.localdate()
    before = {"card": card.pk, "status": card.status, "expires_on": str(card.expires_on or "")}
    start = max(today, card.expires_on) if card.expires_on else today
    card.expires_on = start + CARD_TERM
    card.status = CardStatus.ACTIVE
    card.status_changed_at = timezone.now()
    card.save(update_fields=["expires_on", "status", "status_changed_at"])
    Patron.objects.filter(pk=card.patron_id).update(privacy_reminder_since=timezone.now())
    record(
        AuditAction.CARD_RENEWED,
        actor=actor,
        target=card,
        library=card.library_id,
        patron=card.patron_id,
        before=before,
        after={
            "card": card.pk,
            "status": card.status,
            "expires_on": str(card.expires_on),
            "privacy_notice_given": True,
        },
    )
    return card


@transaction.atomic
def acknowledge_privacy_reminder(*, patron: Patron) -> None:
    """The patron read the privacy reminder in the portal (CR-6c)."""
    changed = Patron.objects.filter(pk=patron.pk, privacy_reminder_since__isnull=False).update(
        privacy_reminder_since=None
    )
    if changed:
        record(
            AuditAction.PRIVACY_REMINDER_READ,
            actor=None,
            target=patron,
            library=patron.library_id,
            patron=patron,
        )


@transaction.atomic
def set_preferred_language(*, patron: Patron, language: str) -> Patron:
    """The patron chose the language of the portal in the portal (issue 15): their mail and
    letters are written in it from now on.  Only the patron does this, signed in to the
    portal, so there is no staff actor; choosing the language already chosen writes
    nothing."""
    chosen = supported(language)
    if chosen is None or chosen != language:
        raise ValidationError({"language": "That language is not offered."})
    patron = Patron.objects.select_for_update().get(pk=patron.pk)
    if patron.preferred_language == chosen:
        return patron
    before = patron.preferred_language
    patron.preferred_language = chosen
    patron.save(update_fields=["preferred_language"])
    record(
        AuditAction.PATRON_LANGUAGE_CHOSEN,
        actor=None,
        target=patron,
        library=patron.library_id,
        patron=patron,
        before={"language": before},
        after={"language": chosen, "by": "patron"},
    )
    return patron


@transaction.atomic
def seal_opening(
    *,
    actor: Any,
    event: AuditEvent,
    order_reference: str,
    sealed_until: datetime.date | None = None,
) -> SealedOpening:
    """Hide one opening of a patron's records from the patron's portal while a court's
    non-disclosure order lasts.  Only the custodian of library records may do this; the
    audit event stays in the log, unchanged and visible to those who may read the log."""
    if (
        event.action != AuditAction.RECORDS_OPENED
        or event.patron_id is None
        or event.library_id is None
    ):
        raise ValidationError({"event": "Only an opening of a patron's records can be sealed."})
    require(actor, Perm.OPEN_RECORDS_AS_CUSTODIAN, event.library_id)
    order_reference = order_reference.strip()
    if not order_reference:
        raise ValidationError({"order_reference": "Name the court order (court, case, date)."})
    if sealed_until is not None and sealed_until < timezone.localdate():
        raise ValidationError({"sealed_until": "That date has passed."})
    if SealedOpening.objects.filter(event_id=event.pk).exists():
        raise ValidationError({"event": "That opening is already sealed."})
    seal = SealedOpening.objects.create(
        event_id=event.pk,
        library_id=event.library_id,
        order_reference=order_reference,
        sealed_until=sealed_until,
        sealed_by=actor,
    )
    record(
        AuditAction.ACCESS_SEALED,
        actor=actor,
        target=seal,
        library=event.library_id,
        patron=event.patron_id,
        after={"event_seq": event.seq, "until": str(sealed_until or "")},
    )
    return seal
