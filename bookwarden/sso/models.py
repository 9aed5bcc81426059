"""The library's choice about sign-in with its accounts (docs/sso.md, CC-7)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from bookwarden.core.models import Library, ScopedQuerySet


class SecondFactorTrust(models.Model):
    """Whether the library trusts the second factor its identity provider says it checked
    (an ``amr`` or ``acr`` claim of OpenID Connect), instead of asking for Bookwarden's own.

    One row per library, written only by :func:`bookwarden.sso.actions.set_second_factor_trust`;
    no row is no trust (deny by default)."""

    library = models.OneToOneField(Library, on_delete=models.PROTECT, related_name="+")
    trust_provider_second_factor = models.BooleanField(default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        trusted = "trusts" if self.trust_provider_second_factor else "does not trust"
        return f"{self.library} {trusted} the identity provider's second factor"
