"""Pages of the vendor register (NM-3, CR-5h): the list, a vendor with its reviews and
incidents, adding and changing one, recording a review, naming it on an incident, the data
map and its CSV.  Reading needs Perm.VIEW_IT_INVENTORY, writing Perm.MANAGE_VENDORS; another
library's vendor is 404.  Every write goes through :mod:`.actions`."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bookwarden.core.files import csv_writer, hand_out
from bookwarden.core.forms import submit
from bookwarden.core.models import Branch, Library
from bookwarden.core.permissions import StaffRequest, has_perm, library_for, perm_required
from bookwarden.core.roles import Perm
from bookwarden.core.when import day, iso_utc, show_times_for
from bookwarden.operations.models import INCIDENT_KINDS, LogEntry

from . import actions
from .datamap import library_maps
from .forms import IncidentForm, ReviewForm, VendorForm
from .models import DATA_CATEGORIES, Vendor, VendorIncident


def _vendor_or_404(request: StaffRequest, vendor_id: int, perm: str) -> Vendor:
    """A vendor of one of the person's libraries (any other is 404, before any check of a
    permission, so that another library's people learn nothing), 403 without ``perm``."""
    vendor = get_object_or_404(
        Vendor.objects.for_user(request.user).select_related("library", "last_reviewed_by"),
        pk=vendor_id,
    )
    if not has_perm(request.user, perm, vendor.library_id):
        raise PermissionDenied
    show_times_for(vendor.library)
    return vendor


def _incidents_of(request: StaffRequest, library: Library) -> QuerySet[LogEntry]:
    return (
        LogEntry.objects.for_user(request.user)
        .filter(library=library, kind__in=INCIDENT_KINDS)
        .order_by("-occurred_at", "-pk")
    )


@login_required
@perm_required(Perm.VIEW_IT_INVENTORY)
@require_GET
def vendor_list(request: StaffRequest) -> HttpResponse:
    """NM-3, CR-5h: the register, vendors whose review is due first."""
    today = timezone.localdate()
    vendors = list(
        Vendor.objects.for_user(request.user, Perm.VIEW_IT_INVENTORY)
        .select_related("library")
        .prefetch_related("branches")
        .order_by("library__name", "name")
    )
    libraries = list(Library.objects.for_user(request.user, Perm.VIEW_IT_INVENTORY))
    can_add = [lib for lib in libraries if has_perm(request.user, Perm.MANAGE_VENDORS, lib)]
    current = [v for v in vendors if v.is_current(today)]
    ended = [v for v in vendors if not v.is_current(today)]
    current.sort(key=lambda v: (not v.review_overdue(today), v.library.name, v.name))
    return render(
        request,
        "vendors/list.html",
        {
            "current": current,
            "ended": ended,
            "today": today,
            "can_add": can_add,
            "many_libraries": len(libraries) > 1,
        },
    )


@login_required
@require_GET
def vendor_detail(request: StaffRequest, vendor_id: int) -> HttpResponse:
    vendor = _vendor_or_404(request, vendor_id, Perm.VIEW_IT_INVENTORY)
    can_manage = has_perm(request.user, Perm.MANAGE_VENDORS, vendor.library_id)
    reviews = list(vendor.reviews.select_related("reviewed_by").order_by("-reviewed_on", "-pk"))
    incidents = list(
        VendorIncident.objects.filter(vendor=vendor)
        .select_related("entry", "named_by")
        .order_by("-named_at")
    )
    can_see_log = has_perm(request.user, Perm.VIEW_OPERATIONS, vendor.library_id)
    incidents_to_name = _incidents_of(request, vendor.library) if can_manage else None
    if incidents_to_name is not None and not incidents_to_name.exists():
        incidents_to_name = None
    return render(
        request,
        "vendors/detail.html",
        {
            "vendor": vendor,
            "branches": list(vendor.branches.all()),
            "latest": reviews[0] if reviews else None,
            "reviews": reviews,
            "incidents": incidents,
            "can_manage": can_manage,
            "can_see_log": can_see_log,
            "incident_form": IncidentForm(incidents=incidents_to_name)
            if incidents_to_name
            else None,
            "overdue": vendor.is_current() and vendor.review_overdue(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def vendor_add(request: StaffRequest, slug: str) -> HttpResponse:
    library = library_for(request, slug, Perm.MANAGE_VENDORS)
    form = VendorForm(request.POST or None, request.FILES or None, library=library)
    if request.method == "POST" and (
        done := submit(
            request,
            form,
            lambda data: actions.add_vendor(
                actor=request.user, library=library, **{**data, "branches": list(data["branches"])}
            ),
            success=lambda v: f"{v.name} is in the register.",
        )
    ):
        return redirect("vendors:detail", vendor_id=done.result.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "vendors/form.html",
        {"form": form, "library": library, "vendor": None},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def vendor_edit(request: StaffRequest, vendor_id: int) -> HttpResponse:
    vendor = _vendor_or_404(request, vendor_id, Perm.MANAGE_VENDORS)
    form = VendorForm(
        request.POST or None,
        request.FILES or None,
        library=vendor.library,
        initial=VendorForm.initial_of(vendor),
    )
    if request.method == "POST" and (
        done := submit(
            request,
            form,
            lambda data: actions.change_vendor(
                actor=request.user, vendor=vendor, **{**data, "branches": list(data["branches"])}
            ),
            success="The vendor is saved.",
        )
    ):
        return redirect("vendors:detail", vendor_id=done.result.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "vendors/form.html",
        {"form": form, "library": vendor.library, "vendor": vendor},
        status=status,
    )


@login_required
@require_POST
def vendor_remove(request: StaffRequest, vendor_id: int) -> HttpResponse:
    vendor = _vendor_or_404(request, vendor_id, Perm.MANAGE_VENDORS)
    name = vendor.name
    if submit(
        request,
        None,
        lambda _data: actions.remove_vendor(actor=request.user, vendor=vendor),
        success=f"{name} is no longer in the register.",
    ):
        return redirect("vendors:list")
    return redirect("vendors:detail", vendor_id=vendor.pk)


@login_required
@require_http_methods(["GET", "POST"])
def vendor_review(request: StaffRequest, vendor_id: int) -> HttpResponse:
    """CR-5h: record a review of the vendor's privacy terms with the checklist."""
    vendor = _vendor_or_404(request, vendor_id, Perm.MANAGE_VENDORS)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and submit(
        request,
        form,
        lambda _data: actions.record_review(
            actor=request.user, vendor=vendor, **form.action_data()
        ),
        success=lambda r: f"Review recorded. The next one is due on {day(r.next_review_on)}.",
    ):
        return redirect("vendors:detail", vendor_id=vendor.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "vendors/review.html", {"form": form, "vendor": vendor}, status=status)


@login_required
@require_POST
def vendor_incident(request: StaffRequest, vendor_id: int) -> HttpResponse:
    """Name the vendor on an incident of the operations log (a breach it was part of)."""
    vendor = _vendor_or_404(request, vendor_id, Perm.MANAGE_VENDORS)
    form = IncidentForm(request.POST, incidents=_incidents_of(request, vendor.library))
    submit(
        request,
        form,
        lambda data: actions.name_on_incident(actor=request.user, vendor=vendor, **data),
        success="The vendor is named on the incident.",
        flash=True,
    )
    return redirect("vendors:detail", vendor_id=vendor.pk)


@login_required
@require_GET
def terms_document(request: StaffRequest, vendor_id: int) -> HttpResponse:
    vendor = _vendor_or_404(request, vendor_id, Perm.VIEW_IT_INVENTORY)
    if not vendor.terms_document:
        return HttpResponse("This vendor has no document.", status=404)
    return hand_out(vendor.terms_document, vendor.terms_document_sha256, vendor.terms_document_name)


def _maps(request: StaffRequest) -> list:
    vendors = list(
        Vendor.objects.current()
        .for_user(request.user, Perm.VIEW_IT_INVENTORY)
        .select_related("library")
        .prefetch_related("branches")
        .order_by("name")
    )
    branches = list(
        Branch.objects.for_user(request.user, Perm.VIEW_IT_INVENTORY)
        .select_related("library")
        .order_by("name")
    )
    return library_maps(vendors, branches)


@login_required
@perm_required(Perm.VIEW_IT_INVENTORY)
@require_GET
def data_map(request: StaffRequest) -> HttpResponse:
    """NM-3, CR-5h: each vendor, the patron data it receives and its branches, on one page."""
    return render(
        request,
        "vendors/data_map.html",
        {"maps": _maps(request), "categories": DATA_CATEGORIES},
    )


@login_required
@perm_required(Perm.VIEW_IT_INVENTORY)
@require_GET
def data_map_csv(request: StaffRequest) -> HttpResponse:
    """The data map as CSV: one line per vendor, branch and kind of patron data."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(
        [
            "library",
            "vendor",
            "service",
            "branch",
            "patron data",
            "contract starts",
            "contract ends",
            "bound by state law",
            "last reviewed",
            "next review",
        ]
    )
    for lib_map in _maps(request):
        for row in lib_map.rows:
            v = row.vendor
            for branch in row.branches:
                for label in v.category_labels():
                    writer.writerow(
                        [
                            lib_map.library.name,
                            v.name,
                            v.service,
                            branch.name,
                            label,
                            iso_utc(v.contract_starts_on),
                            iso_utc(v.contract_ends_on),
                            "yes" if v.bound_by_state_law else "no",
                            iso_utc(v.last_reviewed_on),
                            iso_utc(v.next_review_on),
                        ]
                    )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="patron-data-map-{iso_utc(timezone.now())[:10]}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response
