"""Pages of the shared logins (IT-2, IT-3, IT-4): what must be changed first, a login with
its history, add and change, record a change, mark it compromised, the library's period,
and the CSV of changes over a date range for an auditor.  Every write goes through
:mod:`.actions`; every query is scoped with ``.for_user()``."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from bookwarden.core.files import csv_writer
from bookwarden.core.forms import submit
from bookwarden.core.models import Library, User
from bookwarden.core.permissions import StaffRequest, has_perm, library_for, perm_required
from bookwarden.core.roles import Perm
from bookwarden.core.when import iso_utc, show_times_for
from bookwarden.devices.models import Device
from bookwarden.operations.models import INCIDENT_KINDS, LogEntry

from . import actions
from .forms import (
    CompromisedForm,
    CredentialForm,
    ExportForm,
    RotationForm,
    SettingsForm,
    a_year_back,
)
from .models import (
    Credential,
    CredentialSettings,
    Rotation,
    due_on,
    rotation_days_of,
    status_of,
)

_ORDER = {"now": 0, "overdue": 1, "soon": 2, "ok": 3}


def _credential_or_404(request: StaffRequest, credential_id: int, perm: str) -> Credential:
    """A login of one of the person's libraries (any other is 404), 403 without ``perm``."""
    credential = get_object_or_404(
        Credential.objects.for_user(request.user).select_related(
            "library__credential_settings", "last_changed_by"
        ),
        pk=credential_id,
    )
    if not has_perm(request.user, perm, credential.library_id):
        raise PermissionDenied
    show_times_for(credential.library)
    return credential


def _it_staff(library: Library) -> object:
    ids = actions.it_staff_ids(library)
    return User.objects.filter(pk__in=ids).order_by("last_name", "first_name")


@login_required
@perm_required(Perm.VIEW_IT_INVENTORY)
@require_GET
def credential_list(request: StaffRequest) -> HttpResponse:
    """IT-2: what must be changed first: to change now, overdue, due soon, then the rest."""
    rows = list(
        Credential.objects.for_user(request.user, Perm.VIEW_IT_INVENTORY)
        .filter(retired_at__isnull=True)
        .select_related("library__credential_settings", "last_changed_by")
        .prefetch_related("holders")
    )
    today = timezone.localdate()
    items = sorted(
        ({"c": c, "status": status_of(c, today), "due": due_on(c)} for c in rows),
        key=lambda i: (_ORDER[i["status"]], i["due"], i["c"].system),
    )
    libraries = list(Library.objects.for_user(request.user, Perm.VIEW_IT_INVENTORY))
    managed = set(request.user.library_ids(Perm.MANAGE_IT_INVENTORY))
    return render(
        request,
        "credentials/list.html",
        {
            "items": items,
            "libraries": libraries,
            "addable": [lib for lib in libraries if lib.pk in managed],
            "settable": [
                lib for lib in libraries if has_perm(request.user, Perm.MANAGE_SETTINGS, lib)
            ],
            "export_form": ExportForm(initial=a_year_back()),
            "many": len(libraries) > 1,
        },
    )


@login_required
@perm_required(Perm.VIEW_IT_INVENTORY)
@require_GET
def credential_detail(request: StaffRequest, credential_id: int) -> HttpResponse:
    """IT-2: one login, where its password is kept, and the history of its changes."""
    credential = _credential_or_404(request, credential_id, Perm.VIEW_IT_INVENTORY)
    rotations = credential.rotations.select_related("changed_by", "recorded_by")
    return render(
        request,
        "credentials/detail.html",
        {
            "c": credential,
            "status": status_of(credential),
            "due": due_on(credential),
            "days": rotation_days_of(credential.library),
            "holders": list(credential.holders.order_by("last_name", "first_name")),
            "devices": list(credential.devices.order_by("name")),
            "rotations": list(rotations),
            "can_manage": has_perm(request.user, Perm.MANAGE_IT_INVENTORY, credential.library_id),
        },
    )


def _form_for(library: Library, data: object = None, *, editing: bool, **kwargs: object):
    return CredentialForm(
        data,
        holders=_it_staff(library),
        devices=Device.objects.filter(library=library).in_service(),
        editing=editing,
        **kwargs,
    )


@login_required
@perm_required(Perm.MANAGE_IT_INVENTORY)
@require_http_methods(["GET", "POST"])
def credential_create(request: StaffRequest, slug: str) -> HttpResponse:
    """IT-2, IT-3: a shared login in the inventory, never its password."""
    library = library_for(request, slug, Perm.MANAGE_IT_INVENTORY)
    form = _form_for(library, request.POST or None, editing=False)
    if request.method == "POST" and (
        done := submit(
            request,
            form,
            lambda data: actions.add_credential(
                actor=request.user, library=library, last_changed_by=None, **data
            ),
            success="The shared login is in the inventory.",
        )
    ):
        return redirect("credentials:detail", credential_id=done.result.pk)
    return render(
        request, "credentials/form.html", {"form": form, "library": library, "credential": None}
    )


@login_required
@perm_required(Perm.MANAGE_IT_INVENTORY)
@require_http_methods(["GET", "POST"])
def credential_edit(request: StaffRequest, credential_id: int) -> HttpResponse:
    credential = _credential_or_404(request, credential_id, Perm.MANAGE_IT_INVENTORY)
    initial = {
        "system": credential.system,
        "kind": credential.kind,
        "account_name": credential.account_name,
        "manager_kind": credential.manager_kind,
        "manager_item": credential.manager_item,
        "holders": list(credential.holders.all()),
        "devices": list(credential.devices.all()),
        "retired": credential.retired_at is not None,
    }
    form = _form_for(credential.library, request.POST or None, editing=True, initial=initial)
    if request.method == "POST" and (
        done := submit(
            request,
            form,
            lambda data: actions.update_credential(
                actor=request.user, credential=credential, **data
            ),
            success="Saved.",
        )
    ):
        return redirect("credentials:detail", credential_id=done.result.pk)
    return render(
        request,
        "credentials/form.html",
        {"form": form, "library": credential.library, "credential": credential},
    )


@login_required
@perm_required(Perm.MANAGE_IT_INVENTORY)
@require_http_methods(["GET", "POST"])
def rotation_add(request: StaffRequest, credential_id: int) -> HttpResponse:
    """IT-2: record that the password was changed, by whom and when."""
    credential = _credential_or_404(request, credential_id, Perm.MANAGE_IT_INVENTORY)
    form = RotationForm(
        request.POST or None,
        people=_it_staff(credential.library),
        initial={"changed_by": request.user.pk},
    )
    if request.method == "POST" and submit(
        request,
        form,
        lambda data: actions.record_rotation(actor=request.user, credential=credential, **data),
        success="The change is recorded.",
    ):
        return redirect("credentials:detail", credential_id=credential.pk)
    return render(request, "credentials/rotation.html", {"form": form, "c": credential})


@login_required
@perm_required(Perm.MANAGE_IT_INVENTORY)
@require_http_methods(["GET", "POST"])
def mark_compromised(request: StaffRequest, credential_id: int) -> HttpResponse:
    """IT-4: a security incident names this login as compromised: change it now."""
    credential = _credential_or_404(request, credential_id, Perm.MANAGE_IT_INVENTORY)
    incidents = LogEntry.objects.for_user(request.user, Perm.VIEW_OPERATIONS).filter(
        library_id=credential.library_id, kind__in=INCIDENT_KINDS
    )
    form = CompromisedForm(request.POST or None, incidents=incidents)
    if request.method == "POST" and submit(
        request,
        form,
        lambda data: actions.mark_compromised(actor=request.user, credential=credential, **data),
        success="Marked to change now.",
    ):
        return redirect("credentials:detail", credential_id=credential.pk)
    return render(request, "credentials/compromised.html", {"form": form, "c": credential})


@login_required
@perm_required(Perm.MANAGE_SETTINGS)
@require_http_methods(["GET", "POST"])
def library_settings(request: StaffRequest, slug: str) -> HttpResponse:
    """IT-2: the library's rotation period, 180 days or shorter."""
    library = library_for(request, slug, Perm.MANAGE_SETTINGS)
    row = CredentialSettings.objects.filter(library=library).first()
    form = SettingsForm(
        request.POST or None, initial={"rotation_days": row.rotation_days if row else 180}
    )
    if request.method == "POST" and submit(
        request,
        form,
        lambda data: actions.save_settings(actor=request.user, library=library, **data),
        success="Saved.",
    ):
        return redirect("credentials:settings", slug=library.slug)
    return render(request, "credentials/settings.html", {"form": form, "library": library})


@login_required
@perm_required(Perm.VIEW_IT_INVENTORY)
@require_GET
def export(request: StaffRequest, slug: str) -> HttpResponse:
    """IT-2, IT-4 evidence: every recorded change of the library's logins between two days,
    as CSV (ISO dates, UTC times); the export is an audit event."""
    library = library_for(request, slug, Perm.VIEW_IT_INVENTORY)
    form = ExportForm(request.GET or a_year_back())
    if not form.is_valid():
        return render(
            request, "credentials/export.html", {"form": form, "library": library}, status=400
        )
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    rotations = list(
        Rotation.objects.for_user(request.user, Perm.VIEW_IT_INVENTORY)
        .filter(credential__library=library, changed_on__gte=start, changed_on__lte=end)
        .select_related("credential", "changed_by", "recorded_by")
        .order_by("changed_on", "pk")
    )
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(
        [
            "system",
            "account",
            "kind",
            "changed_on",
            "changed_by",
            "recorded_at",
            "recorded_by",
            "reason",
            "note",
        ]
    )
    for r in rotations:
        writer.writerow(
            [
                r.credential.system,
                r.credential.account_name,
                r.credential.get_kind_display(),
                r.changed_on.isoformat(),
                r.changed_by.username if r.changed_by else "",
                iso_utc(r.recorded_at),
                r.recorded_by.username if r.recorded_by else "",
                r.reason,
                r.note,
            ]
        )
    actions.record_export(
        actor=request.user, library=library, start=start, end=end, rows=len(rotations)
    )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"shared-login-changes-{library.slug}-{start.isoformat()}-{end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
