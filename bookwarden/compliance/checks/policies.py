"""Checks of the policy library (CC-11, CC-12, NM-7): each policy reviewed within its period
and its version in force adopted by the board.  Two queries for any number of libraries
(a consortium's policies count at each of its members, CC-6)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from bookwarden.core.models import Library, Membership
from bookwarden.core.when import day
from bookwarden.policies.audience import (
    Owed,
    load_chosen_branches,
    owed,
    people_in_audience,
    signatures_by_user,
    versions_of,
)
from bookwarden.policies.models import Policy, PolicyKind

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


@check(
    "policies-adopted-by-board",
    title="Policy versions in force adopted by the board",
    hint="Record each policy's version in force with the date the board adopted it.",
)
def policies_adopted(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """CC-12, NM-7: the version in force of each policy carries its board adoption date."""
    today = timezone.localdate(now)
    by_library = policies_by_library(libraries)
    versions = versions_of({p.pk: p for ps in by_library.values() for p in ps}.values(), today)
    results: dict[int, CheckResult] = {}
    for library_id, policies in by_library.items():
        current = [(p, versions[p.pk].current) for p in policies if versions[p.pk].current]
        if not current:
            continue
        missing = [p for p, v in current if v is not None and v.adopted_on is None]
        adopted = len(current) - len(missing)
        latest = max((v.adopted_on for _, v in current if v and v.adopted_on), default=None)
        evidence = (
            Evidence("Policies with a version in force", len(current), reverse("policies:list")),
            Evidence("Of them, adopted by the board", adopted),
            *(
                Evidence(
                    f"{p.title}: no adoption date", url=reverse("policies:detail", args=[p.pk])
                )
                for p in missing[:10]
            ),
        )
        summary = (
            f"{adopted} of {plural(len(current), 'policy', 'policies')} in force adopted by the "
            "board" + (f", the latest on {day(latest)}." if latest else ".")
        )
        if missing:
            results[library_id] = failing(
                summary,
                [
                    f"The version in force of {listed([p.title for p in missing])} "
                    f"{'has' if len(missing) == 1 else 'have'} no board adoption date."
                ],
                evidence,
                measure=adopted / len(current),
            )
        else:
            results[library_id] = operating(summary, evidence, measure=1.0)
    return results


def _owed_by_library(
    libraries: Sequence[Library], now: datetime.datetime, kinds: Sequence[str]
) -> dict[int, list[Owed]]:
    """What the staff of each library owe the signed policies of ``kinds``: five queries
    for any number of libraries and people (policies, versions, chosen branches, roles,
    signatures)."""
    today = timezone.localdate(now)
    by_library = policies_by_library(libraries, kinds=kinds)
    policies = {p.pk: p for ps in by_library.values() for p in ps if p.must_sign}
    found: dict[int, list[Owed]] = {lib.pk: [] for lib in libraries}
    if not policies:
        return found
    versions = versions_of(policies.values(), today)
    signable = {pk: v for pk, v in versions.items() if v.to_sign is not None}
    if not signable:
        return found
    load_chosen_branches([v.policy for v in signable.values()])
    memberships: dict[int, list[Membership]] = {lib.pk: [] for lib in libraries}
    for m in (
        Membership.objects.active(today)
        .filter(library__in=libraries)
        .select_related("user", "branch")
        .order_by("pk")
    ):
        memberships[m.library_id].append(m)
    signed = signatures_by_user(list(signable))
    for library in libraries:
        for policy in by_library[library.pk]:
            state = signable.get(policy.pk)
            if state is None:
                continue
            for member in people_in_audience(policy, library, memberships[library.pk]):
                item = owed(state, member, signed.get((policy.pk, member.user.pk), []))
                if item is not None:
                    found[library.pk].append(item)
    return found


def _signatures_result(items: list[Owed], today: datetime.date, what: str) -> CheckResult:
    done = sum(item.done for item in items)
    late = [item for item in items if item.overdue(today)]
    by_policy: dict[str, list[str]] = {}
    for item in late:
        by_policy.setdefault(item.policy.title, []).append(str(item.member.user))
    policies = {item.policy.pk: item.policy for item in items}
    evidence = tuple(
        Evidence(
            f"{p.title}: signed by {sum(i.done for i in items if i.policy.pk == p.pk)} of "
            f"{sum(1 for i in items if i.policy.pk == p.pk)}",
            url=reverse("policies:notice")
            if p.kind == PolicyKind.MONITORING_NOTICE
            else reverse("policies:detail", args=[p.pk]),
        )
        for p in policies.values()
    )
    summary = f"{done} of {len(items)} {what} ({percent(done, len(items))}) done."
    if late:
        return failing(
            summary,
            [
                f"{title}: {plural(len(names), 'person is', 'people are')} past the date to "
                f"sign: {listed(sorted(names))}."
                for title, names in by_policy.items()
            ],
            evidence,
            measure=done / len(items),
        )
    return operating(summary, evidence, measure=done / len(items))


@check(
    "policies-signed",
    title="Staff have signed the policies they must sign",
    hint="Mark the staff policies (the information systems security agreement, the IT staff "
    "policy) as to be signed: each person's signature is then recorded.",
)
def policies_signed(libraries: Sequence[Library], now: datetime.datetime) -> dict[int, CheckResult]:
    """IT-1, IT-11: every person of a policy's audience signed its version in force by its
    due date (read, signed, dated, with their name and branch)."""
    today = timezone.localdate(now)
    return {
        library_id: _signatures_result(items, today, "signatures owed")
        for library_id, items in _owed_by_library(libraries, now, [PolicyKind.STAFF]).items()
        if items
    }


@check(
    "monitoring-notice-acknowledged",
    title="Staff have acknowledged that their use of library systems is monitored",
    hint="Publish the notice that library systems are monitored, for staff to acknowledge.",
)
def monitoring_notice(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """LV-8, CC-4: every person acknowledged the monitoring notice in force by its due date."""
    today = timezone.localdate(now)
    return {
        library_id: _signatures_result(items, today, "acknowledgements owed")
        for library_id, items in _owed_by_library(
            libraries, now, [PolicyKind.MONITORING_NOTICE]
        ).items()
        if items
    }


@check(
    "privacy-policy-published",
    title="The patrons' privacy policy is published, its changes effective on posting",
    hint="Add the patrons' privacy policy to the policy library: the patrons' portal then "
    "publishes its version in force.",
)
def privacy_policy_published(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """CR-6b, NM-7: a privacy policy for patrons is in force and shown on the portal, with a
    board adoption date and its review on time."""
    today = timezone.localdate(now)
    by_library = policies_by_library(libraries, kinds=[PolicyKind.PATRON_PRIVACY])
    versions = versions_of({p.pk: p for ps in by_library.values() for p in ps}.values(), today)
    slugs = {lib.pk: lib.slug for lib in libraries}
    results: dict[int, CheckResult] = {}
    for library_id, policies in by_library.items():
        # The portal publishes the library's own privacy policy (policies.published).
        own = [p for p in policies if p.library_id == library_id]
        if not own:
            continue
        policy = own[0]
        current = versions[policy.pk].current
        if current is None:
            results[library_id] = failing(
                "The privacy policy has no version in force.",
                [f"{policy.title} has no version whose effective date has come."],
                (Evidence(policy.title, url=reverse("policies:detail", args=[policy.pk])),),
                measure=0,
            )
            continue
        evidence = (
            Evidence(
                f"Published on the patrons' portal, version {current.number}",
                url=reverse("portal:privacy", args=[slugs[library_id]]),
                when=None,
            ),
            Evidence(
                f"In effect since {day(current.effective_on)}"
                + (
                    f", adopted by the board on {day(current.adopted_on)}"
                    if current.adopted_on
                    else ""
                ),
                url=reverse("policies:detail", args=[policy.pk]),
            ),
        )
        failures = []
        if current.adopted_on is None:
            failures.append(f"The version in force of {policy.title} has no board adoption date.")
        if policy.next_review_on is not None and policy.next_review_on < today:
            failures.append(
                f"{policy.title} was due for its review on {day(policy.next_review_on)}."
            )
        summary = f"{policy.title} is published, version {current.number}."
        results[library_id] = (
            failing(summary, failures, evidence, measure=0)
            if failures
            else operating(summary, evidence, measure=1)
        )
    return results
