"""Pages of the compliance dashboard and reports (issue 17, CC-8, CC-6, CC-11, CC-12).

Everyone holding ``view_compliance`` somewhere sees them: the director and the board member
or auditor alike (read only).  The dashboard of several libraries is the person's own
libraries seen together (CC-6); another library's data never appears, and no patron's
records are read anywhere here (counts only).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from bookwarden.core.forms import submit
from bookwarden.core.models import Library
from bookwarden.core.permissions import StaffRequest, library_for, perm_required
from bookwarden.core.roles import Perm

from . import actions, board
from . import dashboard as dashboard_data
from .charts import csv_text, draw
from .forms import PackageForm, YearForm, default_year
from .scope import Scope


def _download(content: bytes | str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _person_scope(request: StaffRequest) -> Scope:
    """Every library where the person sees the compliance program: one alone, or all of
    them together (CC-6)."""
    libraries = list(
        Library.objects.for_user(request.user, Perm.VIEW_COMPLIANCE).select_related("consortium")
    )
    if not libraries:
        raise Http404
    if len(libraries) == 1:
        return Scope.of_library(libraries[0], request.user)
    return Scope.of_person(request.user, libraries)


def _render_dashboard(request: StaffRequest, scope: Scope, *, whole: bool) -> HttpResponse:
    dash = dashboard_data.build(scope)
    library = scope.single

    def csv_url(key: str) -> str:
        if library is not None:
            return reverse("reports:library_chart_csv", args=[library.slug, key])
        return reverse("reports:chart_csv", args=[key])

    return render(
        request,
        "reports/dashboard.html",
        {
            "dash": dash,
            "drawings": [(draw(chart), csv_url(chart.key)) for chart in dash.charts],
            "library": library,
            "libraries": scope.libraries,
            "whole": whole,
            "year_form": YearForm(initial={"year": default_year()}),
        },
    )


@login_required
@perm_required(Perm.VIEW_COMPLIANCE)
@require_GET
def dashboard(request: StaffRequest) -> HttpResponse:
    """The person's libraries at a glance: one library, or all of them together."""
    scope = _person_scope(request)
    return _render_dashboard(request, scope, whole=scope.single is None)


@login_required
@perm_required(Perm.VIEW_COMPLIANCE)
@require_GET
def library_dashboard(request: StaffRequest, slug: str) -> HttpResponse:
    library = library_for(request, slug, Perm.VIEW_COMPLIANCE)
    return _render_dashboard(request, Scope.of_library(library, request.user), whole=False)


def _chart_download(scope: Scope, chart_key: str, name: str) -> HttpResponse:
    chart = dashboard_data.one_chart(scope, chart_key)
    if chart is None:
        raise Http404
    return _download(csv_text(chart), f"{chart.key}-{name}.csv", "text/csv; charset=utf-8")


@login_required
@perm_required(Perm.VIEW_COMPLIANCE)
@require_GET
def chart_csv(request: StaffRequest, chart: str) -> HttpResponse:
    """A chart's numbers as CSV, for every library of the person's dashboard."""
    scope = _person_scope(request)
    name = scope.single.slug if scope.single else "all-libraries"
    return _chart_download(scope, chart, name)


@login_required
@perm_required(Perm.VIEW_COMPLIANCE)
@require_GET
def library_chart_csv(request: StaffRequest, slug: str, chart: str) -> HttpResponse:
    library = library_for(request, slug, Perm.VIEW_COMPLIANCE)
    return _chart_download(Scope.of_library(library, request.user), chart, library.slug)


@login_required
@perm_required(Perm.VIEW_COMPLIANCE)
@require_GET
def board_report(request: StaffRequest, slug: str) -> HttpResponse:
    """CC-11, CC-12: the annual report to the board, as a page."""
    library = library_for(request, slug, Perm.VIEW_COMPLIANCE)
    form = YearForm(request.GET or {"year": default_year()})
    year = form.chosen()
    first, last = board.year_period(year)
    report = board.build(library, first, last)
    return render(
        request,
        "reports/board.html",
        {"library": library, "report": report, "form": form, "year": year},
    )


@login_required
@perm_required(Perm.VIEW_COMPLIANCE)
@require_GET
def board_report_pdf(request: StaffRequest, slug: str) -> HttpResponse:
    """The same report as a PDF to hand out (on record in the audit log)."""
    library = library_for(request, slug, Perm.VIEW_COMPLIANCE)
    year = YearForm(request.GET or {"year": default_year()}).chosen()
    pdf = actions.produce_board_pdf(actor=request.user, library=library, year=year)
    return _download(pdf, f"board-report-{library.slug}-{year}.pdf", "application/pdf")


@login_required
@perm_required(Perm.VIEW_COMPLIANCE)
@require_http_methods(["GET", "POST"])
def auditor_package(request: StaffRequest, slug: str) -> HttpResponse:
    """CC-8: the grant auditor's package for a range of days, as one ZIP."""
    library = library_for(request, slug, Perm.VIEW_COMPLIANCE)
    form = PackageForm(request.POST or None, initial=PackageForm.initial_range())
    if request.method == "POST" and (
        done := submit(
            request,
            form,
            lambda data: actions.produce_package(
                actor=request.user, library=library, first=data["first"], last=data["last"]
            ),
        )
    ):
        package = done.result
        return _download(package.content, package.filename, "application/zip")
    return render(request, "reports/package.html", {"library": library, "form": form})
