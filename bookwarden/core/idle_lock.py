"""The idle lock of a staff session (CC-4): when it locks, and locking and unlocking it.

The middleware (:class:`bookwarden.core.middleware.IdleLockMiddleware`) decides when; the
lock screen (``core.views.session_locked``) takes the password again.  Both are audit events.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from bookwarden.audit.models import AuditAction

from .actions import log_auth_event

IDLE_LAST_SEEN = "bw_last_seen"
IDLE_LOCKED = "bw_locked"


def idle_minutes_for(user: Any) -> int:
    """The shortest idle timeout among the person's libraries, else the site default."""
    minutes = [m.library.idle_timeout_minutes for m in user.active_memberships()]
    return min(minutes) if minutes else settings.BOOKWARDEN_IDLE_MINUTES


def lock_session(request: HttpRequest, idle_seconds: int) -> None:
    request.session[IDLE_LOCKED] = True
    log_auth_event(
        AuditAction.SESSION_LOCKED,
        user=request.user,
        actor=request.user,
        after={"idle_seconds": idle_seconds},
    )


def unlock_session(request: HttpRequest, user: Any) -> None:
    request.session[IDLE_LOCKED] = False
    request.session[IDLE_LAST_SEEN] = time.time()
    log_auth_event(AuditAction.SESSION_UNLOCKED, user=user, actor=user)
