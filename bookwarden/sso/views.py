"""Pages of sign-in with the library's accounts: what is set up, and the director's choice
to trust the identity provider's second factor (CC-7)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from bookwarden.core.forms import submit
from bookwarden.core.models import Library
from bookwarden.core.permissions import StaffRequest, library_for, perm_required
from bookwarden.core.roles import Perm

from . import actions
from .config import MATCH_EMAIL
from .forms import SecondFactorTrustForm
from .models import SecondFactorTrust


def _providers() -> list[dict[str, Any]]:
    """The configured OpenID Connect providers, in plain words."""
    apps = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
    found = []
    for app in apps:
        rules = settings.SSO_OPENID_CONNECT.get(app["provider_id"], {})
        if rules.get("match") == MATCH_EMAIL:
            match = "the verified e-mail address equals the Bookwarden account's e-mail address"
        else:
            match = "the user name equals the Bookwarden account's user name"
        found.append(
            {
                "name": app["name"],
                "match": match,
                "domain": rules.get("domain", ""),
                "checks_second_factor": bool(
                    rules.get("second_factor_amr") or rules.get("second_factor_acr")
                ),
            }
        )
    return found


@login_required
@perm_required(Perm.MANAGE_SETTINGS)
@require_GET
def overview(request: StaffRequest) -> HttpResponse:
    """What sign-in with the library's accounts is set up, and each library's choice."""
    libraries = list(Library.objects.for_user(request.user, Perm.MANAGE_SETTINGS))
    trusting = set(
        SecondFactorTrust.objects.for_user(request.user, Perm.MANAGE_SETTINGS)
        .filter(trust_provider_second_factor=True)
        .values_list("library_id", flat=True)
    )
    return render(
        request,
        "sso/overview.html",
        {
            "providers": _providers(),
            "directory": bool(settings.SSO_LDAP),
            "libraries": [(library, library.pk in trusting) for library in libraries],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_trust(request: StaffRequest, slug: str) -> HttpResponse:
    """The director's choice: trust the provider's second factor for this library or not."""
    library = library_for(request, slug, Perm.MANAGE_SETTINGS)
    row = SecondFactorTrust.objects.for_user(request.user).filter(library=library).first()
    trusted = bool(row and row.trust_provider_second_factor)
    form = SecondFactorTrustForm(
        # A box left unticked posts nothing: the form is bound on every POST.
        request.POST if request.method == "POST" else None,
        initial={"trust_provider_second_factor": trusted},
    )
    if request.method == "POST" and submit(
        request,
        form,
        lambda data: actions.set_second_factor_trust(actor=request.user, library=library, **data),
        success=lambda saved: (
            "Saved: the sign-in service's second factor is trusted."
            if saved.trust_provider_second_factor
            else "Saved: Bookwarden asks for its own 6-digit code."
        ),
    ):
        return redirect("sso:overview")
    return render(
        request,
        "sso/trust.html",
        {"library": library, "form": form, "row": row, "providers": _providers()},
    )


@require_GET
def not_offered(request: StaffRequest) -> HttpResponse:
    """allauth's page of one's linked outside accounts: linking is not offered, since an
    outside identity is matched afresh at every sign-in and never kept."""
    raise Http404
