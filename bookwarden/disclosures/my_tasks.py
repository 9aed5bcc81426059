""" "My tasks" of the custodian of library records (CC-5, NM-2): requests to decide, to
fulfil, patrons to tell once a gag order ends, letters to post (no address, or an e-mail
the outbox gave up on), and the places where the
library's own policy is looser than its statute.  One query per provider."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from bookwarden.core.my_tasks import Task, task_provider
from bookwarden.core.roles import Perm, permissions_for
from bookwarden.mail.models import MailStatus

from .models import DisclosureRequest, NoticeState, PolicyRule, Status
from .rules import PackError, Policy, load_pack, policy_conflicts
from .rules.policy import policy_for_library, policy_from_rows

if TYPE_CHECKING:
    from bookwarden.core.models import Library, User


CUSTODIAN = Perm.OPEN_RECORDS_AS_CUSTODIAN


def _custodian_libraries(user: User) -> list[Library]:
    return sorted(
        {m.library for m in user.active_memberships() if CUSTODIAN in permissions_for(m.role)},
        key=lambda lib: lib.pk,
    )


@task_provider
def disclosure_requests(user: User) -> Iterable[Task]:
    if not user.library_ids(CUSTODIAN):
        return
    today = timezone.localdate()
    requests = (
        DisclosureRequest.objects.for_user(user, CUSTODIAN)
        .annotate(
            held=Count("notices", filter=Q(notices__state=NoticeState.HELD)),
            # No address, or an e-mail the outbox gave up on: a letter is needed.
            letters=Count(
                "notices",
                filter=Q(notices__state=NoticeState.LETTER_NEEDED)
                | Q(notices__message__status=MailStatus.FAILED),
            ),
        )
        .filter(
            Q(status__in=[Status.RECORDED, Status.DECIDED])
            | Q(held__gt=0, gag_until__lt=today)
            | Q(letters__gt=0, status=Status.FULFILLED)
        )
        .order_by("deadline", "received_at", "pk")
    )
    for req in requests:
        url = reverse("disclosures:detail", args=[req.pk])
        if req.status == Status.RECORDED:
            yield Task(
                f"Request for records #{req.pk}: review and decide",
                "Only the director or a designee answers the requester.",
                url,
                due=req.deadline,
                urgent=req.deadline is not None and req.deadline <= today,
            )
        elif req.status == Status.DECIDED:
            yield Task(
                f"Request for records #{req.pk}: produce the "
                + ("letter" if req.verdict == "refuse" else "packet"),
                "The decision is recorded; fulfil it from the request page.",
                url,
                due=req.deadline,
            )
        if req.held and req.gag_until and req.gag_until < today:
            yield Task(
                f"Request for records #{req.pk}: the non-disclosure order has ended",
                "Tell the patrons whose records were released.",
                url,
                urgent=True,
            )
        if req.letters and req.status == Status.FULFILLED:
            yield Task(
                f"Request for records #{req.pk}: post the patron's letter",
                "The patron has no e-mail address, or the e-mail could not be sent: tell them "
                "by letter, then close the request.",
                url,
            )


@task_provider
def policy_conflict_tasks(user: User) -> Iterable[Task]:
    """NM-2: a library policy looser than the statute is flagged, never applied."""
    libraries = _custodian_libraries(user)
    if not libraries:
        return
    rows: dict[int, list[PolicyRule]] = {lib.pk: [] for lib in libraries}
    for rule in PolicyRule.objects.for_user(user, CUSTODIAN).order_by("pk"):
        rows[rule.library_id].append(rule)
    for library in libraries:
        url = reverse("disclosures:policy", args=[library.slug])
        try:
            policy = policy_from_rows(library, rows[library.pk])
            if policy is None:
                policy = policy_for_library_file(library)
            pack = load_pack(library.jurisdiction)
        except PackError as exc:
            yield Task(f"{library}: the disclosure policy is invalid", str(exc), url, urgent=True)
            continue
        if policy is None or pack is None:
            continue
        for conflict in policy_conflicts(policy, pack):
            yield Task(
                f"{library}: policy rule {conflict.policy_rule} is looser than the statute",
                conflict.why + " It is never applied; change the policy or the rule.",
                url,
                urgent=True,
            )


def policy_for_library_file(library: Library) -> Policy | None:
    """The YAML fallback only (the database rows were read above)."""

    class _FileOnly:
        slug = library.slug
        jurisdiction = library.jurisdiction

    return policy_for_library(_FileOnly())
