"""Sending the outbox (the ``mail`` job; DESIGN: rows are the queue).

:func:`deliver_due` claims due messages one at a time with a conditional UPDATE (queued and
due → sending, by this worker), so two loops never send the same message; sends it through
Django's configured mail backend; and marks it sent, or puts it back with the error and the
next try after a back-off (1, 2, 5, 10, 30 minutes, then hourly).  A message claimed by a
worker that died is put back after :data:`STALE_AFTER`.  Nothing is ever deleted here.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import socket
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F
from django.utils import timezone

from .models import MAX_ATTEMPTS, MailStatus, OutboxMessage

BACKOFF_MINUTES = (1, 2, 5, 10, 30, 60)
STALE_AFTER = datetime.timedelta(minutes=10)


@dataclass
class Delivery:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def summary(self) -> str:
        return f"{self.sent} sent, {self.retried} to retry, {self.failed} given up"


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1])


def release_stale(now: datetime.datetime) -> int:
    return OutboxMessage.objects.filter(
        status=MailStatus.SENDING, claimed_at__lt=now - STALE_AFTER
    ).update(status=MailStatus.QUEUED, claimed_by="", next_attempt_at=now)


def _claim(pk: int, worker: str, now: datetime.datetime) -> bool:
    return (
        OutboxMessage.objects.filter(
            pk=pk, status=MailStatus.QUEUED, next_attempt_at__lte=now
        ).update(
            status=MailStatus.SENDING,
            claimed_by=worker,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
        == 1
    )


def deliver_due(*, limit: int = 200, now: datetime.datetime | None = None) -> Delivery:
    now = now or timezone.now()
    worker = _worker()
    result = Delivery()
    release_stale(now)
    due = list(
        OutboxMessage.objects.filter(status=MailStatus.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not due:
        return result
    connection = get_connection(fail_silently=False)
    try:
        for pk in due:
            if not _claim(pk, worker, now):
                continue  # another worker has it
            message = OutboxMessage.objects.get(pk=pk)
            try:
                EmailMessage(
                    subject=message.subject,
                    body=message.body,
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    to=list(message.to),
                    connection=connection,
                    headers={"X-Bookwarden-Message": str(message.pk)},
                ).send()
            except Exception as exc:  # any failure of the server: keep the message, retry
                _failed(message, exc, now, result)
                # The connection may be broken: open a new one for the next message.
                connection = get_connection(fail_silently=False)
            else:
                OutboxMessage.objects.filter(pk=pk, claimed_by=worker).update(
                    status=MailStatus.SENT, sent_at=timezone.now(), last_error=""
                )
                result.sent += 1
    finally:
        # Closing a connection the server already dropped may fail: nothing to do then.
        with contextlib.suppress(Exception):
            connection.close()
    return result


def _failed(
    message: OutboxMessage, exc: BaseException, now: datetime.datetime, result: Delivery
) -> None:
    error = f"{type(exc).__name__}: {exc}"[:1000]
    if message.attempts >= MAX_ATTEMPTS:
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=MailStatus.FAILED, last_error=error
        )
        result.failed += 1
    else:
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=MailStatus.QUEUED,
            last_error=error,
            claimed_by="",
            next_attempt_at=now + backoff(message.attempts),
        )
        result.retried += 1


_LOCAL_MAIL_BACKENDS = frozenset(
    {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
    }
)


def mail_is_set_up() -> bool:
    """Mail leaves the machine: a mail server is configured (``EMAIL_HOST``)."""
    return settings.EMAIL_BACKEND not in _LOCAL_MAIL_BACKENDS
