"""The patron portal (issue 3; NM-7, CR-6b, CR-6c, NM-6): its own URL space under
``/portal/<library>/``, its own layout, and the privacy notice: one line with a link on every
page, in full on its own page.

A patron logs in with card number and PIN (:mod:`.actions`, with lockout) and then sees
only what belongs to the card's patron: the session holds the patron's id, and no URL of
the portal takes a patron, card or record id, so there is nothing to change to reach
someone else.  Records are read through
:func:`bookwarden.patrons.record_access.open_own_records`, which records each opening.

Every page speaks English or Spanish (issue 15, docs/translations.md): the browser's
language until the patron presses the switch at the top of the page (:func:`choose_language`).
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import json
from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bookwarden.core.files import csv_cell
from bookwarden.core.forms import submit
from bookwarden.core.models import Library
from bookwarden.core.when import iso_utc, show_times_for
from bookwarden.patrons import actions as patron_actions
from bookwarden.patrons.classification import for_library
from bookwarden.patrons.models import CONTACT_FIELDS, Patron
from bookwarden.patrons.record_access import open_own_records, openings_shown_to_patron
from bookwarden.patrons.records import RECORD_TYPES
from bookwarden.policies.published import privacy_policy_of
from bookwarden.vendors.datamap import third_parties

from . import actions, session
from .forms import ChangePinForm, LanguageForm, LoginForm, ReadingHistoryForm
from .notice import notice
from .session import PortalRequest, portal_login_required
from .summary import at_a_glance


def _render(
    request: HttpRequest,
    library: Library,
    template: str,
    ctx: dict[str, Any],
    status: int = 200,
    *,
    with_notice: bool = False,
) -> HttpResponse:
    """Every page names the library and links to the privacy notice (base.html); the pages
    that quote the notice itself (``with_notice``) get what it is built from."""
    signed_in = {
        "card": getattr(request, "portal_card", None),
        "patron": getattr(request, "portal_patron", None),
    }
    built = notice(library) if with_notice else {"library": library}
    ctx = {**built, **signed_in, **ctx}
    show_times_for(library)
    return render(request, template, ctx, status=status)


@require_GET
def choose_library(request: HttpRequest) -> HttpResponse:
    libraries = list(Library.objects.order_by("name"))
    if len(libraries) == 1:
        return redirect("portal:home", slug=libraries[0].slug)
    return render(request, "portal/choose.html", {"libraries": libraries})


def _remember_language(response: HttpResponse, language: str) -> None:
    """The language cookie, sent back to the portal only (``LANGUAGE_COOKIE_PATH``)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite="Lax",  # as settings.LANGUAGE_COOKIE_SAMESITE
    )


def _back_to(request: HttpRequest, where: str) -> str:
    """The portal page the switch was pressed on, or the portal's first page."""
    if where.startswith("/portal/") and url_has_allowed_host_and_scheme(
        where, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return where
    return reverse("portal:choose")


@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    """The language switch on every portal page (issue 15): the portal speaks the chosen
    language from now on, in this browser; a signed-in patron's choice is also kept for
    their mail and letters (an audit event).  Back to the page it was pressed on."""
    form = LanguageForm(request.POST)
    card = session.signed_in_card(request)
    done = submit(
        request,
        form,
        lambda data: (
            patron_actions.set_preferred_language(patron=card.patron, language=data["language"])
            if card is not None
            else None
        ),
    )
    response = redirect(_back_to(request, request.POST.get("next", "")))
    if done:
        _remember_language(response, form.cleaned_data["language"])
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest, slug: str) -> HttpResponse:
    library = get_object_or_404(Library, slug=slug)
    if request.method == "POST":
        form = LoginForm(request.POST)
        try:
            done = submit(
                request,
                form,
                lambda data: actions.log_in(
                    library=library,
                    card_number=data["card_number"],
                    pin=data["pin"],
                    ip=get_client_ip_address(request),
                ),
            )
        except actions.PortalLoginError as exc:  # recorded by log_in; 429 once locked
            form.add_error(None, str(exc))
            status = 429 if exc.locked else 400
            return _render(request, library, "portal/login.html", {"form": form}, status)
        if done:
            session.start(request, done.result)
            response = redirect("portal:home", slug=library.slug)
            # The language the patron chose before, on any computer, wins over this one's.
            chosen = done.result.patron.preferred_language
            if chosen and chosen != translation.get_language():
                _remember_language(response, chosen)
            return response
        return _render(request, library, "portal/login.html", {"form": form}, 400)
    if session.current(request, library) is not None:
        return redirect("portal:home", slug=library.slug)
    return _render(request, library, "portal/login.html", {"form": LoginForm()})


@require_POST
@portal_login_required
def logout(request: PortalRequest) -> HttpResponse:
    actions.log_out(card=request.portal_card)
    session.end(request)
    messages.success(request, gettext("You are signed out of the portal."))
    return redirect("portal:login", slug=request.portal_library.slug)


@require_GET
@portal_login_required
def home(request: PortalRequest) -> HttpResponse:
    patron, card = request.portal_patron, request.portal_card
    today = timezone.localdate()
    return _render(
        request,
        request.portal_library,
        "portal/home.html",
        {
            "patron": patron,
            "card": card,
            "expired": card.expires_on is not None and card.expires_on < today,
            "expires_soon": card.expires_on is not None
            and today <= card.expires_on <= today + datetime.timedelta(days=30),
        },
        with_notice=patron.privacy_reminder_since is not None,  # the reminder quotes the law
    )


@never_cache
@require_GET
def privacy(request: HttpRequest, slug: str) -> HttpResponse:
    """The full privacy notice: public, so that anyone can read it before registering."""
    library = get_object_or_404(Library, slug=slug)
    card = session.current(request, library)
    return _render(
        request,
        library,
        "portal/privacy.html",
        {
            "patron": card.patron if card else None,
            "card": card,
            # NM-7, CR-6b: the library's published privacy policy, from its effective date.
            "published": privacy_policy_of(library),
            # NM-3: the third parties, from the vendor register, so the list cannot drift.
            "third_parties": third_parties(library),
        },
        with_notice=True,
    )


@require_POST
@portal_login_required
def privacy_read(request: PortalRequest) -> HttpResponse:
    """CR-6c: the patron has read the reminder shown after their card was renewed."""
    patron_actions.acknowledge_privacy_reminder(patron=request.portal_patron)
    return redirect("portal:home", slug=request.portal_library.slug)


@require_GET
@portal_login_required
def records(request: PortalRequest) -> HttpResponse:
    patron, library = request.portal_patron, request.portal_library
    opened = open_own_records(patron=patron, why="viewed in the portal")
    return _render(
        request,
        library,
        "portal/records.html",
        {
            "patron": patron,
            "card": request.portal_card,
            "glance": at_a_glance(opened.records),
            "sections": _in_patrons_words(opened.sections(for_library(library))),
        },
    )


def _in_patrons_words(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The sections of "My records" in the language in force: each kind's name and column
    headings, and the words the library writes in a cell (a hold's status); what the
    patron or the catalog wrote (titles, searches) stays as it is.  Each cell goes with its
    heading: on a phone a row is shown as "heading: value" lines."""
    out = []
    for section in sections:
        worded = [attr.startswith("get_") for _, attr in RECORD_TYPES[section["key"]].columns]
        headings = [gettext(h) for h in section["headings"]]
        rows = [
            list(
                zip(
                    headings,
                    [
                        gettext(v) if w and isinstance(v, str) else v
                        for w, v in zip(worded, row, strict=True)
                    ],
                    strict=True,
                )
            )
            for row in section["rows"]
        ]
        out.append(
            {**section, "label": gettext(section["label"]), "headings": headings, "rows": rows}
        )
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.date):  # a moment in UTC, as exports are
        return iso_utc(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _personal(patron: Patron) -> dict[str, Any]:
    data = {name: _plain(getattr(patron, name)) for name in CONTACT_FIELDS}
    data["cards"] = [
        {
            "number": c.number,
            "status": c.get_status_display(),
            "issued_on": _plain(c.issued_on),
            "expires_on": _plain(c.expires_on),
        }
        for c in patron.cards.all()
    ]
    data["keeps_reading_history"] = patron.keeps_reading_history
    data["reading_history_changed_at"] = _plain(patron.reading_history_changed_at)
    return data


@require_GET
@portal_login_required
def download(request: PortalRequest, fmt: str) -> HttpResponse:
    """The patron's own records as JSON or CSV (NM-7): every kind, with their personal
    information in the JSON.  Recorded as an opening like any other."""
    if fmt not in ("json", "csv"):
        raise Http404
    patron, library = request.portal_patron, request.portal_library
    opened = open_own_records(patron=patron, why=f"downloaded from the portal as {fmt}")
    stamp = timezone.localdate().isoformat()
    filename = f"my-library-records-{stamp}.{fmt}"
    if fmt == "json":
        body = {
            "library": library.name,
            "generated_at": _plain(timezone.now()),
            "you": _personal(patron),
            "records": {
                key: [
                    dict(
                        zip(
                            [h for h, _ in RECORD_TYPES[key].columns],
                            [_plain(v) for v in RECORD_TYPES[key].values(row)],
                            strict=True,
                        )
                    )
                    for row in rows
                ]
                for key, rows in opened.records.items()
            },
        }
        response = HttpResponse(
            json.dumps(body, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
    else:
        headings: list[str] = []
        for key in opened.records:
            for heading, _ in RECORD_TYPES[key].columns:
                if heading not in headings:
                    headings.append(heading)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["Kind of record", *headings])
        for key, rows in opened.records.items():
            rt = RECORD_TYPES[key]
            for row in rows:
                by_heading = dict(zip([h for h, _ in rt.columns], rt.values(row), strict=True))
                writer.writerow(
                    [rt.label, *(csv_cell(_plain(by_heading.get(h, ""))) for h in headings)]
                )
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


#: What the patron is told once their reading-history choice is saved.
KEEPING_HISTORY = gettext_lazy("We will keep a list of what you borrow until you turn this off.")
NOT_KEEPING_HISTORY = gettext_lazy(
    "We no longer keep your reading history. Items you have returned with nothing owed "
    "will be unlinked from you at the next nightly clean-up."
)


@require_http_methods(["GET", "POST"])
@portal_login_required
def reading_history(request: PortalRequest) -> HttpResponse:
    """NM-6: the patron turns reading history on or off; the choice is timestamped and can
    be changed again at any time."""
    patron = request.portal_patron
    if request.method == "POST":
        form = ReadingHistoryForm(request.POST)
        if submit(
            request,
            form,
            lambda data: patron_actions.set_reading_history(
                actor=None, patron=patron, keep=data["keep"]
            ),
            success=lambda saved: str(
                KEEPING_HISTORY if saved.keeps_reading_history else NOT_KEEPING_HISTORY
            ),
        ):
            return redirect("portal:reading_history", slug=request.portal_library.slug)
    else:
        form = ReadingHistoryForm(initial={"keep": "yes" if patron.keeps_reading_history else "no"})
    return _render(
        request,
        request.portal_library,
        "portal/reading_history.html",
        {"patron": patron, "form": form},
        400 if form.errors else 200,
    )


@require_GET
@portal_login_required
def who_opened(request: PortalRequest) -> HttpResponse:
    """NM-7: who on staff opened the patron's records, when and for what purpose."""
    return _render(
        request,
        request.portal_library,
        "portal/who_opened.html",
        {
            "patron": request.portal_patron,
            "openings": openings_shown_to_patron(request.portal_patron),
        },
    )


@require_http_methods(["GET", "POST"])
@portal_login_required
def change_pin(request: PortalRequest) -> HttpResponse:
    patron = request.portal_patron
    form = ChangePinForm(request.POST or None)
    if request.method == "POST" and submit(
        request,
        form,
        lambda data: patron_actions.change_own_pin(
            patron=patron, current=data["current"], new=data["pin"]
        ),
        success=gettext("Your PIN is changed."),
    ):
        return redirect("portal:home", slug=request.portal_library.slug)
    return _render(
        request,
        request.portal_library,
        "portal/pin.html",
        {"patron": patron, "form": form},
        400 if form.errors else 200,
    )
