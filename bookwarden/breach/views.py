"""The breach pages (CR-6e): the list, declaring a breach from an incident, the breach page
(scope, affected patrons, notices, review) and the printable letters.  Reading needs
:attr:`Perm.VIEW_OPERATIONS` (auditors read); every write needs
:attr:`Perm.MANAGE_BREACH` and goes through :mod:`bookwarden.breach.actions`.  Patron names
are shown only to those who handle the breach."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bookwarden.core.forms import submit
from bookwarden.core.models import Library
from bookwarden.core.permissions import StaffRequest, has_perm, perm_required
from bookwarden.core.roles import Perm
from bookwarden.core.when import show_times_for
from bookwarden.core.wording import counted
from bookwarden.operations.models import LogEntry
from bookwarden.patrons.models import Card

from . import actions
from .forms import AddPatronForm, DeclareForm, LettersForm, ReviewForm, ScopeForm
from .models import AffectedPatron, Breach, Channel, NoticeStatus
from .notices import record_type_labels


def _can_read(user: Any, library: Library | int) -> bool:
    return has_perm(user, Perm.VIEW_OPERATIONS, library) or has_perm(
        user, Perm.MANAGE_BREACH, library
    )


def _breach(request: StaffRequest, breach_id: int, *, manage: bool) -> Breach:
    """A breach of one of the person's libraries (else 404), if they may read it (or,
    with ``manage``, handle it); else 403."""
    breach = get_object_or_404(
        Breach.objects.for_user(request.user).select_related(
            "library", "entry", "declared_by", "reviewed_by"
        ),
        pk=breach_id,
    )
    allowed = (
        has_perm(request.user, Perm.MANAGE_BREACH, breach.library)
        if manage
        else _can_read(request.user, breach.library)
    )
    if not allowed:
        raise PermissionDenied
    show_times_for(breach.library)
    return breach


@login_required
@perm_required(Perm.VIEW_OPERATIONS)
@require_GET
def breach_list(request: StaffRequest) -> HttpResponse:
    # Those who read the log, and those who handle breaches (see _can_read).
    user = request.user
    readable = Breach.objects.for_user(user, Perm.VIEW_OPERATIONS) | Breach.objects.for_user(
        user, Perm.MANAGE_BREACH
    )
    breaches = readable.select_related("library", "entry").annotate(
        affected_count=Count("affected", distinct=True),
        waiting=Count(
            "affected",
            filter=Q(
                affected__notice_status__in=[
                    NoticeStatus.PENDING,
                    NoticeStatus.LETTER_PENDING,
                    NoticeStatus.PRINTED,
                ]
            ),
            distinct=True,
        ),
    )
    return render(request, "breach/list.html", {"breaches": breaches})


def _detail_context(request: StaffRequest, breach: Breach, **forms: Form) -> dict[str, Any]:
    user = request.user
    manage = has_perm(user, Perm.MANAGE_BREACH, breach.library)
    affected = list(
        AffectedPatron.objects.filter(breach=breach)
        .with_notice_state()
        .select_related("patron", "outbox_message")
        .order_by("patron__last_name", "patron__first_name", "pk")
    )
    for row in affected:
        row.type_labels = record_type_labels(list(row.record_types or []))
    counts = {status: 0 for status in NoticeStatus.values}
    for row in affected:
        counts[row.state] += 1
    local = timezone.localtime
    scope_initial = {
        "window_start": local(breach.window_start),
        "window_end": local(breach.window_end),
        "accounts": list(breach.accounts.all()),
    }
    ctx: dict[str, Any] = {
        "breach": breach,
        "entry": breach.entry,
        "library": breach.library,
        "accounts": scope_initial["accounts"],
        "affected": affected,
        "counts": [(NoticeStatus(status).label, n) for status, n in counts.items() if n],
        "pending": counts[NoticeStatus.PENDING] + counts[NoticeStatus.FAILED],
        "letters_to_print": counts[NoticeStatus.LETTER_PENDING],
        "manage": manage,
        "show_names": manage,
        "Channel": Channel,
        "NoticeStatus": NoticeStatus,
    }
    if manage:
        ctx["scope_form"] = forms.get("scope_form") or ScopeForm(
            initial=scope_initial, library=breach.library, prefix="scope"
        )
        ctx["add_form"] = forms.get("add_form") or AddPatronForm(prefix="add")
        ctx["review_form"] = forms.get("review_form") or ReviewForm(
            initial={
                "practice_evaluated": breach.practice_evaluated,
                "procedures_changed": breach.procedures_changed,
            },
            prefix="review",
        )
    return ctx


@login_required
@require_GET
def breach_detail(request: StaffRequest, breach_id: int) -> HttpResponse:
    breach = _breach(request, breach_id, manage=False)
    return render(request, "breach/detail.html", _detail_context(request, breach))


def _detail_again(request: StaffRequest, breach: Breach, **forms: Form) -> HttpResponse:
    return render(
        request, "breach/detail.html", _detail_context(request, breach, **forms), status=400
    )


def _to_detail(breach: Breach, anchor: str = "") -> HttpResponse:
    url = reverse("breach:detail", args=[breach.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


@login_required
@require_http_methods(["GET", "POST"])
def breach_declare(request: StaffRequest, entry_id: int) -> HttpResponse:
    """Declare a breach from an incident of the operations log."""
    entry = get_object_or_404(
        LogEntry.objects.for_user(request.user).select_related("library"), pk=entry_id
    )
    library = entry.library
    if not has_perm(request.user, Perm.MANAGE_BREACH, library):
        raise PermissionDenied
    existing = Breach.objects.filter(entry=entry).first()
    if existing is not None:
        return _to_detail(existing)
    problem = ""
    if not entry.is_incident:
        problem = "Only a security incident can be declared a breach of patron information."
    elif not entry.patron_data_involved:
        problem = (
            "This incident is not marked as involving patron information. Mark it on the "
            "incident's page first."
        )
    user = request.user
    form = DeclareForm(
        request.POST if request.method == "POST" else None,
        library=library,
        initial={
            "window_start": timezone.localtime(entry.occurred_at),
            "window_end": timezone.localtime(),
            "contact": f"{user}, {library.name}" + (f", {user.email}" if user.email else ""),
        },
    )
    if (
        request.method == "POST"
        and not problem
        and (
            done := submit(
                request,
                form,
                lambda data: actions.declare_breach(actor=user, entry=entry, **data),
                success="Breach declared. Now list the affected patrons from the audit log.",
            )
        )
    ):
        return _to_detail(done.result)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "breach/declare.html",
        {"entry": entry, "library": library, "form": form, "problem": problem},
        status=status,
    )


@login_required
@require_POST
def breach_scope(request: StaffRequest, breach_id: int) -> HttpResponse:
    breach = _breach(request, breach_id, manage=True)
    form = ScopeForm(request.POST, library=breach.library, prefix="scope")
    if submit(
        request,
        form,
        lambda data: actions.change_scope(actor=request.user, breach=breach, **data),
        success="Scope saved. List the affected patrons again to bring the list up to date.",
    ):
        return _to_detail(breach, "scope")
    return _detail_again(request, breach, scope_form=form)


def _listing_message(listing: actions.Listing) -> str:
    text = (
        f"{counted(listing.patrons, 'patron')} found in the audit log "
        f"({counted(listing.events, 'opening')} of records in the window): {listing.added} "
        f"new, {listing.updated} updated, {listing.removed} no longer in scope."
    )
    if listing.gone:
        gone = listing.gone
        text += (
            f" {counted(gone, 'patron')} no longer "
            f"{'exists' if gone == 1 else 'exist'} here and cannot be notified."
        )
    return text


@login_required
@require_POST
def breach_list_affected(request: StaffRequest, breach_id: int) -> HttpResponse:
    breach = _breach(request, breach_id, manage=True)
    submit(
        request,
        None,
        lambda _: actions.list_affected(actor=request.user, breach=breach),
        success=_listing_message,
    )
    return _to_detail(breach, "affected")


@login_required
@require_POST
def breach_add_patron(request: StaffRequest, breach_id: int) -> HttpResponse:
    breach = _breach(request, breach_id, manage=True)
    form = AddPatronForm(request.POST, prefix="add")

    def add(data: dict[str, Any]) -> AffectedPatron:
        card = (
            Card.objects.filter(library=breach.library, number=data["card_number"].strip())
            .select_related("patron")
            .first()
        )
        if card is None:
            raise ValidationError({"card_number": "No card of this library has that number."})
        return actions.add_patron_by_hand(
            actor=request.user, breach=breach, patron=card.patron, reason=data["reason"]
        )

    if submit(
        request,
        form,
        add,
        success=lambda affected: f"{affected.patron} added to the affected patrons.",
    ):
        return _to_detail(breach, "affected")
    return _detail_again(request, breach, add_form=form)


@login_required
@require_POST
def breach_notify(request: StaffRequest, breach_id: int) -> HttpResponse:
    breach = _breach(request, breach_id, manage=True)
    submit(
        request,
        None,
        lambda _: actions.notify(actor=request.user, breach=breach),
        success=lambda done: (
            f"{counted(done.emailed, 'notice')} queued for e-mail; "
            f"{counted(done.letters + done.switched, 'letter')} to print."
        ),
    )
    return _to_detail(breach, "affected")


@login_required
@require_http_methods(["GET", "POST"])
def breach_letters(request: StaffRequest, breach_id: int) -> HttpResponse:
    """GET: who gets a letter, and the button to print.  POST: print (recorded), and the
    letters themselves, one per page."""
    breach = _breach(request, breach_id, manage=True)
    form = LettersForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        done = submit(
            request,
            form,
            lambda data: actions.print_letters(actor=request.user, breach=breach, **data),
            flash=True,
        )
        if done is None:
            return redirect("breach:letters", breach_id=breach.pk)
        return render(
            request,
            "breach/letters_print.html",
            {"breach": breach, "library": breach.library, "letters": done.result},
        )
    rows = list(
        AffectedPatron.objects.filter(breach=breach, channel=Channel.LETTER)
        .select_related("patron")
        .order_by("patron__last_name", "patron__first_name", "pk")
    )
    return render(
        request,
        "breach/letters.html",
        {
            "breach": breach,
            "rows": rows,
            "form": form,
            "to_print": sum(1 for r in rows if r.notice_status == NoticeStatus.LETTER_PENDING),
        },
    )


@login_required
@require_POST
def breach_mark_sent(request: StaffRequest, breach_id: int, affected_id: int) -> HttpResponse:
    breach = _breach(request, breach_id, manage=True)
    affected = get_object_or_404(
        AffectedPatron.objects.select_related("patron", "breach"), pk=affected_id, breach=breach
    )
    submit(
        request,
        None,
        lambda _: actions.mark_letter_sent(actor=request.user, affected=affected),
        success=f"The letter to {affected.patron} is marked as mailed.",
    )
    return _to_detail(breach, "affected")


@login_required
@require_POST
def breach_review(request: StaffRequest, breach_id: int) -> HttpResponse:
    breach = _breach(request, breach_id, manage=True)
    form = ReviewForm(request.POST, prefix="review")
    if submit(
        request,
        form,
        lambda data: actions.record_review(actor=request.user, breach=breach, **data),
        success="Post-incident review recorded.",
    ):
        return _to_detail(breach, "review")
    return _detail_again(request, breach, review_form=form)
