"""The account review (CC-1, LV-3): each period (a quarter by default) the director looks at
every account of the library and confirms it, removes roles (through core's
``revoke_role``) or ends it (through :func:`..departures.record_departure`).  The review is
saved decision by decision and finished when every account has one; the finished review,
with what the director saw at each decision, is the evidence."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.actions import revoke_role
from bookwarden.core.models import Library, Membership, User
from bookwarden.core.permissions import require
from bookwarden.core.roles import Perm
from bookwarden.core.wording import counted

from ..facts import account_facts, current_memberships, facts_of
from ..models import (
    AccountReview,
    AccountReviewItem,
    AccountReviewSettings,
    Decision,
    Departure,
    local_today,
)
from .departures import end_account, record_departure

#: The reason given to a role removed at the review, and to a departure recorded there.
REMOVED_AT_REVIEW = "Removed at the account review"
ENDED_AT_REVIEW = "Ended at the account review"


@transaction.atomic
def update_review_settings(
    *, actor: User | None, library: Library, every_months: int
) -> AccountReviewSettings:
    """How many months apart the director reviews the accounts (3 by default)."""
    require(actor, Perm.REVIEW_ACCOUNTS, library)
    row, _ = AccountReviewSettings.objects.select_for_update().get_or_create(library=library)
    before = {"every_months": row.every_months}
    row.every_months = every_months
    row.full_clean(exclude=["library"])
    row.save()
    if before["every_months"] != every_months:
        record(
            AuditAction.ACCOUNT_REVIEW_SETTINGS_CHANGED,
            actor=actor,
            target=row,
            library=library,
            before=before,
            after={"every_months": every_months},
        )
    return row


@transaction.atomic
def start_review(*, actor: User | None, library: Library) -> AccountReview:
    """A review of every account holding a role at ``library`` today."""
    require(actor, Perm.REVIEW_ACCOUNTS, library)
    Library.objects.select_for_update().filter(pk=library.pk).first()
    if AccountReview.objects.filter(library=library, finished_at__isnull=True).exists():
        raise ValidationError("An account review is under way: finish it first.")
    user_ids = sorted(
        set(current_memberships(library, local_today(library)).values_list("user_id", flat=True))
    )
    if not user_ids:
        raise ValidationError("Nobody holds a role at this library: there is nothing to review.")
    try:
        with transaction.atomic():
            review = AccountReview.objects.create(library=library, started_by=actor)
    except IntegrityError as exc:
        raise ValidationError("An account review is under way: finish it first.") from exc
    AccountReviewItem.objects.bulk_create(
        AccountReviewItem(review=review, user_id=user_id) for user_id in user_ids
    )
    record(
        AuditAction.ACCOUNT_REVIEW_STARTED,
        actor=actor,
        target=review,
        library=library,
        after={"review": review.pk, "accounts": len(user_ids)},
    )
    return review


def _locked_item(item: AccountReviewItem) -> AccountReviewItem:
    item = (
        AccountReviewItem.objects.select_for_update()
        .select_related("review__library", "user")
        .get(pk=item.pk)
    )
    if item.review.finished_at is not None:
        raise ValidationError("This review is finished; its decisions are kept as they are.")
    if item.decision and item.decision != Decision.CONFIRMED:
        raise ValidationError(
            f"This account has its decision already ({item.get_decision_display().lower()})."
        )
    return item


@transaction.atomic
def decide_account(
    *,
    actor: User | None,
    item: AccountReviewItem,
    decision: str,
    memberships: Iterable[Membership] = (),
    end_now: bool = False,
    note: str = "",
) -> AccountReviewItem:
    """The director's decision on one account of the review:

    * ``confirmed``: the account and its roles are right as they are;
    * ``roles_removed``: ``memberships`` (some of the person's roles here, not all) are
      revoked through core's ``revoke_role``;
    * ``ended``: the person's access here ends (a last day of today, recorded through
      ``record_departure``; at once with ``end_now``).  A last day already recorded stays,
      or ends now with ``end_now``.

    What the director saw (roles, last sign-in, flags) is kept with the decision.  A
    confirmed account may be decided again until the review is finished."""
    require(actor, Perm.REVIEW_ACCOUNTS, item.review.library_id)
    item = _locked_item(item)
    if decision not in Decision.values:
        raise ValidationError({"decision": "Choose what to do with this account."})
    library = item.review.library
    today = local_today(library)
    facts = facts_of(library, item.user)
    held = {m.pk: m for m in facts.memberships}
    item.roles = facts.roles
    item.last_login = item.user.last_login
    item.flags = facts.flags(today)
    item.roles_removed = []
    removed_ids: list[int] = []
    if decision == Decision.ROLES_REMOVED:
        chosen = [m for m in memberships if m.pk in held]
        if not chosen:
            raise ValidationError({"memberships": "Choose the roles to remove."})
        if len(chosen) == len(held):
            raise ValidationError({"memberships": "To remove every role, end the account instead."})
        for membership in chosen:
            revoke_role(actor=actor, membership=membership, reason=REMOVED_AT_REVIEW)
        item.roles_removed = [held[m.pk].get_role_display() for m in chosen]
        removed_ids = [m.pk for m in chosen]
    elif decision == Decision.ENDED:
        _end(actor, item, facts.departure, bool(held), end_now=end_now)
    item.decision = decision
    item.note = note.strip()
    item.decided_by = actor
    item.decided_at = timezone.now()
    item.save()
    record(
        AuditAction.ACCOUNT_REVIEW_DECIDED,
        actor=actor,
        target=item,
        library=library,
        subject_user=item.user,
        after={
            "review": item.review_id,
            "decision": decision,
            "flags": item.flags,
            "roles_removed": removed_ids,
        },
    )
    return item


def _end(
    actor: User | None,
    item: AccountReviewItem,
    pending: Departure | None,
    holds_roles: bool,
    *,
    end_now: bool,
) -> None:
    if actor is not None and actor.pk == item.user_id:
        raise ValidationError("You cannot end your own account.")
    if pending is not None:
        if end_now:
            end_account(actor=actor, departure=pending)
    elif holds_roles:
        record_departure(
            actor=actor,
            user=item.user,
            library=item.review.library,
            last_day=local_today(item.review.library),
            reason=ENDED_AT_REVIEW,
            end_now=end_now,
        )
    # Holding no role here any more: the access has ended already; the decision says so.


@transaction.atomic
def confirm_unflagged(*, actor: User | None, review: AccountReview) -> int:
    """Confirm at once every account still without a decision that nothing flags (signed
    in lately, no end date near, no last day recorded) and that still holds a role here:
    the director then looks at the flagged ones alone.  Each is recorded as its own
    decision.  Returns how many were confirmed."""
    require(actor, Perm.REVIEW_ACCOUNTS, review.library_id)
    review = AccountReview.objects.select_for_update().select_related("library").get(pk=review.pk)
    if review.finished_at is not None:
        raise ValidationError("This review is finished; its decisions are kept as they are.")
    items = list(review.items.filter(decision="").select_related("user", "review__library"))
    facts = account_facts(review.library, [item.user for item in items])
    today = local_today(review.library)
    confirmed = 0
    for item in items:
        known = facts[item.user_id]
        if known.memberships and not known.flags(today):
            decide_account(actor=actor, item=item, decision=Decision.CONFIRMED)
            confirmed += 1
    return confirmed


@transaction.atomic
def finish_review(*, actor: User | None, review: AccountReview) -> AccountReview:
    """Close the review once every account has a decision; it is kept as evidence."""
    require(actor, Perm.REVIEW_ACCOUNTS, review.library_id)
    review = AccountReview.objects.select_for_update().get(pk=review.pk)
    if review.finished_at is not None:
        raise ValidationError("This review is finished already.")
    decisions = list(review.items.values_list("decision", flat=True))
    undecided = decisions.count("")
    if undecided:
        raise ValidationError(
            f"{counted(undecided, 'account')} still {'has' if undecided == 1 else 'have'} "
            "no decision."
        )
    review.finished_at = timezone.now()
    review.finished_by = actor
    review.save(update_fields=["finished_at", "finished_by"])
    summary: dict[str, Any] = {d: decisions.count(d) for d in Decision.values}
    record(
        AuditAction.ACCOUNT_REVIEW_FINISHED,
        actor=actor,
        target=review,
        library=review.library_id,
        after={"review": review.pk, "accounts": len(decisions), **summary},
    )
    return review
