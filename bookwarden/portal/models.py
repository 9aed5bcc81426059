"""Failed portal logins, kept just long enough to lock out guessing (issue 3).

A row holds a keyed hash of the card number that was typed (never the number itself) and
the address it came from.  Rows older than the lockout window are deleted as new failures
arrive, so the table stays small and holds nothing that outlives its use.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from bookwarden.core import when as formats


class PortalLoginFailure(models.Model):
    card_key = models.CharField(max_length=64, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["ip", "at"], name="portal_failure_ip")]

    def __str__(self) -> str:
        return f"Portal login failure at {formats.when(self.at)}"
