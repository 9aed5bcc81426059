"""Checks of the policy library (CC-11, CC-12, NM-7): each policy reviewed within its period
and its version in force adopted by the board.  Two queries for any number of libraries
(a consortium's policies count at each of its members, CC-6)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from bookwarden.core.models import Library
from bookwarden.core.when import day
from bookwarden.policies.models import Policy

from . import CheckResult, Evidence, check, failing, listed, operating, percent, plural


def policies_by_library(
    libraries: Sequence[Library], *, kinds: Sequence[str] = ()
) -> dict[int, list[Policy]]:
    """The policies in force at each library (its own and its consortium's), one query."""
    consortia = {lib.consortium_id for lib in libraries if lib.consortium_id}
    rows = Policy.objects.filter(
        Q(library__in=libraries) | Q(consortium__in=consortia), retired_at__isnull=True
    ).order_by("title")
    if kinds:
        rows = rows.filter(kind__in=kinds)
    found: dict[int, list[Policy]] = {lib.pk: [] for lib in libraries}
    members: dict[int, list[int]] = {}
    for lib in libraries:
        if lib.consortium_id:
            members.setdefault(lib.consortium_id, []).append(lib.pk)
    for policy in rows:
        if policy.library_id is not None:
            found[policy.library_id].append(policy)
        else:
            for library_id in members.get(policy.consortium_id or 0, []):
                found[library_id].append(policy)
    return found


@check(
    "policies-reviewed",
    title="Policies reviewed within their period",
    hint="Keep the library's policies in the policy library, with a version in force and "
    "the date of their next review.",
)
def policies_reviewed(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """CC-11: no policy in force is past the date of its next review."""
    today = timezone.localdate(now)
    results: dict[int, CheckResult] = {}
    for library_id, policies in policies_by_library(libraries).items():
        dated = [p for p in policies if p.next_review_on is not None]
        if not dated:
            continue
        late = [p for p in dated if p.next_review_on is not None and p.next_review_on < today]
        current = len(dated) - len(late)
        evidence = (
            Evidence("Policies in force", len(dated), reverse("policies:list")),
            *(
                Evidence(
                    f"{p.title}: review was due on {day(p.next_review_on)}",
                    url=reverse("policies:detail", args=[p.pk]),
                )
                for p in late[:10]
            ),
        )
        summary = (
            f"{current} of {plural(len(dated), 'policy', 'policies')} "
            f"({percent(current, len(dated))}) reviewed within their period."
        )
        if late:
            results[library_id] = failing(
                summary,
                [
                    f"{plural(len(late), 'policy is', 'policies are')} past the date of "
                    f"{'its' if len(late) == 1 else 'their'} review: "
                    f"{listed([p.title for p in late])}."
                ],
                evidence,
                measure=current / len(dated),
            )
        else:
            results[library_id] = operating(summary, evidence, measure=1.0)
    return results
