"""Pages of leavers and account reviews (CC-1, LV-3): the list of last days and ended
accesses, recording, changing or cancelling a last day; the account reviews, one review
with a decision per account, its settings.  Every write goes through
:mod:`bookwarden.people.actions`; every query is scoped with ``.for_user()``."""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bookwarden.core.forms import submit
from bookwarden.core.models import Library, User
from bookwarden.core.permissions import StaffRequest, library_for, perm_required
from bookwarden.core.roles import Perm
from bookwarden.core.wording import counted

from . import actions
from .facts import account_facts, current_memberships, facts_of
from .forms import DecisionForm, DepartureForm, NewDepartureForm, ReviewSettingsForm
from .models import (
    DEFAULT_REVIEW_MONTHS,
    AccountReview,
    AccountReviewItem,
    Decision,
    Departure,
    local_today,
    review_months,
)
from .my_tasks import libraries_with_review_dates, review_due_on

#: Ended accesses shown on the leavers' page, newest first.
RECENTLY_ENDED = 50


# --- Leavers --------------------------------------------------------------------------------


@login_required
@perm_required(Perm.MANAGE_DEPARTURES)
@require_GET
def departures(request: StaffRequest) -> HttpResponse:
    """Human resources' and the director's list: last days to come, then ended accesses."""
    scoped = Departure.objects.for_user(request.user, Perm.MANAGE_DEPARTURES).select_related(
        "user", "library", "recorded_by"
    )
    libraries = list(Library.objects.for_user(request.user, Perm.MANAGE_DEPARTURES))
    return render(
        request,
        "people/departures.html",
        {
            "libraries": libraries,
            "pending": Departure.objects.pending()
            .for_user(request.user, Perm.MANAGE_DEPARTURES)
            .select_related("user", "library", "recorded_by")
            .order_by("last_day", "pk"),
            "ended": scoped.filter(ended_at__isnull=False).order_by("-ended_at", "-pk")[
                :RECENTLY_ENDED
            ],
        },
    )


def _people_of(request: StaffRequest, library: Library) -> QuerySet[User]:
    """Who may be given a last day at ``library``: a role there, no last day recorded yet,
    not the person recording."""
    holding = current_memberships(library, local_today(library)).values("user_id")
    leaving = Departure.objects.pending().filter(library=library).values("user_id")
    return (
        User.objects.filter(pk__in=holding)
        .exclude(pk__in=leaving)
        .exclude(pk=request.user.pk)
        .order_by("last_name", "first_name", "username")
    )


@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def departure_new(request: StaffRequest, slug: str) -> HttpResponse:
    library = library_for(request, slug, Perm.MANAGE_DEPARTURES)
    people = _people_of(request, library)
    initial = {}
    if (person := request.GET.get("person", "")).isdigit():
        initial["person"] = int(person)
    form = NewDepartureForm(request.POST or None, people=people, initial=initial)
    if request.method == "POST" and (
        done := submit(
            request,
            form,
            lambda data: actions.record_departure(
                actor=request.user,
                user=data["person"],
                library=library,
                last_day=data["last_day"],
                reason=data["reason"],
                end_now=data["end_now"],
            ),
            success=lambda d: (
                f"Access of {d.user} ended."
                if d.ended_at
                else f"Last day of {d.user} recorded. Their access ends when it is over."
            ),
        )
    ):
        return redirect("staff_detail", slug=library.slug, user_id=done.result.user_id)
    return render(request, "people/departure_new.html", {"library": library, "form": form})


def _departure_or_404(request: StaffRequest, library: Library, departure_id: int) -> Departure:
    return get_object_or_404(
        Departure.objects.for_user(request.user, Perm.MANAGE_DEPARTURES).select_related(
            "user", "library", "recorded_by", "ended_by", "cancelled_by"
        ),
        library=library,
        pk=departure_id,
    )


@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def departure_edit(request: StaffRequest, slug: str, departure_id: int) -> HttpResponse:
    """A last day: changed (or the access ended now) until the access has ended; then read."""
    library = library_for(request, slug, Perm.MANAGE_DEPARTURES)
    departure = _departure_or_404(request, library, departure_id)
    form = DepartureForm(
        request.POST or None,
        initial={"last_day": departure.last_day, "reason": departure.reason},
    )
    if (
        request.method == "POST"
        and departure.is_pending
        and submit(
            request,
            form,
            lambda data: actions.change_departure(actor=request.user, departure=departure, **data),
            success=lambda d: f"Access of {d.user} ended." if d.ended_at else "Last day changed.",
        )
    ):
        return redirect("staff_detail", slug=library.slug, user_id=departure.user_id)
    return render(
        request,
        "people/departure_edit.html",
        {"library": library, "departure": departure, "form": form},
    )


@login_required
@reauthentication_required
@require_POST
def departure_cancel(request: StaffRequest, slug: str, departure_id: int) -> HttpResponse:
    library = library_for(request, slug, Perm.MANAGE_DEPARTURES)
    departure = _departure_or_404(request, library, departure_id)
    submit(
        request,
        None,
        lambda _: actions.cancel_departure(actor=request.user, departure=departure),
        success=f"Departure of {departure.user} cancelled: their access continues.",
    )
    return redirect("staff_detail", slug=library.slug, user_id=departure.user_id)


# --- Account reviews ------------------------------------------------------------------------


@login_required
@perm_required(Perm.REVIEW_ACCOUNTS)
@require_GET
def reviews(request: StaffRequest) -> HttpResponse:
    """For each library the director reviews: when the next review is due, the one under
    way, and the finished ones, kept as evidence."""
    libraries = libraries_with_review_dates(request.user)
    all_reviews = (
        AccountReview.objects.for_user(request.user, Perm.REVIEW_ACCOUNTS)
        .select_related("started_by", "finished_by")
        .annotate(
            total=Count("items"),
            decided=Count("items", filter=~Q(items__decision="")),
            confirmed=Count("items", filter=Q(items__decision=Decision.CONFIRMED)),
            changed=Count("items", filter=Q(items__decision=Decision.ROLES_REMOVED)),
            ended=Count("items", filter=Q(items__decision=Decision.ENDED)),
        )
        .order_by("-started_at", "-pk")
    )
    by_library: dict[int, list[AccountReview]] = {}
    for review in all_reviews:
        by_library.setdefault(review.library_id, []).append(review)
    sections = []
    for library in libraries:
        reviews_here = by_library.get(library.pk, [])
        due = review_due_on(library, library.last_finished, library.every_months)  # type: ignore[attr-defined]
        sections.append(
            {
                "library": library,
                "due": due,
                "months": library.every_months or DEFAULT_REVIEW_MONTHS,  # type: ignore[attr-defined]
                "overdue": due < local_today(library),
                "open": next((r for r in reviews_here if not r.is_finished), None),
                "finished": [r for r in reviews_here if r.is_finished],
            }
        )
    return render(request, "people/reviews.html", {"sections": sections})


@login_required
@require_POST
def review_start(request: StaffRequest, slug: str) -> HttpResponse:
    library = library_for(request, slug, Perm.REVIEW_ACCOUNTS)
    done = submit(
        request,
        None,
        lambda _: actions.start_review(actor=request.user, library=library),
        success="Account review started. Decide on each account; your decisions are saved "
        "as you go.",
    )
    if done:
        return redirect("people:review", slug=library.slug, review_id=done.result.pk)
    return redirect("people:reviews")


def _review_or_404(request: StaffRequest, library: Library, review_id: int) -> AccountReview:
    return get_object_or_404(
        AccountReview.objects.for_user(request.user, Perm.REVIEW_ACCOUNTS).select_related(
            "started_by", "finished_by"
        ),
        library=library,
        pk=review_id,
    )


@login_required
@require_GET
def review_detail(request: StaffRequest, slug: str, review_id: int) -> HttpResponse:
    """Under way: every account with what is known of it today, and the decisions so far.
    Finished: the evidence, each account as the director saw it when deciding."""
    library = library_for(request, slug, Perm.REVIEW_ACCOUNTS)
    review = _review_or_404(request, library, review_id)
    items = list(review.items.select_related("user", "decided_by"))
    rows = []
    if review.is_finished:
        rows = [{"item": item} for item in items]
    else:
        today = local_today(library)
        facts = account_facts(library, [item.user for item in items])
        rows = [
            {
                "item": item,
                "facts": facts[item.user_id],
                "flags": facts[item.user_id].flag_labels(today),
            }
            for item in items
        ]
    undecided = sum(1 for item in items if not item.decision)
    unflagged = sum(
        1
        for row in rows
        if not review.is_finished
        and not row["item"].decision
        and not row["flags"]
        and row["facts"].memberships
    )
    return render(
        request,
        "people/review.html",
        {
            "library": library,
            "review": review,
            "rows": rows,
            "undecided": undecided,
            "decided": len(items) - undecided,
            "unflagged": unflagged,
        },
    )


@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def review_item(request: StaffRequest, slug: str, review_id: int, item_id: int) -> HttpResponse:
    """The decision on one account: confirm it, remove some of its roles, or end it."""
    library = library_for(request, slug, Perm.REVIEW_ACCOUNTS)
    review = _review_or_404(request, library, review_id)
    item = get_object_or_404(
        AccountReviewItem.objects.for_user(request.user, Perm.REVIEW_ACCOUNTS).select_related(
            "user", "review__library"
        ),
        review=review,
        pk=item_id,
    )
    today = local_today(library)
    roles = (
        current_memberships(library, today)
        .filter(user=item.user)
        .select_related("branch")
        .order_by("role", "pk")
    )
    form = DecisionForm(request.POST or None, memberships=roles)
    back = reverse("people:review", args=[library.slug, review.pk]) + f"#account-{item.pk}"
    if (
        request.method == "POST"
        and not review.is_finished
        and submit(
            request,
            form,
            lambda data: actions.decide_account(
                actor=request.user,
                item=item,
                decision=data["decision"],
                memberships=data["memberships"] or (),
                end_now=data["end_now"],
                note=data["note"],
            ),
            success=lambda i: f"{i.user}: {i.get_decision_display().lower()}.",
        )
    ):
        return redirect(back)
    facts = facts_of(library, item.user)
    return render(
        request,
        "people/review_item.html",
        {
            "library": library,
            "review": review,
            "item": item,
            "facts": facts,
            "flags": facts.flag_labels(today),
            "form": form,
            "back": back,
        },
    )


@login_required
@reauthentication_required
@require_POST
def review_confirm_unflagged(request: StaffRequest, slug: str, review_id: int) -> HttpResponse:
    library = library_for(request, slug, Perm.REVIEW_ACCOUNTS)
    review = _review_or_404(request, library, review_id)
    submit(
        request,
        None,
        lambda _: actions.confirm_unflagged(actor=request.user, review=review),
        success=lambda n: f"{counted(n, 'account')} with nothing flagged confirmed.",
    )
    return redirect("people:review", slug=library.slug, review_id=review.pk)


@login_required
@require_POST
def review_finish(request: StaffRequest, slug: str, review_id: int) -> HttpResponse:
    library = library_for(request, slug, Perm.REVIEW_ACCOUNTS)
    review = _review_or_404(request, library, review_id)
    submit(
        request,
        None,
        lambda _: actions.finish_review(actor=request.user, review=review),
        success="Account review finished. It is kept as evidence of the review.",
    )
    return redirect("people:review", slug=library.slug, review_id=review.pk)


@login_required
@require_http_methods(["GET", "POST"])
def review_settings(request: StaffRequest, slug: str) -> HttpResponse:
    library = library_for(request, slug, Perm.REVIEW_ACCOUNTS)
    form = ReviewSettingsForm(
        request.POST or None, initial={"every_months": review_months(library)}
    )
    if request.method == "POST" and submit(
        request,
        form,
        lambda data: actions.update_review_settings(
            actor=request.user, library=library, every_months=data["every_months"]
        ),
        success="Account review period saved.",
    ):
        return redirect("people:reviews")
    return render(request, "people/review_settings.html", {"library": library, "form": form})
