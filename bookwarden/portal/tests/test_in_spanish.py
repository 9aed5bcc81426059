"""The patron portal in Spanish (issue 15; CR-6b, NM-7: patrons told of their rights in words
they read).  The portal follows the browser until the patron chooses with the switch on
every page; a signed-in patron's choice is kept (an audit event) for their mail; staff pages
stay in the installation's language whatever the patron or the browser chose."""

from __future__ import annotations

import datetime

import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.when import day, when
from bookwarden.patrons.demo import DEMO_PIN
from bookwarden.patrons.models import Patron

from .conftest import card_of, login_url, url

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-MX,es;q=0.9,en;q=0.5"}


def _switch(client: Client, language: str, back_to: str, **extra: str):
    return client.post(reverse("portal:language"), {"language": language, "next": back_to}, **extra)


def test_the_portal_follows_the_browser(patrons) -> None:
    rosa = patrons["parent"]
    spanish = Client().get(login_url(rosa), **SPANISH)
    page = spanish.content.decode()
    assert '<html lang="es">' in page
    assert "Consulte sus registros de la biblioteca" in page
    assert "Número de la tarjeta de la biblioteca" in page
    assert spanish["Content-Language"] == "es"
    assert "Accept-Language" in spanish["Vary"]
    # The switch offers the other language, named in that language.
    assert 'lang="en">English</button>' in page

    english = Client().get(login_url(rosa)).content.decode()
    assert '<html lang="en">' in english and "See your library records" in english
    assert 'lang="es">Español</button>' in english
    # The request's language does not outlive the request.
    assert translation.get_language() == settings.LANGUAGE_CODE


def test_the_switch_keeps_the_page_and_wins_over_the_browser(patrons) -> None:
    rosa = patrons["parent"]
    client = Client()
    privacy = url("privacy", rosa)
    response = _switch(client, "es", privacy)
    assert response.status_code == 302 and response["Location"] == privacy
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "es"
    assert cookie["path"] == "/portal/"  # never sent to a staff page
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    page = client.get(privacy, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Aviso de privacidad" in page
    # Legal citations stay as the law writes them.
    assert "RSMo 182.817" in page
    # And back to English.
    _switch(client, "en", privacy)
    assert "Aviso de privacidad" not in client.get(privacy, **SPANISH).content.decode()
    # Nothing is kept for anyone: no patron was signed in.
    assert not AuditEvent.objects.filter(action=AuditAction.PATRON_LANGUAGE_CHOSEN).exists()


def test_the_switch_needs_csrf_and_goes_back_only_within_the_portal(patrons) -> None:
    rosa = patrons["parent"]
    guarded = Client(enforce_csrf_checks=True)
    assert _switch(guarded, "es", url("privacy", rosa)).status_code == 403
    client = Client()
    for elsewhere in ("https://evil.example/portal/", "//evil.example/portal/", "/accounts/"):
        response = _switch(client, "es", elsewhere)
        assert response["Location"] == reverse("portal:choose"), elsewhere
    refused = _switch(client, "fr", url("privacy", rosa))
    assert refused.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in refused.cookies
    assert client.get(reverse("portal:language")).status_code == 405


def test_a_signed_in_patrons_choice_is_kept_for_their_mail(patrons, portal_as) -> None:
    rosa = patrons["parent"]
    client = portal_as("parent")
    home = url("home", rosa)
    response = _switch(client, "es", home)
    assert response["Location"] == home
    rosa.refresh_from_db()
    assert rosa.preferred_language == "es"
    [event] = AuditEvent.objects.filter(action=AuditAction.PATRON_LANGUAGE_CHOSEN)
    assert event.patron_id == rosa.pk and event.actor_id is None
    assert event.after == {"language": "es", "by": "patron"}
    assert event.before == {"language": ""}
    page = client.get(home).content.decode()
    assert "Hola, Rosa" in page and "Mis registros" in page
    # The same choice again writes nothing.
    _switch(client, "es", home)
    assert AuditEvent.objects.filter(action=AuditAction.PATRON_LANGUAGE_CHOSEN).count() == 1


def test_signing_in_brings_back_the_patrons_choice(patrons) -> None:
    """On a shared computer the last person's language gives way to the patron's own."""
    rosa = patrons["parent"]
    Patron.objects.filter(pk=rosa.pk).update(preferred_language="es")
    client = Client()
    response = client.post(
        login_url(rosa), {"card_number": card_of(rosa), "pin": DEMO_PIN}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert "Hola, Rosa" in client.get(url("home", rosa)).content.decode()


def test_portal_pages_in_spanish_with_spanish_dates(patrons, portal_as) -> None:
    rosa = patrons["parent"]
    client = portal_as("parent")
    _switch(client, "es", url("home", rosa))
    client.post(url("reading_history", rosa), {"keep": "yes"})
    page = client.get(url("reading_history", rosa)).content.decode()
    assert "Guardaremos una lista de lo que toma prestado" in page  # the message
    assert "Está <strong>activado</strong>" in page
    rosa.refresh_from_db()
    chosen = rosa.reading_history_changed_at
    with translation.override("es"):
        assert when(chosen, library=rosa.library) in page
    records = client.get(url("records", rosa)).content.decode()
    assert "Préstamos" in records and "Código de barras" in records
    assert "Usted debe <strong>$2.50</strong>" in records  # dollars keep their point
    assert "The Old Man and the Sea" in records  # what the catalog wrote stays as it is
    # An action's refusal, and Django's own messages, in Spanish too.
    wrong = client.post(url("pin", rosa), {"current": "0000", "pin": "4826", "pin_again": "4826"})
    assert wrong.status_code == 400
    assert "Ese no es su PIN actual." in wrong.content.decode()
    empty = client.post(url("pin", rosa), {"current": "", "pin": "", "pin_again": ""})
    empty = empty.content.decode()
    assert "Este campo es obligatorio." in empty and "(obligatorio)" in empty


def test_dates_in_spanish_in_the_librarys_time_zone(patrons) -> None:
    """4:19 PM in Chicago on Dec 2 is 22:19 UTC: Spanish formats, the library's zone."""
    library = patrons["parent"].library
    moment = datetime.datetime(2026, 12, 2, 22, 19, tzinfo=datetime.UTC)
    assert when(moment, library=library) == "Dec 2, 2026, 4:19 PM"
    with translation.override("es"):
        assert when(moment, library=library) == "2 de diciembre de 2026, 16:19"
        assert day(moment, library=library) == "2 de diciembre de 2026"
        assert when(moment, library=library, seconds=True) == "2 de diciembre de 2026, 16:19:00"


def test_staff_pages_stay_english(patrons, client_as) -> None:
    """Neither the portal's language cookie nor a Spanish browser turns a staff page into
    Spanish (only the portal and what patrons receive speak the patron's language)."""
    staff = client_as("staff")
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    for path in (reverse("home"), reverse("patron_search")):
        response = staff.get(path, **SPANISH)
        page = response.content.decode()
        assert response.status_code == 200, path
        assert '<html lang="en">' in page, path
        assert "Sign out" in page and "Cerrar sesión" not in page, path
        assert ">Patrons</a>" in page, path  # the menu
        assert "Content-Language" not in response


def test_an_expired_session_still_switches(patrons, portal_as) -> None:
    rosa = patrons["parent"]
    client = portal_as("parent")
    with time_machine.travel(datetime.timedelta(hours=5)):
        response = _switch(client, "es", url("home", rosa))
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    rosa.refresh_from_db()
    assert rosa.preferred_language == ""  # no longer signed in: nothing kept


def test_staff_see_the_language_of_a_patrons_notices(patrons, client_as) -> None:
    rosa = patrons["parent"]
    page = client_as("staff").get(reverse("patron_detail", args=[rosa.pk])).content.decode()
    assert "English (none chosen in the portal)" in page
    Patron.objects.filter(pk=rosa.pk).update(preferred_language="es")
    page = client_as("staff").get(reverse("patron_detail", args=[rosa.pk])).content.decode()
    assert "Español, chosen in the portal" in page
    assert '<html lang="en">' in page
