"""NM-7 with issue 15: the notice of a disclosure reaches a patron who chose Spanish in the
portal in Spanish (a real SMTP server); the kinds of records and the requester are named in
Spanish, the date is written the Spanish way, and the records' contents are never told."""

from __future__ import annotations

import re

from django.urls import reverse

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


def test_the_letter_to_a_patron_without_email_is_in_their_language(
    people, patrons, media, client_as, django_assert_max_num_queries
) -> None:
    lost_card = patrons["lost_card"]  # no e-mail address
    Patron.objects.filter(pk=lost_card.pk).update(preferred_language="es")
    request = released(
        people,
        nm_request(
            people,
            [lost_card],
            instrument="court_order",
            finding="public_safety",
            record_types=["loans"],
        ),
    )
    detail = client_as("director").get(reverse("disclosures:detail", args=[request.pk]))
    letters_url = reverse("disclosures:patron_letters", args=[request.pk])
    assert letters_url in detail.content.decode()
    director = client_as("director")
    with django_assert_max_num_queries(20):
        page = director.get(letters_url).content.decode()
    assert '<html lang="en">' in page  # the staff page around it stays English
    assert 'class="letter patron-letter" lang="es"' in page
    assert "se entregaron registros sobre usted" in page
    assert "a las fuerzas del orden, como lo permite la ley" in page
    assert re.search(r"<p>\d{1,2} de [a-z]+ de \d{4}</p>", page)  # the letter's date
    assert client_as("staff").get(letters_url).status_code == 403
