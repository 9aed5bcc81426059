"""NM-7 with issue 15: the notice of a disclosure reaches a patron who chose Spanish in the
portal in Spanish (a real SMTP server); the kinds of records and the requester are named in
Spanish, the date is written the Spanish way, and the records' contents are never told."""

from __future__ import annotations

import re

from bookwarden.mail.delivery import deliver_due
from bookwarden.patrons.models import Patron

from .helpers import nm_request, released


def test_the_notice_is_in_the_patrons_language(people, patrons, media, smtp_server) -> None:
    reader = patrons["reader"]
    Patron.objects.filter(pk=reader.pk).update(preferred_language="es")
    reader.refresh_from_db()
    request = nm_request(
        people,
        [reader],
        instrument="court_order",
        finding="public_safety",
        record_types=["loans", "holds"],
    )
    released(people, request)
    assert deliver_due().sent == 1
    [message] = smtp_server.inbox.messages
    assert message["subject"] == "New Madrid County Library: se entregaron registros sobre usted"
    body = message["body"]
    assert body.startswith("Estimado/a Walter Okafor:")
    assert "a las fuerzas del orden, como lo permite la ley" in body
    assert "préstamos, reservas" in body
    assert re.search(r"\bEl \d{1,2} de [a-z]+ de \d{4}, New Madrid", body)  # Spanish date
    assert "Field Guide" not in body and "Night Sky" not in body
