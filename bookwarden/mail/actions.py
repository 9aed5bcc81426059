"""Queueing mail (DESIGN mechanism 1: called from inside other actions' transactions)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from .models import OutboxMessage


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


def retry_failed(*, actor: Any) -> int:
    """Put the failed messages the person may see back in the queue (RUN_JOBS); recorded."""
    from django.utils import timezone

    from bookwarden.audit.actions import record
    from bookwarden.audit.models import AuditAction
    from bookwarden.core.permissions import libraries_with_perm
    from bookwarden.core.roles import Perm

    from .models import MailStatus
    from .my_tasks import visible_to

    if not libraries_with_perm(actor, Perm.RUN_JOBS):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    with transaction.atomic():
        count = OutboxMessage.objects.filter(visible_to(actor), status=MailStatus.FAILED).update(
            status=MailStatus.QUEUED, attempts=0, next_attempt_at=timezone.now()
        )
        record(AuditAction.JOB_REQUESTED, actor=actor, after={"job": "mail", "retried": count})
    return count
