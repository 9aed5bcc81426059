"""The patron's notice of a disclosure (NM-7): an e-mail through the outbox, a letter
where there is no address, or held while a non-disclosure (gag) order is in force."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.language import for_patron
from bookwarden.core.permissions import require
from bookwarden.core.when import day
from bookwarden.mail.actions import queue_mail
from bookwarden.mail.models import OutboxMessage
from bookwarden.patrons.models import Patron

from ..models import DisclosureRequest, NoticeState, PatronNotice
from ..scopes import TOLD_TO_PATRON
from ..wording import REQUESTER_IN_SENTENCE
from .requests import CUSTODIAN, lock_request


def notice_text(request: DisclosureRequest, patron: Patron) -> tuple[str, str]:
    """The patron's notice: who asked (the kind of requester), which kinds of records, when;
    never the records' contents.  A release of less than the records (only the identity,
    only the contact information and amount owed...) says exactly what was given (NM-4).
    Written in the patron's language (the one they chose in the portal, issue 15)."""
    with translation.override(for_patron(patron)):
        library = request.library
        released_on = day(request.packet_at or timezone.now(), library=library)
        kinds = ", ".join(gettext(label) for label in request.released_labels()).lower()
        subject = gettext("%(library)s: records about you were released") % {
            "library": library.name
        }
        told = TOLD_TO_PATRON.get(request.scope)
        given = (
            gettext(told)
            if told
            else gettext("Kinds of records released: %(kinds)s.") % {"kinds": kinds}
        )
        words = {
            "name": " ".join(filter(None, [patron.first_name, patron.last_name]))
            or gettext("patron"),
            "day": released_on,
            "library": library.name,
            "requester": gettext(
                REQUESTER_IN_SENTENCE.get(request.requester_type, gettext_noop("a requester"))
            ),
        }
        released = (
            gettext(
                "On %(day)s %(library)s released some of your library records to "
                "%(requester)s, as the law allows."
            )
            if request.scope in ("", "release_overdue_only")
            else gettext(
                "On %(day)s %(library)s released some of your information to "
                "%(requester)s, as the law allows."
            )
        ) % words
        body = (
            gettext("Dear %(name)s,") % words
            + "\n\n"
            + released
            + " "
            + gettext("The custodian of library records decided this after reviewing the request.")
            + "\n\n"
            + given
            + "\n\n"
            + gettext(
                "You can see who opened your records and why in the patron privacy portal. "
                "If you have questions, please contact %(library)s."
            )
            % words
            + "\n"
        )
    return subject, body


def tell_patrons(
    actor: Any, request: DisclosureRequest, patrons: list[Patron], events: list[Any]
) -> None:
    from bookwarden.patrons.actions import seal_opening

    if request.gag_in_force():
        for event in events:
            seal_opening(
                actor=actor,
                event=event,
                order_reference=request.gag_reference or f"Non-disclosure order, {request}",
                sealed_until=request.gag_until,
            )
        for patron in patrons:
            PatronNotice.objects.create(request=request, patron=patron, state=NoticeState.HELD)
        record(
            AuditAction.DISCLOSURE_NOTICE_HELD,
            actor=actor,
            target=request,
            library=request.library_id,
            after={
                "patrons": [p.pk for p in patrons],
                "until": str(request.gag_until or ""),
                "sealed_openings": [e.seq for e in events],
            },
        )
        return
    for patron in patrons:
        _notify_one(actor, request, patron)


def _notify_one(actor: Any, request: DisclosureRequest, patron: Patron) -> None:
    """One patron's notice: queued in the outbox (the notice links the message, so that the
    page says "e-mailed" only once it was sent), or a letter where there is no address."""
    message = None
    if patron.email:
        subject, body = notice_text(request, patron)
        key = f"disclosure-notice:{request.pk}:{patron.pk}"
        message = queue_mail(
            to=[patron.email],
            subject=subject,
            body=body,
            reason="disclosure_notice",
            library=request.library_id,
            about=request,
            dedupe_key=key,
            actor=actor,
        ) or OutboxMessage.objects.get(dedupe_key=key)
        state = NoticeState.MAILED
    else:
        state = NoticeState.LETTER_NEEDED
    PatronNotice.objects.update_or_create(
        request=request,
        patron=patron,
        defaults={"state": state, "message": message, "updated_at": timezone.now()},
    )
    record(
        AuditAction.DISCLOSURE_PATRON_NOTIFIED,
        actor=actor,
        target=request,
        library=request.library_id,
        patron=patron,
        after={"how": state, "message": message.pk if message else None},
    )


@transaction.atomic
def notify_held_patrons(*, actor: Any, request: DisclosureRequest) -> int:
    """Once a gag order has ended: tell the patrons whose notice it held."""
    require(actor, CUSTODIAN, request.library_id)
    request = lock_request(request)
    if request.gag_in_force():
        raise ValidationError(
            "The non-disclosure order is still in force: the patron may not be told."
        )
    held = list(
        PatronNotice.objects.filter(request=request, state=NoticeState.HELD).select_related(
            "patron"
        )
    )
    if not held:
        raise ValidationError("No notice is waiting.")
    for notice in held:
        _notify_one(actor, request, notice.patron)
    return len(held)
