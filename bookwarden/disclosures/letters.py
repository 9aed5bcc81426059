"""The refusal letter (CR-5a, CC-5): a printable page that cites the statute(s) of the
decision.  Only the custodian produces and opens it."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from bookwarden.core.when import zone_of

from .models import DisclosureRequest
from .rules import PackError, load_pack
from .rules.evaluate import INSTRUMENT_TEXT


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
