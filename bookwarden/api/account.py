"""The person's API tokens on their account page (core.account_pages)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bookwarden.core.staff_pages import StaffPagePart

from .models import ApiToken

if TYPE_CHECKING:
    from bookwarden.core.permissions import StaffRequest


def tokens_part(request: StaffRequest) -> StaffPagePart | None:
    """Their tokens, newest first (two queries: the tokens and their libraries); nothing for
    someone who holds no library role, who can make none."""
    if not request.user.library_ids():
        return None
    tokens = ApiToken.objects.of(request.user).prefetch_related("libraries")
    return StaffPagePart("api/_account_tokens.html", {"tokens": list(tokens)})
