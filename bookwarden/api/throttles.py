"""Rate limits: one budget per token, one per alert source (docs/api.md, "Limits").

The counts live in Django's cache (the default local-memory cache counts per process:
with several server processes each has its own budget)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from .models import AlertSource, ApiToken


class PerTokenThrottle(SimpleRateThrottle):
    """``BOOKWARDEN_API_TOKEN_RATE`` requests per token (600 a minute unless set)."""

    scope = "token"

    def get_rate(self) -> str:
        return str(settings.API_TOKEN_RATE)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class PerSourceThrottle(SimpleRateThrottle):
    """``BOOKWARDEN_API_ALERT_RATE`` alerts per source (120 a minute unless set)."""

    scope = "alert_source"

    def get_rate(self) -> str:
        return str(settings.API_ALERT_RATE)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not isinstance(request.auth, AlertSource):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
