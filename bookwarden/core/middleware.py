"""Request-wide concerns: the audit origin, extra security headers, the idle lock (CC-4),
the second factor that some roles must use, and the time zone pages are shown in."""

from __future__ import annotations

import time
from collections.abc import Callable

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from bookwarden.audit.context import audit_context, new_request_id

from .idle_lock import IDLE_LAST_SEEN, IDLE_LOCKED, idle_minutes_for, lock_session
from .second_factor import has_totp, needs_mfa, second_factor_checked_elsewhere
from .when import common_zone, zone_of

Handler = Callable[[HttpRequest], HttpResponse]


class RequestContextMiddleware:
    """Gives every request an id and a source address, which audit events then carry."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        with audit_context(request_id=request_id, ip=get_client_ip_address(request)):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class SecurityHeadersMiddleware:
    """Headers Django does not set itself (the CSP comes from django-csp)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response.setdefault("Cache-Control", "no-store")
        return response


def _exempt(request: HttpRequest, prefixes: tuple[str, ...]) -> bool:
    return request.path.startswith((settings.STATIC_URL, *prefixes))


class IdleLockMiddleware:
    """A session idle longer than the library allows is locked and asks for the password
    again before anything else (CC-4).  Locking and unlocking are audit events."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or _exempt(
            request, (reverse("session_locked"), reverse("account_logout"))
        ):
            return self.get_response(request)
        session = request.session
        now = time.time()
        if not session.get(IDLE_LOCKED):
            last_seen = session.get(IDLE_LAST_SEEN)
            if last_seen is not None and now - last_seen > idle_minutes_for(user) * 60:
                lock_session(request, idle_seconds=int(now - last_seen))
        if session.get(IDLE_LOCKED):
            target = reverse("session_locked")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            if getattr(request, "htmx", False):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return HttpResponseRedirect(target)
        session[IDLE_LAST_SEEN] = now
        return self.get_response(request)


class MFARequiredMiddleware:
    """Directors, designees, the technology coordinator, IT staff and human resources must
    set up a second factor before they can use anything else."""

    allowed_prefixes = ("/accounts/",)

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not _exempt(request, self.allowed_prefixes)
            and request.path != reverse("session_locked")
            and needs_mfa(user)
            and not has_totp(user)
            and not second_factor_checked_elsewhere(request, user)
        ):
            return HttpResponseRedirect(reverse("mfa_required"))
        return self.get_response(request)


class TimeZoneMiddleware:
    """Shows times in the time zone of the library a page is about (core/when.py).

    For staff: the library named by the URL's ``slug`` when they hold a role there, else
    the zone all their libraries share, else the installation's (``settings.TIME_ZONE``).
    A view that learns the library later (an entry's page) calls
    ``core.when.show_times_for(library)``; the portal does so for its library.  No query of
    its own: the person's roles, with their libraries, are read once per request anyway.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request: HttpRequest, view: Callable, args: tuple, kwargs: dict) -> None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        libraries = {m.library_id: m.library for m in user.active_memberships()}.values()
        slug = kwargs.get("slug")
        named = [library for library in libraries if library.slug == slug]
        timezone.activate(zone_of(named[0]) if named else common_zone(libraries))
        return None
