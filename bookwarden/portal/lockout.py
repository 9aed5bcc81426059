"""Slowing down PIN guessing in the portal.

A card is locked after ``PORTAL_LOCKOUT_FAILURES`` failed logins within
``PORTAL_LOCKOUT_MINUTES``; an address is locked after ``PORTAL_LOCKOUT_ADDRESS_FAILURES``
(someone trying many cards).  The lock lifts by itself when the window has passed.  Failures
are rows in :class:`~bookwarden.portal.models.PortalLoginFailure` (so every process and
every worker sees the same count), keyed by an HMAC of the library and the card number as
typed: the number itself is never stored.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac

from django.conf import settings
from django.utils import timezone

from .models import PortalLoginFailure


def card_key(library_id: int, number: str) -> str:
    message = f"{library_id}:{number.strip().upper()}".encode()
    secret = f"portal-lockout:{settings.SECRET_KEY}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=settings.PORTAL_LOCKOUT_MINUTES)


def is_locked(key: str, ip: str | None) -> bool:
    recent = PortalLoginFailure.objects.filter(at__gte=_window_start())
    if recent.filter(card_key=key).count() >= settings.PORTAL_LOCKOUT_FAILURES:
        return True
    return bool(ip and recent.filter(ip=ip).count() >= settings.PORTAL_LOCKOUT_ADDRESS_FAILURES)


def note_failure(key: str, ip: str | None) -> bool:
    """Count one failure; True if this failure locks the card or the address."""
    start = _window_start()
    PortalLoginFailure.objects.filter(at__lt=start).delete()
    PortalLoginFailure.objects.create(card_key=key, ip=ip or None)
    return is_locked(key, ip)


def clear(key: str) -> None:
    PortalLoginFailure.objects.filter(card_key=key).delete()
