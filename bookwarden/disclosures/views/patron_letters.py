"""The letters to the patrons a release must be told of who have no e-mail address (NM-7,
issue 15): one printable page, each letter in its patron's language (the one they chose in
the portal), saying what the e-mail would have said."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bookwarden.core.language import for_patron
from bookwarden.core.permissions import StaffRequest

from ..actions import notice_text
from ..models import NoticeState, PatronNotice
from .requests import _custodian_request


@login_required
@require_GET
def patron_letters(request: StaffRequest, request_id: int) -> HttpResponse:
    obj = _custodian_request(request, request_id)
    waiting = PatronNotice.objects.filter(
        request=obj, state=NoticeState.LETTER_NEEDED
    ).select_related("patron")
    letters = []
    for notice in waiting:
        subject, body = notice_text(obj, notice.patron)
        letters.append(
            {
                "patron": notice.patron,
                "language": for_patron(notice.patron),
                "subject": subject,
                "paragraphs": body.strip().split("\n\n"),
            }
        )
    return render(
        request,
        "disclosures/patron_letters.html",
        {"req": obj, "library": obj.library, "letters": letters},
    )
