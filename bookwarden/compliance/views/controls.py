"""The list of a library's controls and the page of one control."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from bookwarden.core.models import Library
from bookwarden.core.permissions import StaffRequest, library_for, perm_required
from bookwarden.core.roles import Perm

from ..controls import URGENCY, evaluate


@login_required
@perm_required(Perm.VIEW_COMPLIANCE)
@require_GET
def home(request: StaffRequest) -> HttpResponse:
    """A person who sees the controls of one library goes straight to them; of several,
    picks the library."""
    libraries = list(Library.objects.for_user(request.user, Perm.VIEW_COMPLIANCE).order_by("name"))
    if len(libraries) == 1:
        return redirect("compliance:list", slug=libraries[0].slug)
    return render(request, "compliance/home.html", {"libraries": libraries})


@login_required
@require_GET
def control_list(request: StaffRequest, slug: str) -> HttpResponse:
    """CC-8: the library's controls, failing first, then without evidence, then operating."""
    library = library_for(request, slug, Perm.VIEW_COMPLIANCE)
    results = [r for r in evaluate([library])[library.pk] if r.control.framework != "ala"]
    results.sort(key=lambda r: URGENCY[r.status])
    groups: dict[str, list] = {}
    for r in results:
        groups.setdefault(r.status, []).append(r)
    return render(
        request,
        "compliance/list.html",
        {"library": library, "groups": [(s, groups[s]) for s in URGENCY if s in groups]},
    )
