"""The monitoring notice (LV-8, CC-4): staff acknowledge that library computers, mail and
networks are monitored, at their first sign-in and whenever a new version marked "staff must
sign again" takes effect, before they go on.

:func:`notices_waiting` costs one small query per request: the notice versions in effect at
the person's libraries.  The versions already acknowledged are kept in the session, so the
signatures are read only when a version is not known there yet (after signing in, or when a
new version takes effect).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from bookwarden.core.models import User

from .audience import applies_at, membership_matches
from .models import Policy, PolicyKind, PolicyVersion, Signature

#: Ids of the notice versions this session's person has acknowledged.
SESSION_KEY = "policies.notices_acknowledged"


def _notice_versions(user: User) -> list[PolicyVersion]:
    """The version each of the person's notices asks them to acknowledge: one query."""
    rows = (
        PolicyVersion.objects.filter(
            policy__in=Policy.objects.for_user(user).filter(
                kind=PolicyKind.MONITORING_NOTICE, retired_at__isnull=True, must_sign=True
            ),
            effective_on__lte=timezone.localdate(),
            needs_signatures=True,
        )
        .select_related("policy")
        .order_by("policy_id", "-number")
    )
    newest: dict[int, PolicyVersion] = {}
    for version in rows:
        newest.setdefault(version.policy_id, version)
    memberships = user.active_memberships()
    waiting = []
    for version in newest.values():
        policy = version.policy
        if any(
            applies_at(policy, m.library) and membership_matches(policy, m) for m in memberships
        ):
            waiting.append(version)
    return waiting


def notices_waiting(request: HttpRequest) -> list[PolicyVersion]:
    """The notice versions the signed-in person has not acknowledged yet."""
    user = request.user
    if not user.is_authenticated or not user.active_memberships():
        return []
    needed = _notice_versions(user)
    known = set(request.session.get(SESSION_KEY, []))
    unknown = [v for v in needed if v.pk not in known]
    if not unknown:
        return []
    signed = {
        (policy_id, number)
        for policy_id, number in Signature.objects.filter(
            user=user, version__policy__in=[v.policy_id for v in unknown]
        ).values_list("version__policy_id", "version__number")
    }
    waiting = []
    for version in unknown:
        if any(p == version.policy_id and n >= version.number for p, n in signed):
            known.add(version.pk)
        else:
            waiting.append(version)
    request.session[SESSION_KEY] = sorted(known)
    return waiting


def remember_acknowledged(request: HttpRequest, version: PolicyVersion) -> None:
    known = set(request.session.get(SESSION_KEY, []))
    known.add(version.pk)
    request.session[SESSION_KEY] = sorted(known)


Handler = Callable[[HttpRequest], HttpResponse]


class MonitoringNoticeMiddleware:
    """LV-8, CC-4: a staff member who has not acknowledged the monitoring notice in effect
    is sent to it before anything else.  Open meanwhile: the notice itself, signing in and
    out, two-factor, the idle lock, static files, the health check and the patron portal."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def _exempt(self, request: HttpRequest) -> bool:
        return request.path.startswith(
            (
                settings.STATIC_URL,
                "/accounts/",
                "/portal/",
                reverse("policies:notice"),
                reverse("session_locked"),
                reverse("healthz"),
            )
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or self._exempt(request):
            return self.get_response(request)
        if not notices_waiting(request):
            return self.get_response(request)
        target = reverse("policies:notice")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)
