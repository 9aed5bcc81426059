"""Pages of the API app: a person's tokens (made from the account page), a library's alert
sources, and the API's documentation page (drawn from the schema, served from here: no
outside scripts or styles)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from drf_spectacular.views import SpectacularAPIView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated

from bookwarden.core.forms import submit
from bookwarden.core.models import Library
from bookwarden.core.permissions import StaffRequest, has_perm, library_for, perm_required
from bookwarden.core.roles import Perm
from bookwarden.core.second_factor import needs_mfa
from bookwarden.core.when import show_times_for

from . import actions
from .authentication import TokenAuthentication
from .docs import operations_of
from .forms import AlertSourceForm, TokenForm
from .models import AlertSource, ApiToken
from .schema import api_schema

#: Where a secret waits, in the session of the person who made it, for the one page that
#: shows it; that page takes it out.
_SHOWN = "api_secret_to_show"


def signed_in_with_second_factor(request: StaffRequest) -> bool:
    """The person's sign-in of this session included their second factor (allauth records
    each step of a sign-in in the session)."""
    from allauth.account.internal.flows.login import get_authentication_records

    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def _keep_secret_to_show(request: StaffRequest, kind: str, pk: int, secret: str) -> None:
    request.session[_SHOWN] = {"kind": kind, "pk": pk, "secret": secret}


def _secret_to_show(request: StaffRequest, kind: str, pk: int) -> str:
    """The secret just made for this object, once: a reload shows it no more."""
    waiting = request.session.get(_SHOWN) or {}
    if waiting.get("kind") == kind and waiting.get("pk") == pk:
        del request.session[_SHOWN]
        return str(waiting["secret"])
    return ""


# --- tokens --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def token_new(request: StaffRequest) -> HttpResponse:
    """LV-3, CC-7: make a token for another system to act as oneself."""
    libraries = Library.objects.for_user(request.user)
    if not libraries:
        raise Http404
    second_factor = signed_in_with_second_factor(request)
    form = TokenForm(request.POST or None, libraries=libraries)
    if request.method == "POST" and (
        done := submit(
            request,
            form,
            lambda data: actions.create_token(
                actor=request.user, second_factor_used=second_factor, **data
            ),
        )
    ):
        _keep_secret_to_show(request, "token", done.result.obj.pk, done.result.secret)
        return redirect("api:token", token_id=done.result.obj.pk)
    return render(
        request,
        "api/token_new.html",
        {"form": form, "blocked": needs_mfa(request.user) and not second_factor},
        status=200 if request.method == "GET" or form.is_valid() else 400,
    )


@login_required
@require_GET
def token_detail(request: StaffRequest, token_id: int) -> HttpResponse:
    """A token of one's own: its text right after it was made (once), then what it may do."""
    token = get_object_or_404(
        ApiToken.objects.of(request.user).prefetch_related("libraries"), pk=token_id
    )
    return render(
        request,
        "api/token.html",
        {"token": token, "secret": _secret_to_show(request, "token", token.pk)},
    )


@login_required
@require_POST
def token_revoke(request: StaffRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.of(request.user), pk=token_id)
    submit(
        request,
        None,
        lambda _data: actions.revoke_token(actor=request.user, token=token),
        success="The token is revoked: it no longer works.",
    )
    return redirect("account_security")


# --- alert sources ---------------------------------------------------------------------------


@login_required
@perm_required(Perm.MANAGE_ALERT_SOURCES)
@require_GET
def alert_sources(request: StaffRequest) -> HttpResponse:
    """CC-9: the monitoring and firewall services connected to the operations log."""
    libraries = list(Library.objects.for_user(request.user, Perm.MANAGE_ALERT_SOURCES))
    if len(libraries) == 1:
        show_times_for(libraries[0])
    sources = AlertSource.objects.for_user(request.user, Perm.MANAGE_ALERT_SOURCES).select_related(
        "library", "created_by"
    )
    return render(
        request,
        "api/alert_sources.html",
        {"sources": sources, "libraries": libraries, "many": len(libraries) > 1},
    )


@login_required
@require_http_methods(["GET", "POST"])
def alert_source_new(request: StaffRequest, slug: str) -> HttpResponse:
    library = library_for(request, slug, Perm.MANAGE_ALERT_SOURCES)
    form = AlertSourceForm(request.POST or None)
    if request.method == "POST" and (
        done := submit(
            request,
            form,
            lambda data: actions.create_alert_source(
                actor=request.user, library=library, name=data["name"]
            ),
        )
    ):
        _keep_secret_to_show(request, "source", done.result.obj.pk, done.result.secret)
        return redirect("api:alert_source", source_id=done.result.obj.pk)
    return render(
        request,
        "api/alert_source_new.html",
        {"form": form, "library": library},
        status=200 if request.method == "GET" or form.is_valid() else 400,
    )


def _source_or_404(request: StaffRequest, source_id: int) -> AlertSource:
    source = get_object_or_404(
        AlertSource.objects.for_user(request.user).select_related("library", "created_by"),
        pk=source_id,
    )
    if not has_perm(request.user, Perm.MANAGE_ALERT_SOURCES, source.library_id):
        raise PermissionDenied
    show_times_for(source.library)
    return source


@login_required
@require_GET
def alert_source_detail(request: StaffRequest, source_id: int) -> HttpResponse:
    """The source's address, and its secret once, right after it was connected."""
    source = _source_or_404(request, source_id)
    url = request.build_absolute_uri(reverse("api:alert", kwargs={"source_key": source.key}))
    return render(
        request,
        "api/alert_source.html",
        {"source": source, "url": url, "secret": _secret_to_show(request, "source", source.pk)},
    )


@login_required
@require_POST
def alert_source_revoke(request: StaffRequest, source_id: int) -> HttpResponse:
    source = _source_or_404(request, source_id)
    submit(
        request,
        None,
        lambda _data: actions.revoke_alert_source(actor=request.user, source=source),
        success=f"{source.name} is disconnected: its alerts are refused from now on.",
    )
    return redirect("api:alert_sources")


# --- the schema and its documentation page ------------------------------------------------------


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema, for a signed-in person or a token."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]


@login_required
@require_GET
def docs(request: StaffRequest) -> HttpResponse:
    """The API's documentation, drawn from its schema: every operation, its fields and its
    answers."""
    schema: dict[str, Any] = api_schema()
    return render(request, "api/docs.html", {"operations": operations_of(schema)})
