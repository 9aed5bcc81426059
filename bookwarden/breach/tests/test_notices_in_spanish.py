"""CR-6e with issue 15: a patron who chose Spanish in the portal gets their breach notice in
Spanish, by e-mail through the outbox to a real SMTP server or as a printed letter; the
others get it in English.  What staff wrote about the breach is quoted as they wrote it, the
dates are in Spanish in the library's time zone, and nothing of the records' contents is
told."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bookwarden.breach import actions
from bookwarden.mail.delivery import deliver_due
from bookwarden.patrons.models import Patron
from bookwarden.patrons.record_access import Purpose, open_records

from .conftest import RECORD_CONTENTS
from .factories import declare


@pytest.fixture
def breach(people, patrons, new_madrid):
    """The parent (e-mail) and the minor (no e-mail) chose Spanish; the reader did not."""
    staff = people["staff"]
    for key, types in (("parent", ["loans", "holds"]), ("reader", ["searches"]), ("minor", None)):
        open_records(
            actor=staff,
            patron=patrons[key],
            purpose=Purpose.PATRON_REQUEST,
            note="asked by phone",
            record_types=types,
        )
    Patron.objects.filter(pk__in=[patrons["parent"].pk, patrons["minor"].pk]).update(
        preferred_language="es"
    )
    breach = declare(new_madrid, [staff], actor=people["tech_coordinator"])
    actions.list_affected(actor=people["tech_coordinator"], breach=breach)
    return breach


def test_the_email_notice_is_in_the_patrons_language(people, breach, smtp_server) -> None:
    actions.notify(actor=people["tech_coordinator"], breach=breach)
    assert deliver_due().sent == 2
    received = {m["to"][0]: m for m in smtp_server.inbox.messages}
    rosa = received["rosa.delgado@example.org"]
    assert rosa["subject"] == (
        "New Madrid County Library: un aviso sobre sus registros de la biblioteca"
    )
    body = rosa["body"]
    assert body.startswith("Estimado/a Rosa Delgado:")
    assert "préstamos y reservas" in body
    assert "Cuándo: entre el " in body and " de 2026, " in body  # Spanish dates
    assert "Someone used a staff password" in body  # staff's own words, quoted
    assert "573-555-0100" in body
    assert "No necesita responder a este aviso." in body
    for content in RECORD_CONTENTS:
        assert content not in body
    walter = received["w.okafor@example.org"]
    assert walter["subject"] == "New Madrid County Library: a notice about your library records"
    assert walter["body"].startswith("Dear Walter Okafor,")
    assert "catalog searches" in walter["body"]


def test_the_letter_is_in_the_patrons_language(people, breach, client_as) -> None:
    actions.notify(actor=people["tech_coordinator"], breach=breach)
    response = client_as("tech_coordinator").post(reverse("breach:letters", args=[breach.pk]), {})
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page  # the staff page around the letters stays English
    assert 'class="letter" lang="es" aria-label="Carta 1"' in page
    assert "Al padre, la madre o el tutor de Leo Delgado:" in page
    assert "un aviso sobre sus registros de la biblioteca" in page
    assert "1 letter to print" in page  # the note for staff, in English
    assert "Use of this system is monitored" in page  # English again after the letters
    # The date of the letter is written the Spanish way.
    assert " de 20" in page.split('class="letter-date">', 1)[1].split("</p>", 1)[0]
