"""The monitoring notice page (LV-8, CC-4): read it, press "I have read this notice", go on
to where one was going."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from bookwarden.core.forms import submit
from bookwarden.core.models import Library
from bookwarden.core.permissions import StaffRequest
from bookwarden.core.when import show_times_for

from .. import actions
from ..audience import applies_at, membership_matches
from ..models import PolicyVersion
from ..notice import notices_waiting, remember_acknowledged
from ..rendering import render_markdown


def _next(request: StaffRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/"
    return target


def _library_of(request: StaffRequest, version: PolicyVersion) -> Library:
    for m in request.user.active_memberships():
        if applies_at(version.policy, m.library) and membership_matches(version.policy, m):
            return m.library
    raise AssertionError("notices_waiting returns the person's notices only")


@login_required
@require_http_methods(["GET", "POST"])
def notice(request: StaffRequest) -> HttpResponse:
    """LV-8, CC-4: the notice the person has not acknowledged yet; nothing waiting: on to
    where they were going."""
    waiting = notices_waiting(request)
    if not waiting:
        return redirect(_next(request))
    version = waiting[0]
    if request.method == "POST" and str(version.pk) == request.POST.get("version"):
        library = _library_of(request, version)
        if submit(
            request,
            None,
            lambda data: actions.sign_policy(
                actor=request.user, policy=version.policy, library=library, version=version
            ),
            success="Thank you. Your acknowledgement is recorded.",
        ):
            remember_acknowledged(request, version)
            return redirect(_next(request))
    library = _library_of(request, version)
    show_times_for(library)
    return render(
        request,
        "policies/notice.html",
        {
            "version": version,
            "policy": version.policy,
            "library": library,
            "html": render_markdown(version.text),
            "next": _next(request),
        },
    )
