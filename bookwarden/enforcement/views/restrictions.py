"""Pages of patron restrictions (CC-3, CC-11): restrict a patron's computer use for a
period after a violation, and lift a restriction early.  A patron or restriction of another
library is 404 (DESIGN mechanism 4)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from bookwarden.core import when as formats
from bookwarden.core.forms import submit
from bookwarden.core.permissions import StaffRequest, has_perm
from bookwarden.core.roles import Perm
from bookwarden.operations.models import EntryKind, LogEntry
from bookwarden.patrons.models import Patron

from .. import actions
from ..forms import RequiredReasonForm, RestrictForm
from ..models import PatronRestriction


def _restrict_patron_or_404(request: StaffRequest, patron_id: int) -> Patron:
    patron = get_object_or_404(
        Patron.objects.for_user(request.user).select_related("library"), pk=patron_id
    )
    if not has_perm(request.user, Perm.RESTRICT_PATRONS, patron.library):
        raise PermissionDenied
    return patron


@login_required
@require_http_methods(["GET", "POST"])
def restrict(request: StaffRequest, patron_id: int) -> HttpResponse:
    """Restrict a patron's computer use for a period after a violation (CC-3, CC-11)."""
    patron = _restrict_patron_or_404(request, patron_id)
    entries = LogEntry.objects.filter(
        library_id=patron.library_id, kind=EntryKind.PATRON_VIOLATION
    ).order_by("-occurred_at", "-pk")
    form = RestrictForm(request.POST or None, entries=entries)
    if request.method == "POST" and submit(
        request,
        form,
        lambda data: actions.restrict_patron(actor=request.user, patron=patron, **data),
        success=lambda restriction: (
            f"Computer use is restricted until {formats.day(restriction.ends_on)} "
            "(the patron may use the computers again that day)."
        ),
    ):
        return redirect("patron_detail", patron_id=patron.pk)
    return render(
        request,
        "enforcement/restrict.html",
        {"patron": patron, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def restriction_lift(request: StaffRequest, restriction_id: int) -> HttpResponse:
    restriction = get_object_or_404(
        PatronRestriction.objects.for_user(request.user), pk=restriction_id
    )
    if not has_perm(request.user, Perm.RESTRICT_PATRONS, restriction.library_id):
        raise PermissionDenied
    submit(
        request,
        RequiredReasonForm(request.POST, prefix=f"lift{restriction.pk}"),
        lambda data: actions.lift_restriction(actor=request.user, restriction=restriction, **data),
        success="The restriction is lifted.",
        flash=True,
    )
    return redirect("patron_detail", patron_id=restriction.patron_id)
