"""Pages of software (CC-4, LV-6, LV-10): ask for software (the most frequent task), my
requests, the approvers' queue, a request with its decision, the catalog with seats and
expiry, a catalog entry with its installations, adding and changing an entry.  Every write
goes through :mod:`bookwarden.software.actions`; every query is scoped with ``.for_user()``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bookwarden.core.forms import submit
from bookwarden.core.models import Library
from bookwarden.core.permissions import StaffRequest, has_perm, library_for, perm_required
from bookwarden.core.roles import Perm
from bookwarden.core.when import show_times_for

from . import actions
from .forms import DecisionForm, RequestForm, SoftwareForm
from .models import RequestStatus, Software, SoftwareRequest

_REQUEST_RELATED = ("software", "device", "requested_by", "decided_by", "library")


# --- asking for software -------------------------------------------------------------------


@login_required
@perm_required(Perm.REQUEST_SOFTWARE)
@require_http_methods(["GET", "POST"])
def request_new(request: StaffRequest) -> HttpResponse:
    """LV-6: ask to install or remove software on a device, with the reason."""
    initial = {}
    if device_id := request.GET.get("device", "").strip():
        initial["device"] = device_id if device_id.isdigit() else None
    form = RequestForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and (
        done := submit(
            request,
            form,
            lambda data: actions.request_software(actor=request.user, **data),
            success="Your request is sent. You will see the decision here and on your home page.",
        )
    ):
        return redirect("software:request", software_request_id=done.result.pk)
    return render(request, "software/request_form.html", {"form": form})


@login_required
@perm_required(Perm.REQUEST_SOFTWARE)
@require_GET
def my_requests(request: StaffRequest) -> HttpResponse:
    """LV-6: the person's own requests and their decisions."""
    mine = (
        SoftwareRequest.objects.for_user(request.user)
        .filter(requested_by=request.user)
        .select_related(*_REQUEST_RELATED)[:100]
    )
    return render(request, "software/my_requests.html", {"requests": mine})


@login_required
@perm_required(Perm.APPROVE_SOFTWARE)
@require_GET
def queue(request: StaffRequest) -> HttpResponse:
    """CC-4: requests waiting for a decision, then the last decisions."""
    scoped = SoftwareRequest.objects.for_user(request.user, Perm.APPROVE_SOFTWARE).select_related(
        *_REQUEST_RELATED
    )
    return render(
        request,
        "software/queue.html",
        {
            "pending": scoped.filter(status=RequestStatus.PENDING).order_by("requested_at"),
            "decided": scoped.exclude(status=RequestStatus.PENDING).order_by("-decided_at")[:30],
        },
    )


def _request_or_404(request: StaffRequest, software_request_id: int) -> SoftwareRequest:
    """A request of one of the person's libraries (another library's: 404), seen by the
    person who asked and by those who keep or approve software (else 403)."""
    found = get_object_or_404(
        SoftwareRequest.objects.for_user(request.user).select_related(*_REQUEST_RELATED),
        pk=software_request_id,
    )
    user = request.user
    if found.requested_by_id != user.pk and not (
        has_perm(user, Perm.VIEW_IT_INVENTORY, found.library_id)
        or has_perm(user, Perm.APPROVE_SOFTWARE, found.library_id)
    ):
        raise PermissionDenied
    show_times_for(found.library)
    return found


def _decision_form(found: SoftwareRequest, data: object = None) -> DecisionForm:
    reason = actions.refusal_reason(found.software) if found.kind == "install" else ""
    return DecisionForm(
        data,
        library_id=found.library_id,
        with_software=found.software_id is None,
        initial={"note": reason},
    )


@login_required
@perm_required(Perm.VIEW_LIBRARY)
@require_GET
def request_detail(request: StaffRequest, software_request_id: int) -> HttpResponse:
    """A request, its decision, and for an approver the form to decide (LV-10: the license
    check says why an approval would be refused)."""
    found = _request_or_404(request, software_request_id)
    can_decide = found.pending and has_perm(request.user, Perm.APPROVE_SOFTWARE, found.library_id)
    problem = ""
    if can_decide and found.kind == "install":
        problem = actions.license_problem(found.software)
    return render(
        request,
        "software/request.html",
        {
            "req": found,
            "form": _decision_form(found) if can_decide else None,
            "problem": problem,
            "can_manage": has_perm(request.user, Perm.MANAGE_IT_INVENTORY, found.library_id),
        },
    )


@login_required
@require_POST
@perm_required(Perm.APPROVE_SOFTWARE)
def decide(request: StaffRequest, software_request_id: int) -> HttpResponse:
    """CC-4, LV-6, LV-10: approve or refuse a request (errors shown on its page)."""
    found = get_object_or_404(
        SoftwareRequest.objects.for_user(request.user).select_related("library"),
        pk=software_request_id,
    )
    if not has_perm(request.user, Perm.APPROVE_SOFTWARE, found.library_id):
        raise PermissionDenied
    form = _decision_form(found, request.POST)
    submit(
        request,
        form,
        lambda data: actions.decide_request(
            actor=request.user,
            request=found,
            approve=data["decision"] == "approve",
            note=data["note"],
            software=data.get("software"),
        ),
        success=lambda r: "Approved." if r.status == RequestStatus.APPROVED else "Refused.",
        flash=True,
    )
    return redirect("software:request", software_request_id=found.pk)


# --- the catalog -------------------------------------------------------------------------


@login_required
@perm_required(Perm.VIEW_IT_INVENTORY)
@require_GET
def software_list(request: StaffRequest) -> HttpResponse:
    """CC-4, LV-10: the catalog of approved software, with seats used and license expiry."""
    user = request.user
    catalog = (
        Software.objects.for_user(user, Perm.VIEW_IT_INVENTORY)
        .select_related("library")
        .annotate(used=Count("installations", filter=Q(installations__removed_on__isnull=True)))
    )
    libraries = Library.objects.for_user(user, Perm.VIEW_IT_INVENTORY)
    return render(
        request,
        "software/list.html",
        {
            "catalog": catalog,
            "show_library": len(libraries) > 1,
            "manage_libraries": [
                lib for lib in libraries if has_perm(user, Perm.MANAGE_IT_INVENTORY, lib)
            ],
            "can_approve": bool(user.library_ids(Perm.APPROVE_SOFTWARE)),
        },
    )


def _software_or_404(request: StaffRequest, software_id: int, perm: str) -> Software:
    software = get_object_or_404(
        Software.objects.for_user(request.user).select_related("library"), pk=software_id
    )
    if not has_perm(request.user, perm, software.library_id):
        raise PermissionDenied
    show_times_for(software.library)
    return software


@login_required
@perm_required(Perm.VIEW_IT_INVENTORY)
@require_GET
def software_detail(request: StaffRequest, software_id: int) -> HttpResponse:
    """CC-4: a catalog entry, its license and the devices where it is installed."""
    software = _software_or_404(request, software_id, Perm.VIEW_IT_INVENTORY)
    installations = list(
        software.installations.select_related("device", "device__branch", "request").order_by(
            "removed_on", "device__name"
        )
    )
    current = [i for i in installations if i.removed_on is None]
    return render(
        request,
        "software/detail.html",
        {
            "software": software,
            "current": current,
            "removed": [i for i in installations if i.removed_on is not None],
            "problem": actions.license_problem(software) if software.expiring() else "",
            "can_manage": has_perm(request.user, Perm.MANAGE_IT_INVENTORY, software.library_id),
        },
    )


@login_required
@perm_required(Perm.MANAGE_IT_INVENTORY)
@require_http_methods(["GET", "POST"])
def software_new(request: StaffRequest, slug: str) -> HttpResponse:
    """CC-4: add software to the catalog, with its license."""
    library = library_for(request, slug, Perm.MANAGE_IT_INVENTORY)
    form = SoftwareForm(request.POST or None, initial={"name": request.GET.get("name", "")})
    if request.method == "POST" and (
        done := submit(
            request,
            form,
            lambda data: actions.add_software(actor=request.user, library=library, **data),
            success="Added to the catalog.",
        )
    ):
        return redirect("software:detail", software_id=done.result.pk)
    return render(request, "software/form.html", {"form": form, "library": library})


@login_required
@perm_required(Perm.MANAGE_IT_INVENTORY)
@require_http_methods(["GET", "POST"])
def software_edit(request: StaffRequest, software_id: int) -> HttpResponse:
    """CC-4, LV-10: change a catalog entry (a renewed license, more seats)."""
    software = _software_or_404(request, software_id, Perm.MANAGE_IT_INVENTORY)
    initial = {f: getattr(software, f) for f in (*actions.CATALOG_FIELDS, "notes")}
    form = SoftwareForm(request.POST or None, initial=initial)
    if request.method == "POST" and (
        done := submit(
            request,
            form,
            lambda data: actions.change_software(actor=request.user, software=software, **data),
            success="Saved.",
        )
    ):
        return redirect("software:detail", software_id=done.result.pk)
    return render(
        request,
        "software/form.html",
        {"form": form, "library": software.library, "software": software},
    )
