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

from bookwarden.core import when as formats
from bookwarden.core.my_tasks import Task, task_provider
from bookwarden.core.roles import Perm, permissions_for
from bookwarden.mail.models import MailStatus

from .models import DisclosureRequest, NoticeState, PolicyRule, Status, Verdict
from .rules import PackError, Policy, load_pack, policy_conflicts
from .rules.policy import policy_for_library, policy_from_rows
from .scopes import PACKET_HOLDS

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
        title = f"Request for records #{req.pk} from {req.requester_name}"
        key = f"disclosures:{req.pk}"
        state = f"{req.get_instrument_display()}, received {formats.day(req.received_at)}."
        if req.status == Status.RECORDED:
            yield Task(
                title,
                "Review it and decide what to release, if anything; only the director or a "
                "designee answers the requester.",
                url,
                due=req.deadline,
                key=key,
                state=state,
            )
        elif req.status == Status.DECIDED:
            yield Task(
                title,
                "Produce the refusal letter and send it."
                if req.verdict == Verdict.REFUSE
                else "Produce the packet of released records and send it with its cover letter."
                if not req.scope
                else f"Produce the packet, which holds {PACKET_HOLDS[req.scope]}, and send "
                "it with its cover letter.",
                url,
                due=req.deadline,
                key=key,
                state=state,
            )
        if req.held and req.gag_until and req.gag_until < today:
            yield Task(
                title,
                "Tell the patrons whose records were released: the order not to tell them "
                f"ended on {formats.day(req.gag_until)}.",
                url,
                urgent=True,
                key=key,
                state=state,
            )
        if req.letters and req.status == Status.FULFILLED:
            yield Task(
                title,
                f"Post {'a letter' if req.letters == 1 else f'{req.letters} letters'} to "
                f"{'the patron' if req.letters == 1 else 'the patrons'} (no e-mail address, or "
                "the e-mail could not be sent), then close the request.",
                url,
                key=key,
                state=state,
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
        title = f"Disclosure policy of {library}"
        try:
            policy = policy_from_rows(library, rows[library.pk])
            if policy is None:
                policy = policy_for_library_file(library)
            pack = load_pack(library.jurisdiction)
        except PackError as exc:
            yield Task(
                title,
                "Correct the policy: until then requests cannot be checked against it.",
                url,
                urgent=True,
                state=f"It cannot be read: {exc}",
            )
            continue
        if policy is None or pack is None:
            continue
        rules = sorted({c.policy_rule for c in policy_conflicts(policy, pack)})
        if rules:
            yield Task(
                title,
                "Change the policy to follow the law.",
                url,
                urgent=True,
                state=(
                    f"{'One rule' if len(rules) == 1 else f'{len(rules)} rules'} "
                    f"({', '.join(rules)}) would release records that {pack.name} law "
                    "protects; "
                    f"{'it is' if len(rules) == 1 else 'they are'} never applied."
                ),
            )


def policy_for_library_file(library: Library) -> Policy | None:
    """The YAML fallback only (the database rows were read above)."""

    class _FileOnly:
        slug = library.slug
        jurisdiction = library.jurisdiction

    return policy_for_library(_FileOnly())
