"""Pages of the staff program's onboarding (CC-1, IT-1, IT-11, LV-8, CC-10): what I owe,
the library's new people with their progress and who is overdue, one person's progress,
and the library's settings.  Every query is scoped with ``.for_user()``; the one write goes
through :mod:`bookwarden.onboarding.actions`."""

from __future__ import annotations

import datetime
from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from bookwarden.core.forms import submit
from bookwarden.core.models import Library, Membership, libraries_of
from bookwarden.core.permissions import (
    StaffRequest,
    has_perm,
    libraries_with_perm,
    library_for,
    perm_required,
)
from bookwarden.core.roles import Perm
from bookwarden.core.when import library_time, show_times_for

from . import actions
from .forms import SettingsForm
from .models import DutyReminder, ReminderKind, settings_for
from .progress import Progress, progress_for, progress_of


@login_required
@perm_required(Perm.VIEW_LIBRARY)
@require_GET
def mine(request: StaffRequest) -> HttpResponse:
    """Everything the person owes each of their libraries: open first, then done."""
    user = request.user
    memberships = user.active_memberships()
    sections = []
    for library in libraries_of(memberships):
        with library_time(library):
            mine = [m for m in memberships if m.library_id == library.pk]
            sections.append((library, progress_for(user, library, mine)))
    overseen = set(libraries_with_perm(user, Perm.VIEW_STAFF_PROGRAM))
    return render(
        request,
        "onboarding/mine.html",
        {
            "sections": sections,
            "overseen": [lib for lib in libraries_of(memberships) if lib.pk in overseen],
        },
    )


def _library_people(request: StaffRequest, slug: str) -> tuple[Library, list[Progress], bool]:
    """The library's people this person may follow: everyone with VIEW_STAFF_PROGRAM
    there, else those whose roles they granted (their manager); else 403."""
    library = get_object_or_404(Library.objects.for_user(request.user), slug=slug)
    show_times_for(library)
    everyone = has_perm(request.user, Perm.VIEW_STAFF_PROGRAM, library)
    memberships = list(
        Membership.objects.active()
        .for_user(request.user)
        .filter(library=library)
        .select_related("user", "branch")
    )
    if not everyone:
        managed = {m.user_id for m in memberships if m.granted_by_id == request.user.pk}
        if not managed:
            raise PermissionDenied
        memberships = [m for m in memberships if m.user_id in managed]
    return library, progress_of(library, memberships), everyone


def _human_resources_told(
    request: StaffRequest, library: Library, people: list[Progress]
) -> dict[int, datetime.datetime]:
    """When human resources was last told of each of ``people`` (IT-11)."""
    if not people:
        return {}
    return dict(
        DutyReminder.objects.for_user(request.user)
        .filter(
            library=library,
            kind=ReminderKind.HR_TOLD,
            user_id__in=[p.person.pk for p in people],
        )
        .values("user_id")
        .annotate(last=Max("sent_at"))
        .values_list("user_id", "last")
    )


@login_required
@require_GET
def library_progress(request: StaffRequest, slug: str) -> HttpResponse:
    """CC-1: new people with their progress, and everyone overdue, per branch (the director,
    human resources and whoever holds VIEW_STAFF_PROGRAM; a manager sees their people)."""
    library, people, everyone = _library_people(request, slug)
    settings = settings_for(library)
    newcomers = sorted(
        (p for p in people if p.is_new(settings.new_account_days) or p.open),
        key=lambda p: (-p.days_overdue, -len(p.open)),
    )  # the latest first, then those with the most to do; by name within (a stable sort)
    late = [(branch, p) for p in people if p.overdue for branch in p.branches]
    late.sort(key=lambda pair: (pair[0], -pair[1].days_overdue, pair[1].person.last_name))
    told = _human_resources_told(request, library, [p for _, p in late])
    by_branch = [
        (branch, [(p, told.get(p.person.pk)) for _, p in rows])
        for branch, rows in groupby(late, lambda r: r[0])
    ]
    return render(
        request,
        "onboarding/library.html",
        {
            "library": library,
            "newcomers": newcomers,
            "by_branch": by_branch,
            "everyone": everyone,
            "settings": settings,
            "can_change_settings": has_perm(request.user, Perm.MANAGE_SETTINGS, library),
        },
    )


@login_required
@require_GET
def person_progress(request: StaffRequest, slug: str, user_id: int) -> HttpResponse:
    """CC-1: one person's duties at the library: for them, their manager, and those who
    hold VIEW_STAFF_PROGRAM there."""
    library = get_object_or_404(Library.objects.for_user(request.user), slug=slug)
    show_times_for(library)
    memberships = list(
        Membership.objects.active()
        .for_user(request.user)
        .filter(library=library, user_id=user_id)
        .select_related("user", "branch", "granted_by")
    )
    allowed = (
        user_id == request.user.pk
        or has_perm(request.user, Perm.VIEW_STAFF_PROGRAM, library)
        or any(m.granted_by_id == request.user.pk for m in memberships)
    )
    if not allowed:
        raise PermissionDenied
    if not memberships:
        raise Http404
    progress = progress_for(memberships[0].user, library, memberships)
    titles = {d.key: d.title for d in progress.duties}
    reminders = [
        (r, titles.get(r.duty_key, "A task no longer asked of them"))
        for r in DutyReminder.objects.for_user(request.user)
        .filter(library=library, user_id=user_id)
        .order_by("sent_at", "pk")
    ]
    return render(
        request,
        "onboarding/person.html",
        {
            "library": library,
            "progress": progress,
            "reminders": reminders,
            "memberships": memberships,
            "is_self": user_id == request.user.pk,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def library_settings(request: StaffRequest, slug: str) -> HttpResponse:
    """The director sets how long a person counts as new and when human resources is told
    of someone late (IT-11)."""
    library = library_for(request, slug, Perm.MANAGE_SETTINGS)
    row = settings_for(library)
    form = SettingsForm(
        request.POST or None,
        initial={
            "new_account_days": row.new_account_days,
            "tell_hr_after_days": row.tell_hr_after_days,
        },
    )
    if request.method == "POST" and submit(
        request,
        form,
        lambda data: actions.update_settings(actor=request.user, library=library, **data),
        success="Onboarding settings saved.",
    ):
        return redirect("onboarding:library", slug=library.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "onboarding/settings.html", {"library": library, "form": form}, status=status
    )
