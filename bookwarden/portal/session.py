"""Who is logged in to the portal, kept in the session apart from staff logins.

The portal never uses ``request.user``: a patron is not a staff account.  The session holds
the library, the patron and the card that logged in, and when the patron was last seen.
Each request checks again that the card still opens the portal (a card reported lost
during a session ends it at once, CR-5b) and that the session has not been idle longer than
the library's idle timeout (patrons often use shared public computers).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.cache import never_cache

from bookwarden.core.models import Library
from bookwarden.core.when import show_times_for
from bookwarden.patrons.models import Card, Patron

from .actions import PORTAL_CARD_STATUSES

SESSION_KEY = "portal"


class PortalRequest(HttpRequest):
    portal_library: Library
    portal_patron: Patron
    portal_card: Card


def start(request: HttpRequest, card: Card) -> None:
    # A new session key: a session fixed before login is not the logged-in one.
    request.session.cycle_key()
    request.session[SESSION_KEY] = {
        "library": card.library_id,
        "patron": card.patron_id,
        "card": card.pk,
        "seen": time.time(),
    }


def end(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()


def current(request: HttpRequest, library: Library) -> Card | None:
    """The card of the patron logged in to this library's portal, or None (and the portal
    part of the session is cleared when it has lapsed)."""
    state = request.session.get(SESSION_KEY)
    if not state or state.get("library") != library.pk:
        return None
    idle = time.time() - float(state.get("seen", 0))
    if idle > library.idle_timeout_minutes * 60:
        end(request)
        return None
    card = (
        Card.objects.filter(
            pk=state.get("card"),
            patron_id=state.get("patron"),
            library=library,
            status__in=PORTAL_CARD_STATUSES,
        )
        .select_related("patron")
        .first()
    )
    if card is None:
        end(request)
        return None
    state["seen"] = time.time()
    request.session[SESSION_KEY] = state
    return card


def signed_in_card(request: HttpRequest) -> Card | None:
    """The card of the patron signed in to any library's portal, or None: for the pages
    outside one library's URLs (the language switch)."""
    state = request.session.get(SESSION_KEY)
    library = Library.objects.filter(pk=state.get("library")).first() if state else None
    return current(request, library) if library is not None else None


def portal_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For portal pages: the library from the URL, the logged-in patron and card on the
    request, or a redirect to that library's portal login.  Never cached (CR-6b)."""

    @functools.wraps(view)
    @never_cache
    def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        library = get_object_or_404(Library, slug=slug)
        show_times_for(library)
        card = current(request, library)
        if card is None:
            return redirect("portal:login", slug=library.slug)
        preq: Any = request
        preq.portal_library = library
        preq.portal_card = card
        preq.portal_patron = card.patron
        card.patron.library = library
        return view(request, *args, **kwargs)

    return wrapper
