"""The letters to the requester (CR-5a, CC-5, NM-4): the refusal letter, a printable page
that cites the statute(s) of the decision, and the cover letter of a release, which says
what the packet holds: for a release on a finer outcome, exactly the little it holds (only
the identity, only the contact information and amount owed ...).  Only the custodian
produces and opens them."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from bookwarden.core.when import zone_of

from .models import DisclosureRequest
from .rules import PackError, load_pack
from .rules.evaluate import INSTRUMENT_TEXT
from .scopes import GIVEN_TO_REQUESTER


def refusal_letter_context(request: DisclosureRequest) -> dict[str, Any]:
    decision = request.rule_decision or {}
    citations = list(decision.get("citations", []))
    statutes: list[str] = []
    pack_name = request.library.jurisdiction
    try:
        pack = load_pack(request.library.jurisdiction)
    except PackError:
        pack = None
    if pack is not None:
        statutes = list(pack.statutes)
        pack_name = pack.name
    if not citations:
        citations = statutes
    return {
        "req": request,
        "library": request.library,
        "date": timezone.localtime(request.letter_at or timezone.now(), zone_of(request.library)),
        "citations": citations,
        "statutes": statutes,
        "state": pack_name,
        "instrument": INSTRUMENT_TEXT.get(request.instrument, request.instrument),
    }


def release_letter_context(request: DisclosureRequest) -> dict[str, Any]:
    """The cover letter of a packet: what was given, on which basis, and what was not."""
    context = refusal_letter_context(request)
    scope = request.scope
    context.update(
        {
            "date": timezone.localtime(
                request.packet_at or timezone.now(), zone_of(request.library)
            ),
            "given": GIVEN_TO_REQUESTER.get(scope, GIVEN_TO_REQUESTER[""]),
            "scoped": bool(scope),
            "kinds": [label.lower() for label in request.released_labels()],
            "partial": request.verdict == "release_part",
        }
    )
    return context
