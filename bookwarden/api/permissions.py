"""What a token may do beyond its owner's permissions: read, or read and write (CC-7)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from .models import AlertSource, ApiToken


class TokenScope(BasePermission):
    """A token of scope "read" is refused every write with 403; no token, 401."""

    message = "This token may only read: make a token that may read and write."

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        return request.method in SAFE_METHODS or token.can_write


class FromAlertSource(BasePermission):
    """The alerts webhook: a connected source's secret."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, AlertSource)
