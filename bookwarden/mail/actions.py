"""Queueing mail (DESIGN mechanism 1: called from inside other actions' transactions), and
sending failed mail again."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.permissions import has_perm_anywhere
from bookwarden.core.roles import Perm

from .models import MailStatus, OutboxMessage


def queue_mail(
    *,
    to: Iterable[str],
    subject: str,
    body: str,
    reason: str,
    library: Any = None,
    about: Any = None,
    dedupe_key: str | None = None,
    actor: Any = None,
) -> OutboxMessage | None:
    """Put one message in the outbox; the ``mail`` job sends it.

    Call it inside the action that makes the mail necessary, so that the mail and the
    action commit together.  It records no audit event of its own: the calling action's
    event says what happened.  Returns None if ``dedupe_key`` was already queued."""
    recipients = sorted({address.strip() for address in to if address and address.strip()})
    if not recipients:
        raise ValidationError({"to": "A message needs at least one recipient."})
    for address in recipients:
        try:
            validate_email(address)
        except ValidationError as exc:
            raise ValidationError({"to": f"Not an e-mail address: {address}"}) from exc
    subject = " ".join(subject.split())[:200]
    if not subject:
        raise ValidationError({"subject": "A message needs a subject."})
    about_ref = ""
    if about is not None:
        about_ref = f"{about._meta.label_lower}:{about.pk}"
    library_id = getattr(library, "pk", library)
    created_by = actor if getattr(actor, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            return OutboxMessage.objects.create(
                library_id=library_id,
                reason=reason,
                about=about_ref,
                to=recipients,
                subject=subject,
                body=body,
                dedupe_key=dedupe_key,
                created_by=created_by,
            )
    except IntegrityError:
        if dedupe_key and OutboxMessage.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise


@transaction.atomic
def resend_failed(*, actor: Any) -> int:
    """Put failed messages back in the queue and return how many (``resend_mail``): those of
    each library where the person holds it, and the installation's own (no library) for the
    installation role; ``actor=None`` (the command line) all of them.  One ``mail.resent``
    event per library concerned (and one without a library for the installation's mail), so
    that each library's log shows its own."""
    if actor is not None and not has_perm_anywhere(actor, Perm.RESEND_MAIL):
        raise PermissionDenied(f"{actor} may not send mail again.")
    failed = OutboxMessage.objects.filter(status=MailStatus.FAILED)
    if actor is not None:
        failed = failed.for_user(actor, Perm.RESEND_MAIL)
    rows = list(failed.select_for_update().values_list("pk", "library_id"))
    OutboxMessage.objects.filter(pk__in=[pk for pk, _ in rows], status=MailStatus.FAILED).update(
        status=MailStatus.QUEUED, attempts=0, next_attempt_at=timezone.now(), claimed_by=""
    )
    per_library = Counter(library_id for _, library_id in rows)
    for library_id, count in sorted(per_library.items(), key=lambda item: item[0] or 0):
        record(AuditAction.MAIL_RESENT, actor=actor, library=library_id, after={"messages": count})
    return len(rows)
