"""Pages of open-records requests for public records (CR-1, CR-5e, CR-5g) and of the yearly
transparency report.

Open-records requests: any staff member who records requests (``record_requests``) records
one and sees those of their libraries.  The transparency report: the audit readers and the
custodian of the library.  Another library's records are 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from bookwarden.core.files import hand_out
from bookwarden.core.forms import add_action_errors
from bookwarden.core.models import Library
from bookwarden.core.permissions import StaffRequest, libraries_with_perm
from bookwarden.core.roles import Perm

from . import open_records, transparency
from .forms import OpenRecordsForm
from .models import OpenRecordsRequest

FIRST_YEAR = 2000


def _recording_libraries(request: StaffRequest) -> list[int]:
    ids = libraries_with_perm(request.user, Perm.RECORD_REQUESTS)
    if not ids:
        if not request.user.library_ids():
            raise Http404
        raise PermissionDenied
    return ids


@login_required
@require_GET
def open_records_list(request: StaffRequest) -> HttpResponse:
    ids = _recording_libraries(request)
    libraries = list(Library.objects.filter(pk__in=ids).order_by("name"))
    qs = (
        OpenRecordsRequest.objects.for_user(request.user)
        .filter(library_id__in=ids)
        .select_related("library", "received_by")
    )
    return render(
        request,
        "disclosures/open_records_list.html",
        {
            "items": list(qs[:200]),
            "libraries": [(lib, open_records.public_types(lib)) for lib in libraries],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def open_records_new(request: StaffRequest) -> HttpResponse:
    libraries = Library.objects.filter(pk__in=_recording_libraries(request)).order_by("name")
    if request.method == "POST":
        slug = request.POST.get("library", "")
        if slug and not libraries.filter(slug=slug).exists():
            raise Http404
        form = OpenRecordsForm(request.POST, request.FILES, libraries=libraries)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = open_records.record_open_records_request(
                    actor=request.user,
                    library=data["library"],
                    requester_name=data["requester_name"],
                    requester_contact=data["requester_contact"],
                    requester_organisation=data["requester_organisation"],
                    record_type=data["record_type"],
                    date_from=data["date_from"],
                    date_to=data["date_to"],
                    given=data["given"],
                    upload=data["upload"],
                )
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(
                    request, "The open-records request and what was given are recorded."
                )
                return redirect("disclosures:open_records_detail", open_id=created.pk)
    else:
        form = OpenRecordsForm(libraries=libraries, initial={"library": libraries.first()})
    return render(
        request,
        "disclosures/open_records_new.html",
        {
            "form": form,
            "libraries": [(lib, open_records.public_types(lib)) for lib in libraries],
        },
    )


def _open_or_404(request: StaffRequest, open_id: int) -> OpenRecordsRequest:
    obj = get_object_or_404(
        OpenRecordsRequest.objects.for_user(request.user).select_related("library", "received_by"),
        pk=open_id,
    )
    if not open_records.may_see(request.user, obj):
        raise PermissionDenied
    return obj


@login_required
@require_GET
def open_records_detail(request: StaffRequest, open_id: int) -> HttpResponse:
    obj = _open_or_404(request, open_id)
    return render(request, "disclosures/open_records_detail.html", {"item": obj})


@login_required
@require_GET
def open_records_file(request: StaffRequest, open_id: int) -> HttpResponse:
    obj = _open_or_404(request, open_id)
    if not obj.file:
        raise Http404
    response = hand_out(obj.file, obj.file_sha256, obj.file_name)
    if response.status_code == 200:
        open_records.log_file_viewed(actor=request.user, obj=obj)
    return response


# --- the transparency report -----------------------------------------------------------------


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
