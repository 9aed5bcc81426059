"""The policy library's pages (IT-1, IT-11, CC-11, CC-12, CC-6): the policies that apply at
the person's libraries, a policy with its version in effect, earlier versions, reviews and
the signing form; for the director, adding policies and versions and recording reviews.
A consortium's policies are shown read-only to the people of its member libraries."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bookwarden.core.files import hand_out
from bookwarden.core.forms import submit
from bookwarden.core.models import Library, libraries_of
from bookwarden.core.permissions import StaffRequest, has_perm, perm_required
from bookwarden.core.roles import Perm, Role
from bookwarden.core.when import show_times_for

from .. import actions
from ..audience import (
    audience_member,
    owed,
    policies_at,
    signatures_by_user,
    versions_of,
)
from ..forms import LibraryChoiceForm, PolicyForm, ReviewForm, SignForm, VersionForm
from ..models import Audience, Policy, PolicyVersion, Signature
from ..rendering import render_markdown


def policy_or_404(request: StaffRequest, policy_id: int) -> tuple[Policy, Library]:
    """A policy of one of the person's libraries or of their consortium (any other: 404),
    and the library it is read at: its own, or for a consortium's policy the person's
    member library."""
    policy = get_object_or_404(
        Policy.objects.for_user(request.user).select_related("library", "consortium"),
        pk=policy_id,
    )
    if policy.library is not None:
        library = policy.library
    else:
        mine = [
            lib
            for lib in libraries_of(request.user.active_memberships())
            if lib.consortium_id == policy.consortium_id
        ]
        if not mine:
            raise Http404
        library = mine[0]
    show_times_for(library)
    return policy, library


def can_manage(user: Any, policy: Policy) -> bool:
    """A library's policy is kept by its director; a consortium's from the command line."""
    return policy.library_id is not None and has_perm(user, Perm.MANAGE_POLICIES, policy.library_id)


def _rows_for(user: Any, library: Library) -> list[dict[str, Any]]:
    policies = policies_at(library)
    versions = versions_of(policies)
    signed = signatures_by_user([p.pk for p in policies], user)
    rows = []
    for policy in policies:
        member = audience_member(user, policy, library)
        state = versions[policy.pk]
        mine = owed(state, member, signed.get((policy.pk, user.pk), [])) if member else None
        rows.append(
            {
                "policy": policy,
                "current": state.current,
                "upcoming": state.upcoming,
                "owed": mine,
                "review_overdue": policy.next_review_on is not None
                and policy.next_review_on < state.today,
            }
        )
    return rows


@login_required
@perm_required(Perm.VIEW_LIBRARY)
@require_GET
def policy_list(request: StaffRequest) -> HttpResponse:
    """IT-1, CC-12: every policy that applies at the person's libraries, the version in
    effect, whether they have signed it or by when they must; overdue reviews for the
    director (CC-11)."""
    user = request.user
    groups = [
        {
            "library": library,
            "rows": _rows_for(user, library),
            "can_manage": has_perm(user, Perm.MANAGE_POLICIES, library),
            "can_oversee": has_perm(user, Perm.VIEW_STAFF_PROGRAM, library),
        }
        for library in libraries_of(user.active_memberships())
    ]
    return render(
        request,
        "policies/list.html",
        {"groups": groups, "can_add": any(g["can_manage"] for g in groups)},
    )


def _detail_context(request: StaffRequest, policy: Policy, library: Library) -> dict[str, Any]:
    user = request.user
    state = versions_of([policy])[policy.pk]
    member = audience_member(user, policy, library)
    mine = list(
        Signature.objects.filter(user=user, version__policy=policy)
        .select_related("version", "branch")
        .order_by("-signed_at")
    )
    standing = owed(state, member, mine) if member else None
    current = state.current
    manager = can_manage(user, policy)
    return {
        "policy": policy,
        "library": library,
        "current": current,
        "current_html": render_markdown(current.text) if current else "",
        "earlier": state.earlier,
        "upcoming": state.upcoming if manager else [],
        "reviews": list(policy.reviews.select_related("version", "reviewed_by")[:20]),
        "owed": standing,
        "my_signatures": mine,
        "can_sign": standing is not None and not standing.done and current is not None,
        "can_manage": manager,
        "can_oversee": has_perm(user, Perm.VIEW_STAFF_PROGRAM, library),
        "from_consortium": policy.consortium_id is not None,
        "audience_roles": [Role(r).label for r in policy.audience_roles if r in Role.values],
        "audience_branches": list(policy.audience_branches.all())
        if manager and policy.audience == Audience.CHOSEN
        else [],
        "review_overdue": policy.next_review_on is not None and policy.next_review_on < state.today,
        "member": member,
    }


@login_required
@require_GET
def policy_detail(request: StaffRequest, policy_id: int) -> HttpResponse:
    """IT-1, IT-11: the version in effect, rendered from its Markdown, its PDF, earlier
    versions, reviews, and the form to sign it for those who must."""
    policy, library = policy_or_404(request, policy_id)
    ctx = _detail_context(request, policy, library)
    if ctx["can_sign"]:
        ctx["sign_form"] = SignForm(branches=ctx["member"].branches)
    if ctx["can_manage"]:
        ctx["review_form"] = ReviewForm()
    return render(request, "policies/detail.html", ctx)


@login_required
@require_POST
def sign(request: StaffRequest, policy_id: int) -> HttpResponse:
    """IT-11: sign the version in effect; refused with a clear message when already signed,
    not current, or outside the audience (403)."""
    policy, library = policy_or_404(request, policy_id)
    member = audience_member(request.user, policy, library)
    if member is None:
        raise PermissionDenied
    version = get_object_or_404(
        PolicyVersion.objects.filter(policy=policy), pk=request.POST.get("version") or 0
    )
    form = SignForm(request.POST, branches=member.branches)
    if done := submit(
        request,
        form,
        lambda data: actions.sign_policy(
            actor=request.user,
            policy=policy,
            library=library,
            version=version,
            typed_name=data["typed_name"],
            branch=data.get("branch"),
        ),
        success="Thank you. Your signature is recorded.",
    ):
        return redirect("policies:detail", policy_id=done.result.version.policy_id)
    ctx = _detail_context(request, policy, library)
    ctx["sign_form"] = form
    ctx["can_sign"] = True
    ctx["sign_version"] = version
    return render(request, "policies/detail.html", ctx, status=400)


@login_required
@require_GET
def version_detail(request: StaffRequest, policy_id: int, version_id: int) -> HttpResponse:
    """CC-12: any version of a policy, readable with its dates."""
    policy, library = policy_or_404(request, policy_id)
    version = get_object_or_404(policy.versions.all(), pk=version_id)
    state = versions_of([policy])[policy.pk]
    if version.effective_on > state.today and not can_manage(request.user, policy):
        raise Http404
    return render(
        request,
        "policies/version.html",
        {
            "policy": policy,
            "library": library,
            "version": version,
            "html": render_markdown(version.text),
            "current": state.current,
        },
    )


@login_required
@require_GET
def version_document(request: StaffRequest, policy_id: int, version_id: int) -> HttpResponse:
    """The uploaded PDF of a version, only while it matches its recorded SHA-256."""
    policy, _library = policy_or_404(request, policy_id)
    version = get_object_or_404(policy.versions.exclude(document=""), pk=version_id)
    if not version.in_effect() and not can_manage(request.user, policy):
        raise Http404  # a version not yet in effect is the director's until its day
    return hand_out(
        version.document,
        version.document_sha256,
        f"{policy.slug}-version-{version.number}.pdf",
        "application/pdf",
    )


# --- the director: policies, versions, reviews (CC-11, CC-12) ---------------------------------


@login_required
@perm_required(Perm.MANAGE_POLICIES)
@require_http_methods(["GET", "POST"])
def policy_create(request: StaffRequest) -> HttpResponse:
    """CC-12: a new policy of the director's library, with its audience."""
    libraries = Library.objects.for_user(request.user, Perm.MANAGE_POLICIES).order_by("name")
    choice = LibraryChoiceForm(request.POST or None, libraries=libraries)
    library: Library | None = None
    if request.method == "POST":
        slug = request.POST.get("library", "")
        library = get_object_or_404(Library.objects.for_user(request.user), slug=slug)
        if not has_perm(request.user, Perm.MANAGE_POLICIES, library):
            raise PermissionDenied
    elif len(libraries) == 1:
        library = libraries[0]
    form = PolicyForm(request.POST or None, library=library)
    if (
        request.method == "POST"
        and library is not None
        and (
            done := submit(
                request,
                form,
                lambda data: actions.add_policy(actor=request.user, library=library, **data),
                success="The policy is added. Now add its text as its first version.",
            )
        )
    ):
        return redirect("policies:version_create", policy_id=done.result.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "policies/policy_form.html",
        {"form": form, "choice": choice, "several": len(libraries) > 1},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def version_create(request: StaffRequest, policy_id: int) -> HttpResponse:
    """CC-12, IT-1: a new version (text and/or PDF, approval, adoption and effective dates,
    whether staff sign again).  Publishing the privacy policy for patrons (NM-7)."""
    policy, library = policy_or_404(request, policy_id)
    if not can_manage(request.user, policy):
        raise PermissionDenied
    form = VersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and (
        done := submit(
            request,
            form,
            lambda data: actions.add_version(actor=request.user, policy=policy, **data),
            success=lambda v: f"Version {v.number} is added.",
        )
    ):
        return redirect("policies:detail", policy_id=done.result.policy_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "policies/version_form.html",
        {"form": form, "policy": policy, "library": library, "first": not policy.versions.exists()},
        status=status,
    )


@login_required
@require_POST
def review(request: StaffRequest, policy_id: int) -> HttpResponse:
    """CC-11: the policy was reviewed and kept as it is."""
    policy, _library = policy_or_404(request, policy_id)
    if not can_manage(request.user, policy):
        raise PermissionDenied
    submit(
        request,
        ReviewForm(request.POST),
        lambda data: actions.record_review(actor=request.user, policy=policy, **data),
        success=lambda r: "The review is recorded.",
        flash=True,
    )
    return redirect(reverse("policies:detail", args=[policy.pk]) + "#reviews")
