"""Pages of open-records requests for public records (CR-1, CR-5e, CR-5g).

Any staff member who records requests (``record_requests``) records one and sees those of
their libraries.  Another library's records are 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from bookwarden.core.files import hand_out
from bookwarden.core.forms import submit
from bookwarden.core.models import Library
from bookwarden.core.permissions import StaffRequest
from bookwarden.core.roles import Perm
from bookwarden.core.when import show_times_for

from .. import open_records
from ..forms import OpenRecordsForm
from ..models import OpenRecordsRequest

RECORDS = Perm.RECORD_REQUESTS


def _recording_libraries(request: StaffRequest) -> QuerySet[Library]:
    """The libraries where the person records requests (none: 404 without any role, else
    403)."""
    if not request.user.library_ids(RECORDS):
        if not request.user.library_ids():
            raise Http404
        raise PermissionDenied
    return Library.objects.for_user(request.user, RECORDS).order_by("name")


@login_required
@require_GET
def open_records_list(request: StaffRequest) -> HttpResponse:
    libraries = list(_recording_libraries(request))
    qs = OpenRecordsRequest.objects.for_user(request.user, RECORDS).select_related(
        "library", "received_by"
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
    libraries = _recording_libraries(request)
    form = OpenRecordsForm(libraries=libraries, initial={"library": libraries.first()})
    if request.method == "POST":
        slug = request.POST.get("library", "")
        if slug and not libraries.filter(slug=slug).exists():
            raise Http404
        form = OpenRecordsForm(request.POST, request.FILES, libraries=libraries)
        done = submit(
            request,
            form,
            lambda data: open_records.record_open_records_request(actor=request.user, **data),
            success="The open-records request and what was given are recorded.",
        )
        if done:
            return redirect("disclosures:open_records_detail", open_id=done.result.pk)
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
    show_times_for(obj.library)
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
