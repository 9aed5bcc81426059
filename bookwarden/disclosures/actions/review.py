"""Review of a request for records by the custodian, before any release (CR-5a, CC-5):
counsel's advice."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.permissions import require

from ..models import DisclosureRequest
from .requests import CUSTODIAN, lock_request, refuse_if_closed


@transaction.atomic
def record_counsel(
    *,
    actor: Any,
    request: DisclosureRequest,
    counsel_name: str,
    consulted_at: datetime.datetime,
    advice: str,
) -> DisclosureRequest:
    """Review: who was consulted, when, and what they advised (CR-5a)."""
    require(actor, CUSTODIAN, request.library_id)
    request = lock_request(request)
    refuse_if_closed(request)
    errors = {}
    if not counsel_name.strip():
        errors["counsel_name"] = "Name the counsel consulted."
    if not advice.strip():
        errors["advice"] = "Write down the advice."
    if consulted_at > timezone.now() + datetime.timedelta(minutes=5):
        errors["consulted_at"] = "That time is in the future."
    if errors:
        raise ValidationError(errors)
    request.counsel_name = counsel_name.strip()
    request.counsel_at = consulted_at
    request.counsel_advice = advice.strip()
    request.save(update_fields=["counsel_name", "counsel_at", "counsel_advice"])
    record(
        AuditAction.DISCLOSURE_COUNSEL_RECORDED,
        actor=actor,
        target=request,
        library=request.library_id,
        after={"counsel": request.counsel_name, "at": consulted_at.isoformat()},
    )
    return request
