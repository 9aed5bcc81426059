"""The language a page, mail or letter speaks (issue 15; CR-6b, NM-7: patrons told of their
rights in words they read).

Staff pages speak the installation's language (``settings.LANGUAGE_CODE``); their strings
are marked for translation so that another language can follow, but nothing a patron does
changes them.  Patron-facing pages (``settings.PATRON_LANGUAGE_PATHS``: the portal) speak the
patron's language: the one they chose with the portal's switch (the language cookie, which
is sent to the portal only) or, until they choose, their browser's (Accept-Language).  Mail
and letters to a patron are written in the language kept on the patron
(:func:`for_patron`), whatever the language of the request that sends them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

Handler = Callable[[HttpRequest], HttpResponse]


def is_patron_facing(request: HttpRequest) -> bool:
    return request.path.startswith(tuple(settings.PATRON_LANGUAGE_PATHS))


def supported(code: str | None) -> str | None:
    """``code`` if it names one of ``settings.LANGUAGES`` (a variant such as "es-mx" gives
    "es"), else None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def for_patron(patron: Any) -> str:
    """The language of mail and letters to ``patron``: the one they chose in the portal,
    else the installation's."""
    return supported(getattr(patron, "preferred_language", "")) or settings.LANGUAGE_CODE


class LanguageMiddleware:
    """Django's LocaleMiddleware, scoped to patron-facing pages.

    On the portal the language is the patron's (cookie, then Accept-Language); the response
    says so (Content-Language) and varies with what chose it.  Every other request is
    answered in ``settings.LANGUAGE_CODE``, so that a patron's choice, or a browser that
    asks for Spanish, never turns a staff page into Spanish.  The language is active only
    while the request is answered (``translation.override``), so that nothing after it,
    a test's next line or the next request on the thread, inherits it."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        patron_facing = is_patron_facing(request)
        language = (
            translation.get_language_from_request(request)
            if patron_facing
            else settings.LANGUAGE_CODE
        )
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
        if patron_facing:
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
            response.headers.setdefault("Content-Language", language)
        return response
