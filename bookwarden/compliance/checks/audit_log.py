"""Checks of the audit log (LV-3, CC-8): every account is one person's, every event names who
acted, and the chain of events was verified recently.  Bounded queries for any number of
libraries."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.models import AuditEvent
from bookwarden.core.models import Library, Membership

from . import CheckResult, Evidence, check, failing, listed, operating, plural

#: The events counted as evidence: a month's (the log's own check covers all of them).
RECENT = datetime.timedelta(days=30)


@check(
    "events-attributable",
    title="Every action attributable to one person",
    hint="Give every person their own account: the audit log then names who did each thing.",
)
def events_attributable(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """LV-3: every active account of the library is one named person's (a name and an e-mail
    address no other account shares), and the events of the last 30 days name who acted (a
    person, or the system for jobs and the command line)."""
    people: dict[int, dict[int, tuple[str, str]]] = {lib.pk: {} for lib in libraries}
    for library_id, user_id, username, first, last, display, email in (
        Membership.objects.active(timezone.localdate(now))
        .filter(library__in=libraries, user__is_active=True)
        .values_list(
            "library_id",
            "user_id",
            "user__username",
            "user__first_name",
            "user__last_name",
            "user__display_name",
            "user__email",
        )
    ):
        named = display or f"{first} {last}".strip()
        people[library_id][user_id] = (named or username, email.strip().lower())
    counts = {
        row["library_id"]: row
        for row in AuditEvent.objects.filter(library__in=libraries, created_at__gte=now - RECENT)
        .values("library_id")
        .annotate(
            events=Count("pk"),
            by_person=Count("pk", filter=Q(actor__isnull=False)),
        )
        .order_by()
    }
    slugs = {lib.pk: lib.slug for lib in libraries}
    results: dict[int, CheckResult] = {}
    for library_id, accounts in people.items():
        if not accounts:
            continue
        unnamed = [name for name, _ in accounts.values() if " " not in name]
        by_email: dict[str, list[str]] = {}
        for name, email in accounts.values():
            if email:
                by_email.setdefault(email, []).append(name)
        shared = sorted(name for names in by_email.values() if len(names) > 1 for name in names)
        row = counts.get(library_id, {"events": 0, "by_person": 0})
        evidence = (
            Evidence(
                "Active accounts", len(accounts), reverse("staff_list", args=[slugs[library_id]])
            ),
            Evidence(
                "Events in the audit log over the last 30 days",
                row["events"],
                reverse("audit:list"),
            ),
            Evidence(
                "Of them, done by a named person (the rest by the system's jobs)", row["by_person"]
            ),
        )
        failures = []
        if unnamed:
            failures.append(
                f"{plural(len(unnamed), 'account has', 'accounts have')} no person's full "
                f"name: {listed(sorted(unnamed))}."
            )
        if shared:
            failures.append(
                f"These accounts share an e-mail address, as if one person used several or "
                f"several people one: {listed(shared)}."
            )
        summary = (
            f"{plural(len(accounts), 'active account')}, each one person's; "
            f"{row['by_person']} of {plural(row['events'], 'event')} of the last 30 days done by a "
            "named person, the rest by the system."
        )
        if failures:
            results[library_id] = failing(
                f"{len(unnamed) + len(shared)} of {plural(len(accounts), 'active account')} "
                "may not be one person's.",
                failures,
                evidence,
                measure=len(unnamed) + len(shared),
            )
        else:
            results[library_id] = operating(summary, evidence, measure=0)
    return results
