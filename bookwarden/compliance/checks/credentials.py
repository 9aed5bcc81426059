"""Checks of the shared logins (IT-2, IT-4): rotated within the library's period, and
changed at once after an outside party's access.  Two queries for any number of libraries."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.urls import reverse
from django.utils import timezone

from bookwarden.core.models import Library
from bookwarden.credentials.models import MAX_ROTATION_DAYS, Credential, CredentialSettings

from . import CheckResult, Evidence, check, failing, listed, operating, percent, plural

#: A login marked to change now after an outside visit may wait this long (a visit in the
#: evening is changed the next morning) before the control fails.
OUTSIDE_ACCESS_GRACE = datetime.timedelta(days=1)


def _logins(libraries: Sequence[Library]) -> dict[int, list[Credential]]:
    found: dict[int, list[Credential]] = {lib.pk: [] for lib in libraries}
    for c in (
        Credential.objects.in_use()
        .filter(library__in=libraries)
        .only("pk", "library_id", "system", "account_name", "last_changed_on", "due_now_since")
        .order_by("system", "account_name")
    ):
        found[c.library_id].append(c)
    return found


@check(
    "credentials-rotated",
    title="Shared logins changed within the rotation period",
    hint="Record the library's shared logins (servers, routers, firewalls, databases, "
    "internet accounts) and their last change.",
)
def credentials_rotated(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """IT-2: every login in use changed within the library's period (180 days at most)."""
    days = dict(
        CredentialSettings.objects.filter(library__in=libraries).values_list(
            "library_id", "rotation_days"
        )
    )
    today = timezone.localdate(now)
    results: dict[int, CheckResult] = {}
    for library_id, logins in _logins(libraries).items():
        if not logins:
            continue
        period = days.get(library_id, MAX_ROTATION_DAYS)
        overdue = [c for c in logins if c.last_changed_on + datetime.timedelta(days=period) < today]
        current = len(logins) - len(overdue)
        evidence = (
            Evidence("Shared logins in use", len(logins), reverse("credentials:list"), None),
            *(
                Evidence(
                    f"{c} last changed {(today - c.last_changed_on).days} days ago",
                    url=reverse("credentials:detail", args=[c.pk]),
                )
                for c in overdue[:10]
            ),
        )
        summary = (
            f"{current} of {plural(len(logins), 'shared login')} ({percent(current, len(logins))})"
            f" changed within {period} days."
        )
        if overdue:
            results[library_id] = failing(
                summary,
                [
                    f"{plural(len(overdue), 'shared login is', 'shared logins are')} overdue for "
                    f"a change: {listed([str(c) for c in overdue])}."
                ],
                evidence,
                measure=len(overdue),
            )
        else:
            results[library_id] = operating(summary, evidence, measure=0)
    return results


@check(
    "credentials-changed-after-outside-access",
    title="Shared logins changed at once after an outside party's access",
    hint="Record the library's shared logins; an outside party's visit recorded in the "
    "security operations log then marks the logins it names to change.",
)
def credentials_changed_after_outside_access(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """IT-4: no login still waits for its change more than a day after an outside visit."""
    results: dict[int, CheckResult] = {}
    for library_id, logins in _logins(libraries).items():
        if not logins:
            continue
        waiting = [
            c
            for c in logins
            if c.due_now_since is not None and c.due_now_since < now - OUTSIDE_ACCESS_GRACE
        ]
        pending = [c for c in logins if c.due_now_since is not None and c not in waiting]
        evidence = (
            Evidence("Shared logins in use", len(logins), reverse("credentials:list")),
            *(
                Evidence(
                    f"{c} to change since",
                    url=reverse("credentials:detail", args=[c.pk]),
                    when=c.due_now_since,
                )
                for c in waiting[:10]
            ),
        )
        if waiting:
            results[library_id] = failing(
                f"{plural(len(waiting), 'shared login')} not changed after access by someone "
                "outside the library's IT staff.",
                [
                    f"{listed([str(c) for c in waiting])} must change now and "
                    f"{'has' if len(waiting) == 1 else 'have'} waited more than a day."
                ],
                evidence,
                measure=len(waiting),
            )
        else:
            extra = f" {plural(len(pending), 'login')} marked today." if pending else ""
            results[library_id] = operating(
                "No shared login waits for its change after an outside party's access." + extra,
                evidence,
                measure=0,
            )
    return results
