"""Human resources' view of the policies (IT-11, IT-1, LV-8): per policy and branch, who has
signed which version and when, who has not, who is overdue, as a page and a CSV; a person's
signed acknowledgement as a printable page and a PDF for the personnel file."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from bookwarden.core.files import csv_writer
from bookwarden.core.models import Branch
from bookwarden.core.permissions import StaffRequest, has_perm, library_for
from bookwarden.core.roles import Perm
from bookwarden.core.when import iso_utc, show_times_for

from ..forms import OverviewFilterForm
from ..models import Signature
from ..overview import library_overview
from ..pdf import acknowledgement_pdf


def _filtered(request: StaffRequest, slug: str) -> tuple:
    library = library_for(request, slug, Perm.VIEW_STAFF_PROGRAM)
    form = OverviewFilterForm(request.GET or None, library=library)
    branch: Branch | None = None
    if form.is_bound and form.is_valid():
        branch = form.cleaned_data["branch"]
    return library, form, branch, library_overview(library, branch)


@login_required
@require_GET
def overview(request: StaffRequest, slug: str) -> HttpResponse:
    """IT-11: per policy, per branch, who has signed, who has not, who is overdue."""
    library, form, branch, policies = _filtered(request, slug)
    return render(
        request,
        "policies/overview.html",
        {
            "library": library,
            "form": form,
            "branch": branch,
            "policies": policies,
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def overview_export(request: StaffRequest, slug: str) -> HttpResponse:
    """The same as CSV, one row per person and policy (dates ISO 8601)."""
    library, _form, _branch, policies = _filtered(request, slug)
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(
        [
            "policy",
            "version_to_sign",
            "person",
            "username",
            "branches",
            "status",
            "signed_version",
            "signed_on",
            "due_on",
            "days_overdue",
        ]
    )
    for item in policies:
        for row in item.rows:
            signature = row.signature
            status = "signed" if row.done else ("overdue" if row.overdue() else "not yet signed")
            writer.writerow(
                [
                    item.policy.title,
                    row.version.number,
                    str(row.member.user),
                    row.member.user.username,
                    "; ".join(b.name if b else "Whole library" for b in row.member.branches),
                    status,
                    signature.version.number if signature else "",
                    iso_utc(signature.signed_on) if signature else "",
                    iso_utc(row.due_on),
                    row.days_overdue(),
                ]
            )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="policy-signatures-{library.slug}.csv"'
    return response


def _signature_or_404(request: StaffRequest, signature_id: int) -> Signature:
    """One's own signature, or (human resources, the director, oversight) any signature of
    their library; another library's: 404."""
    signature = get_object_or_404(
        Signature.objects.for_user(request.user).select_related(
            "version__policy", "library", "branch", "user"
        ),
        pk=signature_id,
    )
    if signature.user_id != request.user.pk and not has_perm(
        request.user, Perm.VIEW_STAFF_PROGRAM, signature.library_id
    ):
        raise PermissionDenied
    show_times_for(signature.library)
    return signature


@login_required
@require_GET
def acknowledgement(request: StaffRequest, signature_id: int) -> HttpResponse:
    """IT-11: the signed acknowledgement, to print."""
    signature = _signature_or_404(request, signature_id)
    return render(request, "policies/acknowledgement.html", {"signature": signature})


@login_required
@require_GET
def acknowledgement_download(request: StaffRequest, signature_id: int) -> HttpResponse:
    """IT-11: the signed acknowledgement as a PDF for the personnel file."""
    signature = _signature_or_404(request, signature_id)
    response = HttpResponse(acknowledgement_pdf(signature), content_type="application/pdf")
    name = f"acknowledgement-{signature.version.policy.slug}-{signature.user.username}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
