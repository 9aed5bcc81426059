"""The yearly transparency report of requests for records (NM-4, CC-5, CR-1): a page and a
CSV for the audit readers and the custodian of the library; another library's is 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from bookwarden.core.models import Library
from bookwarden.core.permissions import StaffRequest

from .. import transparency

FIRST_YEAR = 2000


def _report_library(request: StaffRequest, slug: str, year: int) -> Library:
    library = get_object_or_404(Library.objects.for_user(request.user), slug=slug)
    if not transparency.may_read(request.user, library):
        raise PermissionDenied
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise Http404
    return library


@login_required
@require_GET
def transparency_page(request: StaffRequest, slug: str, year: int | None = None) -> HttpResponse:
    this_year = timezone.localdate().year
    year = this_year if year is None else year
    library = _report_library(request, slug, year)
    report = transparency.build(library, year)
    transparency.log_report(actor=request.user, library=library, year=year, fmt="page")
    return render(
        request,
        "disclosures/transparency.html",
        {
            "report": report,
            "library": library,
            "outcomes": transparency.OUTCOMES,
            "years": list(range(this_year, max(FIRST_YEAR, this_year - 5) - 1, -1)),
        },
    )


@login_required
@require_GET
def transparency_csv(request: StaffRequest, slug: str, year: int) -> HttpResponse:
    library = _report_library(request, slug, year)
    report = transparency.build(library, year)
    transparency.log_report(actor=request.user, library=library, year=year, fmt="csv")
    response = HttpResponse(transparency.as_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="transparency-{library.slug}-{year}.csv"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
