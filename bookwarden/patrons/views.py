"""Staff pages about patrons: search, the patron page, registering and editing patrons,
issuing and reporting cards, opening records with a purpose, and the custodian's
last-borrower search (CR-2c, CR-5, CR-5b, CR-5i).  Every write goes through
:mod:`bookwarden.patrons.actions`.  The patron page never shows records; only
:func:`patron_record_opening` does, for an opening that
:func:`bookwarden.patrons.record_access.open_records` has checked and recorded (posted to
:func:`patron_records`), read again through
:func:`~bookwarden.patrons.record_access.reread_opening`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core import when as formats
from bookwarden.core.forms import focus_first_error, submit
from bookwarden.core.models import Branch, Library
from bookwarden.core.permissions import (
    StaffRequest,
    has_perm,
    has_perm_anywhere,
    libraries_with_perm,
    library_for,
    perm_required,
)
from bookwarden.core.roles import Perm

from . import actions
from .classification import for_library
from .forms import (
    IssueCardForm,
    LastBorrowerForm,
    OpenRecordsForm,
    PatronForm,
    RecordWindowForm,
    RegisterPatronForm,
    RenewCardForm,
    ReportCardForm,
    SealOpeningForm,
    SearchForm,
    SetPinForm,
)
from .models import Card, Patron, RecordOpening, SealedOpening
from .record_access import (
    CardRefused,
    OpeningExpired,
    Purpose,
    RecordWindow,
    last_borrower,
    open_records,
    reread_opening,
)


def _patron_or_404(request: StaffRequest, patron_id: int) -> Patron:
    """A patron of one of the person's libraries; any other is 404 (DESIGN mechanism 4)."""
    return get_object_or_404(
        Patron.objects.for_user(request.user).select_related("library", "home_branch"),
        pk=patron_id,
    )


def _manage_or_403(request: StaffRequest, patron_id: int) -> Patron:
    """A patron of one of the person's libraries (else 404) where they manage patrons."""
    patron = _patron_or_404(request, patron_id)
    if not has_perm(request.user, Perm.MANAGE_PATRONS, patron.library):
        raise PermissionDenied
    return patron


def _current_card(patron: Patron) -> Any:
    cards = list(patron.cards.all())
    return cards[0] if cards else None


@login_required
@perm_required(Perm.FIND_PATRONS)
@require_GET
def patron_search(request: StaffRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results: list[Patron] | None = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        libraries = libraries_with_perm(request.user, Perm.FIND_PATRONS)
        results = list(
            Patron.objects.search(form.cleaned_data["q"])
            .for_user(request.user, Perm.FIND_PATRONS)
            .select_related("library", "home_branch")
            .prefetch_related("cards")[:100]
        )
        found = Counter(p.library_id for p in results)
        actions.log_searches(
            actor=request.user, results={library_id: found[library_id] for library_id in libraries}
        )
    rows = [(p, _current_card(p)) for p in results or []]
    return render(
        request,
        "patrons/search.html",
        {
            "form": form,
            "rows": rows,
            "searched": results is not None,
            "custodian": has_perm_anywhere(request.user, Perm.OPEN_RECORDS_AS_CUSTODIAN),
            "can_register": has_perm_anywhere(request.user, Perm.MANAGE_PATRONS),
        },
    )


def _purpose_form(
    user: Any,
    library: Library,
    purpose: str,
    *,
    record_types: list[str] | None = None,
    focus: bool = True,
) -> OpenRecordsForm:
    """The form to open a patron's records, ``purpose`` chosen; with ``focus``, the cursor
    where that purpose needs typing (the card presented at the desk, else the note)."""
    form = OpenRecordsForm(
        custodian=has_perm(user, Perm.OPEN_RECORDS_AS_CUSTODIAN, library),
        initial={"purpose": purpose, "record_types": record_types or []},
    )
    if focus:
        field = "card_number" if purpose == Purpose.DESK else "note"
        form.fields[field].widget.attrs["autofocus"] = True
    return form


def _detail_context(
    request: StaffRequest, patron: Patron, **bound: forms.Form | None
) -> dict[str, Any]:
    """The patron page: who the patron is, their card and any restriction, the form to
    open their records, then the card and PIN forms.  ``bound``: a refused form shown
    again with its errors and what was typed (``open_form=``, ``card_form=`` ...): its
    section is open and its first field to correct has the cursor; otherwise the card
    number presented at the desk has it."""
    from bookwarden.enforcement.queries import patron_restrictions

    user = request.user
    library = patron.library
    custodian = has_perm(user, Perm.OPEN_RECORDS_AS_CUSTODIAN, library)
    can_open = has_perm(user, Perm.OPEN_RECORDS, library)
    can_manage = has_perm(user, Perm.MANAGE_PATRONS, library)
    cards = list(patron.cards.all())
    refused = next((slot for slot, form in bound.items() if form is not None), "")
    open_form = bound.get("open_form")
    if open_form is None and can_open:
        # Most openings are at the desk, the patron's card in hand: type its number.
        open_form = _purpose_form(user, library, Purpose.DESK, focus=not refused)
    ctx: dict[str, Any] = {
        "patron": patron,
        "library": library,
        "cards": cards,
        "current_card": cards[0] if cards else None,
        "details": has_perm(user, Perm.VIEW_PATRON_DETAILS, library),
        "can_open": can_open,
        "can_manage": can_manage,
        "open_form": open_form if can_open else None,
        "custodian": custodian,
        "has_active_card": any(c.counts_as_consent for c in cards),
        "classifications": list(for_library(library).values()),
        # CC-3, CC-11: computer-use restrictions (one query).
        "restrictions": patron_restrictions(user, patron),
        "refused": refused,
    }
    if can_manage:
        ctx.update(
            report_form=bound.get("report_form") or ReportCardForm(patron=patron),
            card_form=bound.get("card_form") or IssueCardForm(prefix="new"),
            pin_form=bound.get("pin_form") or SetPinForm(prefix="pin"),
            renew_form=bound.get("renew_form") or RenewCardForm(patron=patron, prefix="renew"),
        )
    return ctx


@login_required
@require_GET
def patron_detail(request: StaffRequest, patron_id: int) -> HttpResponse:
    patron = _patron_or_404(request, patron_id)
    if not has_perm(request.user, Perm.FIND_PATRONS, patron.library):
        raise PermissionDenied
    ctx = _detail_context(request, patron)
    actions.log_view(actor=request.user, patron=patron, details=ctx["details"])
    return render(request, "patrons/detail.html", ctx)


@login_required
@require_POST
def patron_records(request: StaffRequest, patron_id: int) -> HttpResponse:
    """Open the records for a stated purpose (CR-5).  The access function is the one check:
    it refuses a role or purpose that is not allowed and records the refusal with the
    stated purpose, or records the opening (one audit event) before anything is read.  An
    opening goes on to its own page, which a reload or the back button shows again without
    opening anything a second time."""
    patron = _patron_or_404(request, patron_id)
    library = patron.library
    # Only which purposes the form offers; what is allowed is the access function's call.
    offers_custodian = has_perm(request.user, Perm.OPEN_RECORDS_AS_CUSTODIAN, library)
    form = OpenRecordsForm(request.POST, custodian=offers_custodian)
    try:
        done = submit(
            request,
            form,
            lambda data: open_records(actor=request.user, patron=patron, read_now=False, **data),
        )
    except CardRefused as exc:
        form.add_error("card_number", f"Not opened: {exc} This refusal is on record.")
        return _detail_again(request, patron, form, 403)
    except PermissionDenied as exc:
        form.add_error(None, f"Not opened: {exc} This refusal is on record.")
        return _detail_again(request, patron, form, 403)
    if done is None:
        return _detail_again(request, patron, form, 400)
    opening = done.result.opening
    assert opening is not None  # open_records records every staff opening
    return redirect("patron_record_opening", patron_id=patron.pk, opening_id=opening.pk)


@login_required
@require_GET
@never_cache
def patron_record_opening(request: StaffRequest, patron_id: int, opening_id: int) -> HttpResponse:
    """The records of one opening (CR-5), for the person who opened them (anyone else:
    404), read again through the access function without a new audit event, for
    ``BOOKWARDEN_RECORD_OPENING_MINUTES``; after that the page shows no records and asks
    for the purpose again.  Never cached (``no-store``)."""
    patron = _patron_or_404(request, patron_id)
    opening = get_object_or_404(
        RecordOpening.objects.for_user(request.user)
        .filter(patron=patron, opened_by=request.user)
        .select_related("event"),
        pk=opening_id,
    )
    opening.patron = patron
    library = patron.library
    ctx: dict[str, Any] = {
        "patron": patron,
        "library": library,
        "opening": opening,
        "purpose_label": Purpose(opening.purpose).label,
        "event": opening.event,
    }
    window_form = RecordWindowForm(request.GET or None, record_types=opening.record_types)
    window = _window_of(window_form)
    try:
        opened = reread_opening(actor=request.user, opening=opening, window=window)
    except OpeningExpired:
        if has_perm(request.user, Perm.OPEN_RECORDS, library):
            ctx["open_form"] = _purpose_form(
                request.user, library, opening.purpose, record_types=opening.record_types
            )
        return render(request, "patrons/opening_expired.html", ctx)
    sections = opened.sections(for_library(library))
    for section in sections:
        section.update(_pages_of(request, window, section["key"], opened.totals[section["key"]]))
    ctx.update(
        sections=sections,
        expires_at=opening.expires_at(),
        window_form=window_form,
        narrowed=bool(window.only or window.since or window.until),
    )
    status = 400 if window_form.is_bound and not window_form.is_valid() else 200
    return render(request, "patrons/records.html", ctx, status=status)


def _window_of(form: RecordWindowForm) -> RecordWindow:
    """The page of records the form asks for; the newest page of every kind when the form
    is empty or wrong (its errors are shown beside it)."""
    if not form.is_bound or not form.is_valid():
        return RecordWindow()
    data = form.cleaned_data
    return RecordWindow(
        only=data["kind"] or None,
        since=data["since"],
        until=data["until"],
        page=data["page"] or 1,
    )


def _pages_of(request: StaffRequest, window: RecordWindow, key: str, total: int) -> dict[str, Any]:
    """What a section says of its rows ("51 to 100 of 5,000, newest first") and the links to
    the pages before and after it (a kind shown alone) or to all of that kind."""
    first = window.offset + 1 if total else 0
    last = min(window.offset + window.per_page, total)

    def link(**changes: Any) -> str:
        query = request.GET.copy()
        for name, value in changes.items():
            query[name] = value
        return "?" + query.urlencode()

    alone = window.only == key
    return {
        "total": total,
        "first": first,
        "last": last,
        "newer_url": link(kind=key, page=window.page - 1) if alone and window.page > 1 else "",
        "older_url": link(kind=key, page=window.page + 1) if alone and last < total else "",
        "all_url": link(kind=key, page=1) if not alone and last < total else "",
    }


def _detail_again(
    request: StaffRequest, patron: Patron, form: OpenRecordsForm, status: int
) -> HttpResponse:
    """The patron page again, with the form's errors and what was typed: nothing was
    opened.  Someone who may not see the patron page gets the plain refusal; someone who
    sees it without the form (a volunteer) reads the refusal at the top."""
    if not has_perm(request.user, Perm.FIND_PATRONS, patron.library):
        raise PermissionDenied
    focus_first_error(form)
    ctx = _detail_context(request, patron, open_form=form)
    if ctx["open_form"] is None:
        for error in form.non_field_errors():
            messages.error(request, str(error))
    return render(request, "patrons/detail.html", ctx, status=status)


def _post_from_patron_page(
    request: StaffRequest,
    patron: Patron,
    form: forms.Form,
    action: Callable[[dict[str, Any]], Any],
    *,
    slot: str,
    success: Callable[[Any], str],
) -> HttpResponse:
    """A form posted from the patron page (a card, a PIN) to an action: done, back to the
    patron page (the message at its top); refused, the patron page again with this form
    open, its errors beside its fields, what was typed kept and the cursor on the first
    field to correct."""
    if submit(request, form, action, success=success):
        return redirect("patron_detail", patron_id=patron.pk)
    focus_first_error(form)
    ctx = _detail_context(request, patron, **{slot: form})
    return render(request, "patrons/detail.html", ctx, status=400)


@login_required
@require_POST
def report_card(request: StaffRequest, patron_id: int) -> HttpResponse:
    """CR-5b: a card reported lost or stolen stops counting as consent at once."""
    patron = _manage_or_403(request, patron_id)
    return _post_from_patron_page(
        request,
        patron,
        ReportCardForm(request.POST, patron=patron),
        lambda data: actions.report_card(actor=request.user, **data),
        slot="report_form",
        success=lambda card: (
            f"Card {card.number} is now {card.get_status_display().lower()}: it no longer "
            "counts as the patron's consent."
        ),
    )


@login_required
@perm_required(Perm.OPEN_RECORDS_AS_CUSTODIAN)
@require_http_methods(["GET", "POST"])
def last_borrower_view(request: StaffRequest) -> HttpResponse:
    """CR-5i: the custodian finds who last borrowed an item with something left inside."""
    libraries = list(Library.objects.for_user(request.user, Perm.OPEN_RECORDS_AS_CUSTODIAN))
    ctx: dict[str, Any] = {"searched": False}
    form = LastBorrowerForm(request.POST if request.method == "POST" else None, libraries=libraries)
    if request.method == "POST":
        # Another library's slug: 404 (or 403 for one's own library without the role).
        library = library_for(
            request, request.POST.get("library", ""), Perm.OPEN_RECORDS_AS_CUSTODIAN
        )
        done = submit(
            request,
            form,
            lambda data: last_borrower(
                actor=request.user,
                library=library,
                item_barcode=data["item_barcode"],
                note=data["note"],
            ),
        )
        if done:
            ctx.update(searched=True, loan=done.result, library=library)
    ctx["form"] = form
    status = 400 if form.errors else 200
    return render(request, "patrons/last_borrower.html", ctx, status=status)


@login_required
@perm_required(Perm.MANAGE_PATRONS)
@require_http_methods(["GET", "POST"])
def patron_register(request: StaffRequest) -> HttpResponse:
    """Register a patron with their first card, in a library where the person manages
    patrons (register_patron writes the patron, the card and both audit events)."""
    libraries = list(Library.objects.for_user(request.user, Perm.MANAGE_PATRONS))
    form = RegisterPatronForm(
        request.POST if request.method == "POST" else None,
        libraries=libraries,
        branches=Branch.objects.for_user(request.user, Perm.MANAGE_PATRONS),
    )
    if request.method == "POST":
        # Another library's slug: 404 (or 403 for one's own library without the permission).
        library = library_for(request, request.POST.get("library", ""), Perm.MANAGE_PATRONS)
        done = submit(
            request,
            form,
            lambda data: actions.register_patron(
                actor=request.user,
                library=library,
                card_number=data["card_number"],
                **form.personal_fields(),
            ),
            success=lambda _: (
                f"The patron is registered, with card {form.cleaned_data['card_number'].strip()}."
            ),
            rename=PatronForm.ACTION_FIELDS,
        )
        if done:
            return redirect("patron_detail", patron_id=done.result.pk)
    status = 400 if form.errors else 200
    return render(request, "patrons/register.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def patron_edit(request: StaffRequest, patron_id: int) -> HttpResponse:
    """Change a patron's personal information (update_patron names the changed fields in
    its audit event, never their values)."""
    patron = _manage_or_403(request, patron_id)
    libraries = [patron.library]
    branches = patron.library.branches.all()
    if request.method == "POST":
        form = PatronForm(request.POST, libraries=libraries, branches=branches)
        done = submit(
            request,
            form,
            lambda _: actions.update_patron(
                actor=request.user, patron=patron, **form.personal_fields()
            ),
            success="The patron's details are saved.",
            rename=PatronForm.ACTION_FIELDS,
        )
        if done:
            return redirect("patron_detail", patron_id=patron.pk)
    else:
        guardian_card = ""
        if patron.guardian_id:
            card = Card.objects.for_user(request.user).filter(patron_id=patron.guardian_id).first()
            guardian_card = card.number if card else ""
        initial = {name: getattr(patron, name) for name in PatronForm.PERSONAL}
        initial.update(
            home_branch=patron.home_branch_id,
            guardian_card=guardian_card,
            guardian_name=patron.guardian_name,
            notice_channel=patron.notice_channel,
        )
        form = PatronForm(initial=initial, libraries=libraries, branches=branches)
    status = 400 if form.errors else 200
    return render(request, "patrons/edit.html", {"form": form, "patron": patron}, status=status)


@login_required
@require_POST
def issue_card(request: StaffRequest, patron_id: int) -> HttpResponse:
    """A new card, e.g. after a lost one: the patron's other active cards become replaced
    and stop counting as consent (CR-5b)."""
    patron = _manage_or_403(request, patron_id)
    return _post_from_patron_page(
        request,
        patron,
        IssueCardForm(request.POST, prefix="new"),
        lambda data: actions.issue_card(
            actor=request.user, patron=patron, number=data["card_number"]
        ),
        slot="card_form",
        success=lambda card: (
            f"Card {card.number} is issued. The patron's previous cards are replaced: "
            "they no longer count as the patron's consent."
        ),
    )


@login_required
@require_POST
def set_pin(request: StaffRequest, patron_id: int) -> HttpResponse:
    """Set the patron's portal PIN at the desk (the event says a PIN was set, never which)."""
    patron = _manage_or_403(request, patron_id)
    return _post_from_patron_page(
        request,
        patron,
        SetPinForm(request.POST, prefix="pin"),
        lambda data: actions.set_portal_pin(actor=request.user, patron=patron, pin=data["pin"]),
        slot="pin_form",
        success=lambda _: "The portal PIN is set. The patron can now sign in.",
    )


@login_required
@require_POST
def renew_card(request: StaffRequest, patron_id: int) -> HttpResponse:
    """Renew a card, with the privacy reminder given at the desk (CR-6c)."""
    patron = _manage_or_403(request, patron_id)
    return _post_from_patron_page(
        request,
        patron,
        RenewCardForm(request.POST, patron=patron, prefix="renew"),
        lambda data: actions.renew_card(actor=request.user, **data),
        slot="renew_form",
        success=lambda card: (
            f"Card {card.number} is renewed until {formats.day(card.expires_on)}. The portal "
            "will also remind the patron of their privacy rights."
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def patron_openings(request: StaffRequest, patron_id: int) -> HttpResponse:
    """For the custodian: every recorded opening of the patron's records, and the court
    orders that hide some of them from the patron's portal."""
    patron = _patron_or_404(request, patron_id)
    if not has_perm(request.user, Perm.OPEN_RECORDS_AS_CUSTODIAN, patron.library):
        raise PermissionDenied
    form = SealOpeningForm(request.POST if request.method == "POST" else None, patron=patron)
    status = 200
    if request.method == "POST":
        done = submit(
            request,
            form,
            lambda data: actions.seal_opening(actor=request.user, **data),
            success=lambda seal: (
                f"Event {form.cleaned_data['event'].seq} is hidden from the patron's portal."
            ),
        )
        if done:
            return redirect("patron_openings", patron_id=patron.pk)
        status = 400
    actions.log_openings_viewed(actor=request.user, patron=patron)
    events = list(
        AuditEvent.objects.filter(
            patron_id=patron.pk,
            library_id=patron.library_id,
            action=AuditAction.RECORDS_OPENED,
        )
        .select_related("actor")
        .order_by("-seq")[:500]
    )
    seals = {
        s.event_id: s for s in SealedOpening.objects.filter(event_id__in=[e.pk for e in events])
    }
    rows = [(e, seals.get(e.pk)) for e in events]
    return render(
        request,
        "patrons/openings.html",
        {"patron": patron, "rows": rows, "form": form},
        status=status,
    )
