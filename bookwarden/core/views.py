"""Pages for libraries, staff and roles, the home page of tasks, and the session lock."""

from __future__ import annotations

from typing import Any

from allauth.account.decorators import reauthentication_required
from django.contrib.auth import authenticate
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import actions
from .account_pages import account_parts
from .forms import (
    LibrarySettingsForm,
    MembershipForm,
    RevokeForm,
    RoleForm,
    SecondFactorResetForm,
    StaffCreateForm,
    UnlockForm,
    submit,
)
from .hubs import HUBS, IT, links_for
from .idle_lock import IDLE_LOCKED, idle_minutes_for, unlock_session
from .lockout import account_lock, lockout_response
from .models import Membership, User
from .my_tasks import grouped_tasks
from .permissions import StaffRequest, has_perm, has_perm_anywhere, library_for
from .roles import InstallationRole, Perm, Role
from .second_factor import has_totp, needs_mfa
from .staff_pages import detail_parts, list_parts


@login_required
@require_GET
def it_hub(request: StaffRequest) -> HttpResponse:
    """The "IT" page: links to the shared logins, devices, software and vendors, each for
    those who hold its permission (core.hubs); nobody with none of them."""
    links = links_for(request.user, IT)
    if not links:
        raise PermissionDenied
    title, intro = HUBS[IT]
    return render(request, "core/hub.html", {"title": title, "intro": intro, "links": links})


@login_required
@require_GET
def home(request: StaffRequest) -> HttpResponse:
    """My tasks: what this person should do next, in three groups (urgent now, due soon, for
    information); each app adds its own (core.my_tasks).  Beside them, the person's most
    frequent starts (find a patron, report a concern) and their roles; those lead the page
    when nothing is urgent."""
    groups = grouped_tasks(request.user)
    ctx = {
        "groups": groups,
        "has_tasks": any(g.count for g in groups),
        "actions_first": not groups[0].count,
        "can_find_patrons": has_perm_anywhere(request.user, Perm.FIND_PATRONS),
        "memberships": request.user.active_memberships(),
    }
    return render(request, "core/home.html", ctx)


@login_required
@require_GET
def library_detail(request: StaffRequest, slug: str) -> HttpResponse:
    library = library_for(request, slug, Perm.VIEW_LIBRARY)
    ctx = {
        "library": library,
        "branches": library.branches.all(),
        "my_roles": sorted(request.user.roles_in(library)),
        "can_view_staff": has_perm(request.user, Perm.VIEW_STAFF, library),
        "can_manage_settings": has_perm(request.user, Perm.MANAGE_SETTINGS, library),
    }
    return render(request, "core/library_detail.html", ctx)


@login_required
@require_GET
def staff_list(request: StaffRequest, slug: str) -> HttpResponse:
    library = library_for(request, slug, Perm.VIEW_STAFF)
    memberships = (
        Membership.objects.for_user(request.user, Perm.VIEW_STAFF)
        .filter(library=library, revoked_at__isnull=True)
        .select_related("user", "branch")
        .order_by("user__last_name", "user__username", "role")
    )
    return render(
        request,
        "core/staff_list.html",
        {
            "library": library,
            "memberships": memberships,
            "can_manage": has_perm(request.user, Perm.MANAGE_ROLES, library),
            "parts": list_parts(request, library),
        },
    )


@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def staff_create(request: StaffRequest, slug: str) -> HttpResponse:
    library = library_for(request, slug, Perm.MANAGE_ROLES)
    form = StaffCreateForm(request.POST or None, library=library)
    if request.method == "POST":
        done = submit(
            request,
            form,
            lambda data: actions.create_staff(
                actor=request.user,
                library=library,
                username=data["username"],
                email=data["email"],
                password=data["password"] or None,
                role=data["role"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                branch=data["branch"],
                ends_on=data["ends_on"],
                mail_set_password=not data["password"],
            ),
            success=lambda membership: f"Account {membership.user.username} created.",
        )
        if done:
            return redirect("staff_detail", slug=library.slug, user_id=done.result.user_id)
    return render(request, "core/staff_form.html", {"library": library, "form": form})


@login_required
@require_GET
def staff_detail(request: StaffRequest, slug: str, user_id: int) -> HttpResponse:
    library = library_for(request, slug, Perm.VIEW_STAFF)
    memberships = (
        Membership.objects.for_user(request.user, Perm.VIEW_STAFF)
        .filter(library=library, user_id=user_id)
        .select_related("user", "branch", "granted_by", "revoked_by")
        .order_by("revoked_at", "role")
    )
    if not memberships:
        raise Http404
    person = memberships[0].user
    return render(
        request,
        "core/staff_detail.html",
        {
            "library": library,
            "person": person,
            "memberships": memberships,
            "sign_in_lock": account_lock(person),
            "can_manage": has_perm(request.user, Perm.MANAGE_ROLES, library),
            "role_form": RoleForm(library=library),
            "has_totp": has_totp(person),
            "reset_form": SecondFactorResetForm(),
            "parts": detail_parts(request, library, person),
        },
    )


def _member_or_404(request: StaffRequest, library: Any, user_id: int, perm: str) -> User:
    """A person who holds or held a role at ``library``, where the requester holds ``perm``;
    anyone else is 404."""
    membership = (
        Membership.objects.for_user(request.user, perm)
        .filter(library=library, user_id=user_id)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise Http404
    return membership.user


@login_required
@reauthentication_required
@require_POST
def role_add(request: StaffRequest, slug: str, user_id: int) -> HttpResponse:
    library = library_for(request, slug, Perm.MANAGE_ROLES)
    person = _member_or_404(request, library, user_id, Perm.MANAGE_ROLES)
    submit(
        request,
        RoleForm(request.POST, library=library),
        lambda data: actions.assign_role(actor=request.user, user=person, library=library, **data),
        success="Role assigned.",
        flash=True,
    )
    return redirect("staff_detail", slug=library.slug, user_id=person.pk)


@login_required
@reauthentication_required
@require_POST
def second_factor_reset(request: StaffRequest, slug: str, user_id: int) -> HttpResponse:
    library = library_for(request, slug, Perm.MANAGE_ROLES)
    person = _member_or_404(request, library, user_id, Perm.MANAGE_ROLES)
    form = SecondFactorResetForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    submit(
        request,
        None,
        lambda _: actions.reset_second_factor(
            actor=request.user, user=person, library=library, reason=reason
        ),
        success=lambda removed: (
            f"Two-factor login of {person} reset ({removed} method{'s' if removed != 1 else ''}"
            " removed). They set it up again at their next sign-in."
        ),
    )
    return redirect("staff_detail", slug=library.slug, user_id=person.pk)


@login_required
@reauthentication_required
@require_POST
def sign_in_unlock(request: StaffRequest, slug: str, user_id: int) -> HttpResponse:
    """A director lifts a person's sign-in lockout (LV-3); recorded by the action."""
    library = library_for(request, slug, Perm.MANAGE_ROLES)
    person = _member_or_404(request, library, user_id, Perm.MANAGE_ROLES)
    submit(
        request,
        None,
        lambda _: actions.unlock_sign_in(actor=request.user, user=person, library=library),
        success=f"Sign-in of {person} unlocked. They can sign in again now.",
    )
    return redirect("staff_detail", slug=library.slug, user_id=person.pk)


@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def membership_edit(request: StaffRequest, slug: str, pk: int) -> HttpResponse:
    library = library_for(request, slug, Perm.MANAGE_ROLES)
    membership = get_object_or_404(
        Membership.objects.for_user(request.user, Perm.MANAGE_ROLES).select_related("user"),
        library=library,
        pk=pk,
    )
    form = MembershipForm(
        request.POST or None,
        library=library,
        initial={"branch": membership.branch_id, "ends_on": membership.ends_on},
    )
    if request.method == "POST" and submit(
        request,
        form,
        lambda data: actions.change_membership(actor=request.user, membership=membership, **data),
        success="Role updated.",
    ):
        return redirect("staff_detail", slug=library.slug, user_id=membership.user_id)
    return render(
        request,
        "core/membership_form.html",
        {
            "library": library,
            "membership": membership,
            "form": form,
            "revoke_form": RevokeForm(),
        },
    )


@login_required
@reauthentication_required
@require_POST
def membership_revoke(request: StaffRequest, slug: str, pk: int) -> HttpResponse:
    library = library_for(request, slug, Perm.MANAGE_ROLES)
    membership = get_object_or_404(
        Membership.objects.for_user(request.user, Perm.MANAGE_ROLES), library=library, pk=pk
    )
    submit(
        request,
        RevokeForm(request.POST),
        lambda data: actions.revoke_role(actor=request.user, membership=membership, **data),
        success="Role revoked.",
        flash=True,
    )
    return redirect("staff_detail", slug=library.slug, user_id=membership.user_id)


@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def library_settings(request: StaffRequest, slug: str) -> HttpResponse:
    library = library_for(request, slug, Perm.MANAGE_SETTINGS)
    form = LibrarySettingsForm(
        request.POST or None,
        initial={
            "idle_timeout_minutes": library.idle_timeout_minutes,
            "time_zone": library.time_zone,
        },
    )
    if request.method == "POST" and submit(
        request,
        form,
        lambda data: actions.update_library_settings(actor=request.user, library=library, **data),
        success="Settings saved.",
    ):
        return redirect("library_detail", slug=library.slug)
    return render(request, "core/library_settings.html", {"library": library, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def session_locked(request: StaffRequest) -> HttpResponse:
    """The lock screen (CC-4): the password again, or sign out."""
    next_url = request.POST.get("next") or request.GET.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("home")
    if not request.session.get(IDLE_LOCKED):
        return redirect(next_url)
    form = UnlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=request.user.get_username(), password=form.cleaned_data["password"]
        )
        if user is not None and user.pk == request.user.pk:
            unlock_session(request, user)
            return redirect(next_url)
        if getattr(request, "axes_locked_out", False):
            # Repeated wrong passwords locked the account: whoever is at the keyboard is
            # signed out (the lock is the account's own, never a colleague's).
            auth_logout(request)
            return lockout_response(request)
        form.add_error("password", "That password is not right.")
    return render(
        request,
        "core/session_locked.html",
        {
            "form": form,
            "next": next_url,
            "minutes": idle_minutes_for(request.user),
        },
        status=200 if request.method == "GET" or form.is_valid() else 400,
    )


@login_required
@require_GET
def mfa_required(request: StaffRequest) -> HttpResponse:
    if has_totp(request.user) or not needs_mfa(request.user):
        return redirect("home")
    roles = [Role(r).label for r in request.user.all_roles()]
    if request.user.installation_role:
        roles.append(InstallationRole(request.user.installation_role).label)
    return render(request, "core/mfa_required.html", {"roles": roles})


@login_required
@require_GET
def account_security(request: StaffRequest) -> HttpResponse:
    return render(
        request,
        "core/account.html",
        {
            "has_totp": has_totp(request.user),
            "mfa_required": needs_mfa(request.user),
            "parts": account_parts(request),
        },
    )
