"""Pages of the devices app: the inventory (CC-7) with its import, patches and isolation,
the patch target setting, and the weekly check of public computers (CC-3, CR-6d).  Every
write goes through :mod:`bookwarden.devices.actions`; every query is scoped with
``.for_user()``."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, When
from django.db.models.functions import Lower
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bookwarden.core.forms import submit
from bookwarden.core.models import Branch, Library
from bookwarden.core.permissions import StaffRequest, has_perm, library_for, perm_required
from bookwarden.core.roles import Perm
from bookwarden.core.when import show_times_for
from bookwarden.core.wording import counted
from bookwarden.patrons.importer.small_files import MAX_LISTED_ERRORS, import_from_page

from . import actions
from .forms import CheckForm, DeviceFilterForm, DeviceForm, ImportForm, IsolateForm, PatchForm
from .importer import import_devices
from .models import Device, PatchRecord, PublicComputerCheck
from .overdue import branches_missing_check, overdue_filter, patch_targets

#: Patching entries of the operations log younger than this are offered on the patch forms.
RECENT_ENTRY_DAYS = 120
#: How many past checks the checks page shows.
CHECK_HISTORY = 60


def _device_or_404(request: StaffRequest, device_id: int, perm: str) -> Device:
    """A device of one of the person's libraries (any other is 404), 403 without ``perm``."""
    device = get_object_or_404(
        Device.objects.for_user(request.user).select_related("library", "branch"),
        pk=device_id,
    )
    if not has_perm(request.user, perm, device.library_id):
        raise PermissionDenied
    show_times_for(device.library)
    return device


def _patching_entries(library: Library) -> Any:
    """The library's patching entries of the last few months, to link a patch to."""
    from bookwarden.operations.models import EntryKind, LogEntry

    since = timezone.now() - datetime.timedelta(days=RECENT_ENTRY_DAYS)
    return LogEntry.objects.filter(
        library=library, kind=EntryKind.PATCHING, occurred_at__gte=since
    ).order_by("-occurred_at", "-pk")


# --- the inventory ------------------------------------------------------------------------


@login_required
@perm_required(Perm.VIEW_IT_INVENTORY)
@require_GET
def device_list(request: StaffRequest) -> HttpResponse:
    """CC-7: the devices of the person's libraries, overdue patches first."""
    libraries = list(Library.objects.for_user(request.user, Perm.VIEW_IT_INVENTORY))
    branches = Branch.objects.for_user(request.user, Perm.VIEW_IT_INVENTORY)
    devices = (
        Device.objects.for_user(request.user, Perm.VIEW_IT_INVENTORY)
        .filter(retired_at__isnull=True)
        .select_related("library", "branch")
    )
    slug = request.GET.get("library", "")
    if len(libraries) > 1 and slug in {lib.slug for lib in libraries}:
        libraries = [lib for lib in libraries if lib.slug == slug]
        branches, devices = branches.filter(library__slug=slug), devices.filter(library__slug=slug)
    if len(libraries) == 1:
        show_times_for(libraries[0])
    form = DeviceFilterForm(
        request.GET or None, branches=branches.order_by("library__name", "name")
    )
    if form.is_valid():
        devices = form.filter(devices, libraries)
    targets = patch_targets(lib.pk for lib in libraries)
    today = {lib.pk: actions.library_today(lib) for lib in libraries}
    rows = [(d, actions.is_overdue(d, targets[d.library_id], today[d.library_id])) for d in devices]
    rows.sort(key=lambda row: (not row[1], row[0].library.name, row[0].name.lower()))
    managed = [lib for lib in libraries if has_perm(request.user, Perm.MANAGE_IT_INVENTORY, lib)]
    return render(
        request,
        "devices/list.html",
        {
            "form": form,
            "rows": rows,
            "overdue": sum(1 for _d, late in rows if late),
            "managed": managed,
            "settings_libraries": [
                lib for lib in libraries if has_perm(request.user, Perm.MANAGE_SETTINGS, lib)
            ],
            "can_check": any(
                has_perm(request.user, Perm.CHECK_PUBLIC_COMPUTERS, lib) for lib in libraries
            ),
            "many_libraries": len(libraries) > 1,
        },
    )


@login_required
@perm_required(Perm.VIEW_IT_INVENTORY)
@require_GET
def device_detail(request: StaffRequest, device_id: int) -> HttpResponse:
    device = _device_or_404(request, device_id, Perm.VIEW_IT_INVENTORY)
    target = actions.patch_target_days(device.library)
    can_manage = has_perm(request.user, Perm.MANAGE_IT_INVENTORY, device.library_id)
    in_service = device.retired_at is None
    return render(
        request,
        "devices/detail.html",
        {
            "device": device,
            "target": target,
            "overdue": in_service
            and actions.is_overdue(device, target, actions.library_today(device.library)),
            "due_on": actions.patch_due_on(device, target),
            "patches": PatchRecord.objects.filter(device=device).select_related(
                "entry", "recorded_by"
            )[:50],
            "can_manage": can_manage and in_service,
            "patch_form": PatchForm(
                initial={"patched_on": actions.library_today(device.library)},
                devices=Device.objects.filter(pk=device.pk),
                entries=_patching_entries(device.library),
            )
            if can_manage and in_service
            else None,
            "isolate_form": IsolateForm()
            if can_manage and in_service and not device.is_isolated
            else None,
        },
    )


@login_required
@perm_required(Perm.MANAGE_IT_INVENTORY)
@require_http_methods(["GET", "POST"])
def device_create(request: StaffRequest, slug: str) -> HttpResponse:
    library = library_for(request, slug, Perm.MANAGE_IT_INVENTORY)
    form = DeviceForm(request.POST or None, branches=Branch.objects.filter(library=library))
    if request.method == "POST" and (
        done := submit(
            request,
            form,
            lambda data: actions.create_device(actor=request.user, library=library, **data),
            success=lambda d: f"{d.name} is in the inventory.",
        )
    ):
        return redirect("devices:detail", device_id=done.result.pk)
    return render(request, "devices/form.html", {"form": form, "library": library})


@login_required
@perm_required(Perm.MANAGE_IT_INVENTORY)
@require_http_methods(["GET", "POST"])
def device_edit(request: StaffRequest, device_id: int) -> HttpResponse:
    device = _device_or_404(request, device_id, Perm.MANAGE_IT_INVENTORY)
    if device.retired_at:
        raise PermissionDenied
    form = DeviceForm(
        request.POST or None,
        device=device,
        branches=Branch.objects.filter(library_id=device.library_id),
    )
    if request.method == "POST" and (
        done := submit(
            request,
            form,
            lambda data: actions.update_device(actor=request.user, device=device, **data),
            success=lambda r: "Saved." if r[1] else "Nothing changed.",
        )
    ):
        return redirect("devices:detail", device_id=done.result[0].pk)
    return render(
        request, "devices/form.html", {"form": form, "library": device.library, "device": device}
    )


@login_required
@require_POST
@perm_required(Perm.MANAGE_IT_INVENTORY)
def device_retire(request: StaffRequest, device_id: int) -> HttpResponse:
    device = _device_or_404(request, device_id, Perm.MANAGE_IT_INVENTORY)
    submit(
        request,
        None,
        lambda _data: actions.retire_device(actor=request.user, device=device),
        success=f"{device.name} is retired.",
    )
    return redirect("devices:detail", device_id=device.pk)


@login_required
@require_POST
@perm_required(Perm.MANAGE_IT_INVENTORY)
def device_isolate(request: StaffRequest, device_id: int) -> HttpResponse:
    device = _device_or_404(request, device_id, Perm.MANAGE_IT_INVENTORY)
    submit(
        request,
        IsolateForm(request.POST),
        lambda data: actions.isolate_device(actor=request.user, device=device, **data),
        success=f"{device.name} is marked isolated.",
        flash=True,
    )
    return redirect("devices:detail", device_id=device.pk)


@login_required
@require_POST
@perm_required(Perm.MANAGE_IT_INVENTORY)
def device_return(request: StaffRequest, device_id: int) -> HttpResponse:
    device = _device_or_404(request, device_id, Perm.MANAGE_IT_INVENTORY)
    submit(
        request,
        None,
        lambda _data: actions.return_to_service(actor=request.user, device=device),
        success=f"{device.name} is back in service.",
    )
    return redirect("devices:detail", device_id=device.pk)


# --- patches ------------------------------------------------------------------------------


@login_required
@require_POST
@perm_required(Perm.MANAGE_IT_INVENTORY)
def device_patched(request: StaffRequest, device_id: int) -> HttpResponse:
    """CC-7: one device patched, from its page."""
    device = _device_or_404(request, device_id, Perm.MANAGE_IT_INVENTORY)
    form = PatchForm(
        request.POST,
        devices=Device.objects.filter(pk=device.pk),
        entries=_patching_entries(device.library),
    )
    submit(
        request,
        form,
        lambda data: actions.record_patches(actor=request.user, **data),
        success="The patch is recorded.",
        flash=True,
    )
    return redirect("devices:detail", device_id=device.pk)


@login_required
@perm_required(Perm.MANAGE_IT_INVENTORY)
@require_http_methods(["GET", "POST"])
def patches(request: StaffRequest, slug: str) -> HttpResponse:
    """CC-7: many devices patched on one day, overdue ones first and ticked."""
    library = library_for(request, slug, Perm.MANAGE_IT_INVENTORY)
    devices = (
        Device.objects.for_user(request.user, Perm.MANAGE_IT_INVENTORY)
        .filter(retired_at__isnull=True)
        .filter(library=library)
        .select_related("branch")
    )
    devices = devices.annotate(
        late=Case(When(overdue_filter([library]), then=0), default=1)
    ).order_by("late", Lower("name"))
    initial: dict[str, Any] = {"patched_on": actions.library_today(library)}
    if request.GET.get("overdue"):
        initial["devices"] = [d.pk for d in devices if d.late == 0]
    form = PatchForm(
        request.POST or None, initial=initial, devices=devices, entries=_patching_entries(library)
    )
    if request.method == "POST" and submit(
        request,
        form,
        lambda data: actions.record_patches(actor=request.user, **data),
        success=lambda records: f"{counted(len(records), 'patch', 'patches')} recorded.",
    ):
        return redirect(reverse_list(library))
    return render(request, "devices/patches.html", {"form": form, "library": library})


def reverse_list(library: Library) -> str:
    return reverse("devices:list") + "?" + urlencode({"library": library.slug})


@login_required
@perm_required(Perm.MANAGE_IT_INVENTORY)
@require_http_methods(["GET", "POST"])
def import_page(request: StaffRequest, slug: str) -> HttpResponse:
    """CC-7: the inventory from a CSV file, all or nothing, every bad row named by line,
    column and reason."""
    library = library_for(request, slug, Perm.MANAGE_IT_INVENTORY)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[Any] = []
    if request.method == "POST":
        done, errors = import_from_page(
            request, form, import_devices, library=library, success="Devices imported."
        )
        if done:
            return redirect(reverse_list(library))
    return render(
        request,
        "devices/import.html",
        {"library": library, "form": form, "errors": errors[:MAX_LISTED_ERRORS]},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@perm_required(Perm.MANAGE_SETTINGS)
@require_http_methods(["GET", "POST"])
def library_settings(request: StaffRequest, slug: str) -> HttpResponse:
    """CC-7: the director sets the patch target."""
    from .forms import SettingsForm

    library = library_for(request, slug, Perm.MANAGE_SETTINGS)
    form = SettingsForm(
        request.POST or None, initial={"patch_target_days": actions.patch_target_days(library)}
    )
    if request.method == "POST" and submit(
        request,
        form,
        lambda data: actions.update_settings(actor=request.user, library=library, **data),
        success="Settings saved.",
    ):
        return redirect("devices:settings", slug=library.slug)
    return render(request, "devices/settings.html", {"form": form, "library": library})


# --- public computers (CC-3, CR-6d) -------------------------------------------------------


@login_required
@perm_required(Perm.CHECK_PUBLIC_COMPUTERS)
@require_http_methods(["GET", "POST"])
def checks(request: StaffRequest) -> HttpResponse:
    """CC-3, CR-6d: record this week's check of a branch's public computers; the branches
    still to check; the history."""
    libraries = list(Library.objects.for_user(request.user, Perm.CHECK_PUBLIC_COMPUTERS))
    if len(libraries) == 1:
        show_times_for(libraries[0])
    branches = Branch.objects.for_user(request.user, Perm.CHECK_PUBLIC_COMPUTERS).order_by(
        "library__name", "name"
    )
    initial = {}
    if (wanted := request.GET.get("branch", "")).isdigit():
        initial["branch"] = int(wanted)
    form = CheckForm(request.POST or None, initial=initial, branches=branches)
    if request.method == "POST" and submit(
        request,
        form,
        lambda data: actions.record_public_check(actor=request.user, **data),
        success=lambda c: (
            "Check recorded."
            if c.passed
            else "Check recorded. An entry on the operations log asks IT to fix the computers."
        ),
    ):
        return redirect("devices:checks")
    history = (
        PublicComputerCheck.objects.for_user(request.user, Perm.CHECK_PUBLIC_COMPUTERS)
        .select_related("branch", "checked_by", "followup")
        .order_by("-week_of", "branch__name", "-checked_at")[:CHECK_HISTORY]
    )
    return render(
        request,
        "devices/checks.html",
        {
            "form": form,
            "missing": branches_missing_check(branches),
            "history": history,
            "can_view_inventory": any(
                has_perm(request.user, Perm.VIEW_IT_INVENTORY, lib) for lib in libraries
            ),
            "can_read_log": any(
                has_perm(request.user, Perm.VIEW_OPERATIONS, lib) for lib in libraries
            ),
        },
    )
