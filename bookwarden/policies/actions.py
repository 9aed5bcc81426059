"""Every write to the policy library (IT-1, IT-11, LV-8, CC-4, CC-11, CC-12, NM-7, CR-6b,
CC-6).

Each action runs in one transaction, takes ``actor=`` (``None``: the command line or the
demo), checks the permission and records its audit event in the same transaction.  A
consortium's policy (CC-6) is added and changed from the command line or the demo only
(``actor=None``): no director of one member library writes for the others.  Events carry
ids and dates, never a policy's text or a typed name.
"""

from __future__ import annotations

import calendar
import datetime
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.files import take_in
from bookwarden.core.models import Branch, Consortium, Library, User
from bookwarden.core.permissions import require
from bookwarden.core.roles import Perm, Role
from bookwarden.core.when import zone_of

from .audience import PolicyVersions, applies_at, audience_member, owed
from .models import Audience, Policy, PolicyKind, PolicyReview, PolicyVersion, Signature

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
#: Kinds a library keeps only one of: the portal shows one privacy policy, and staff
#: acknowledge one monitoring notice.
SINGLE_KINDS = (PolicyKind.MONITORING_NOTICE, PolicyKind.PATRON_PRIVACY)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved ``months`` later (the 31st becomes the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _require_manager(actor: User | None, policy_library: Library | None) -> None:
    """A library's policy: its directors (MANAGE_POLICIES).  A consortium's: the command
    line only."""
    if policy_library is None:
        if actor is not None:
            raise PermissionDenied("A consortium's policies are kept from the command line.")
        return
    require(actor, Perm.MANAGE_POLICIES, policy_library)


def _unique_slug(title: str, *, library: Library | None, consortium: Consortium | None) -> str:
    base = slugify(title)[:70] or "policy"
    taken = set(
        Policy.objects.filter(library=library, consortium=consortium).values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def add_policy(
    *,
    actor: User | None,
    title: str,
    library: Library | None = None,
    consortium: Consortium | None = None,
    kind: str = PolicyKind.STAFF,
    audience: str = Audience.ALL_STAFF,
    audience_roles: Iterable[str] = (),
    audience_branches: Iterable[Branch] = (),
    must_sign: bool = True,
    review_every_months: int = 12,
) -> Policy:
    """CC-12: a new policy of a library (or, from the command line, of a consortium, CC-6),
    with its audience; its text comes with its first version."""
    if (library is None) == (consortium is None):
        raise ValueError("A policy belongs to a library or to a consortium.")
    _require_manager(actor, library)
    title = title.strip()
    roles = [r for r in dict.fromkeys(audience_roles) if r]
    branches = list(audience_branches)
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "Give the policy a title."
    if kind == PolicyKind.PATRON_PRIVACY:
        audience, must_sign = Audience.PATRONS, False
    elif audience == Audience.PATRONS:
        errors["audience"] = "Only the privacy policy for patrons is for patrons."
    if kind == PolicyKind.MONITORING_NOTICE:
        must_sign = True
    if audience == Audience.CHOSEN:
        if not roles and not branches:
            errors["audience_roles"] = "Choose the roles or the branches it is for."
        if any(r not in Role.values for r in roles):
            errors["audience_roles"] = "Choose roles from the list."
        if library is None or any(b.library_id != library.pk for b in branches):
            errors["audience_branches"] = "Choose branches of this library."
    else:
        roles, branches = [], []
    if not 1 <= review_every_months <= 60:
        errors["review_every_months"] = "Review it at least every five years."
    if kind in SINGLE_KINDS and (
        Policy.objects.filter(library=library, consortium=consortium, kind=kind)
        .filter(retired_at__isnull=True)
        .exists()
    ):
        errors["kind"] = (
            f"This library already has a {PolicyKind(kind).label.lower()}: add a version to it."
        )
    if errors:
        raise ValidationError(errors)
    policy = Policy.objects.create(
        library=library,
        consortium=consortium,
        title=title,
        slug=_unique_slug(title, library=library, consortium=consortium),
        kind=kind,
        audience=audience,
        audience_roles=roles,
        must_sign=must_sign,
        review_every_months=review_every_months,
        created_by=actor,
    )
    policy.audience_branches.set(branches)
    record(
        AuditAction.POLICY_ADDED,
        actor=actor,
        target=policy,
        library=library,
        after={
            "kind": kind,
            "audience": audience,
            "roles": roles,
            "branches": [b.pk for b in branches],
            "must_sign": must_sign,
            "consortium": consortium.pk if consortium else None,
        },
    )
    return policy


def _versions(policy: Policy) -> PolicyVersions:
    return PolicyVersions(policy, list(policy.versions.order_by("-number")), timezone.localdate())


@transaction.atomic
def add_version(
    *,
    actor: User | None,
    policy: Policy,
    text: str = "",
    document: Any = None,
    effective_on: datetime.date,
    approved_by: str = "",
    adopted_on: datetime.date | None = None,
    needs_signatures: bool = True,
    days_to_sign: int = 30,
    summary: str = "",
) -> PolicyVersion:
    """CC-12, IT-1: a new version of a policy (its Markdown text and/or a PDF kept with its
    SHA-256), who approved it, the board's adoption date and the day it takes effect.
    ``needs_signatures``: a material change that everyone in the audience signs again; a
    correction leaves their signatures standing.  A version after the first also counts as
    the policy's review (CC-11).  The privacy policy's version is published on the portal
    on its effective date (NM-7, CR-6b)."""
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    _require_manager(actor, policy.library)
    text = (text or "").strip()
    errors: dict[str, str] = {}
    if not text and document is None:
        errors["text"] = "Give the policy's text, or upload it as a PDF, or both."
    latest = policy.versions.order_by("-number").first()
    if latest is not None and effective_on < latest.effective_on:
        errors["effective_on"] = (
            "A new version cannot take effect before the version it replaces "
            f"(version {latest.number})."
        )
    if adopted_on is not None and adopted_on > effective_on:
        errors["adopted_on"] = "The board adopts a version before it takes effect."
    if not 1 <= days_to_sign <= 365:
        errors["days_to_sign"] = "Give between 1 and 365 days to sign."
    if errors:
        raise ValidationError(errors)
    version = PolicyVersion(
        policy=policy,
        number=(policy.versions.aggregate(n=Max("number"))["n"] or 0) + 1,
        text=text,
        approved_by=approved_by.strip(),
        adopted_on=adopted_on,
        effective_on=effective_on,
        needs_signatures=needs_signatures if policy.must_sign else False,
        days_to_sign=days_to_sign,
        summary=summary.strip(),
        created_by=actor,
    )
    if document is not None:
        incoming = take_in(
            document, max_bytes=MAX_DOCUMENT_BYTES, field="document", default_name="policy.pdf"
        )
        if not bytes(document.read(5)).startswith(b"%PDF"):
            raise ValidationError({"document": "Upload the policy as a PDF file."})
        document.seek(0)
        version.document_sha256 = incoming.sha256
        version.document_name = incoming.name
        version.document.save(
            f"v{version.number}-{incoming.sha256[:12]}.pdf", File(document), save=False
        )
    version.fingerprint = PolicyVersion.fingerprint_of(text, version.document_sha256)
    version.save()
    today = timezone.localdate()
    if latest is None:
        policy.next_review_on = add_months(adopted_on or effective_on, policy.review_every_months)
    else:
        policy.next_review_on = add_months(today, policy.review_every_months)
        PolicyReview.objects.create(
            policy=policy,
            version=version,
            outcome=PolicyReview.Outcome.NEW_VERSION,
            reviewed_on=today,
            reviewed_by=actor,
            note=version.summary,
            next_review_on=policy.next_review_on,
        )
    policy.save(update_fields=["next_review_on"])
    facts = {
        "version": version.number,
        "effective_on": effective_on.isoformat(),
        "adopted_on": adopted_on.isoformat() if adopted_on else None,
        "needs_signatures": version.needs_signatures,
        "fingerprint": version.fingerprint,
        "document_sha256": version.document_sha256 or None,
    }
    record(
        AuditAction.POLICY_VERSION_ADDED,
        actor=actor,
        target=policy,
        library=policy.library,
        after=facts,
    )
    if policy.kind == PolicyKind.PATRON_PRIVACY:
        record(
            AuditAction.PRIVACY_POLICY_PUBLISHED,
            actor=actor,
            target=policy,
            library=policy.library,
            after={"version": version.number, "shown_from": effective_on.isoformat()},
        )
    return version


@transaction.atomic
def record_review(
    *,
    actor: User | None,
    policy: Policy,
    note: str = "",
    reviewed_on: datetime.date | None = None,
    next_review_on: datetime.date | None = None,
) -> PolicyReview:
    """CC-11: the policy was reviewed and kept as it is; the next review is a year later
    by default (the policy's review period).  A change is a new version instead."""
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    _require_manager(actor, policy.library)
    today = timezone.localdate()
    reviewed_on = reviewed_on or today
    current = _versions(policy).current
    if current is None:
        raise ValidationError(
            "This policy has no version in effect yet: there is nothing to review."
        )
    if reviewed_on > today:
        raise ValidationError({"reviewed_on": "A review cannot be recorded before it happens."})
    next_review_on = next_review_on or add_months(reviewed_on, policy.review_every_months)
    if next_review_on <= today:
        raise ValidationError({"next_review_on": "The next review must be after today."})
    review = PolicyReview.objects.create(
        policy=policy,
        version=current,
        outcome=PolicyReview.Outcome.KEPT,
        reviewed_on=reviewed_on,
        reviewed_by=actor,
        note=note.strip(),
        next_review_on=next_review_on,
    )
    policy.next_review_on = next_review_on
    policy.save(update_fields=["next_review_on"])
    record(
        AuditAction.POLICY_REVIEWED,
        actor=actor,
        target=policy,
        library=policy.library,
        after={
            "version": current.number,
            "reviewed_on": reviewed_on.isoformat(),
            "next_review_on": next_review_on.isoformat(),
        },
    )
    return review


def _plain(name: str) -> str:
    folded = unicodedata.normalize("NFKC", name).casefold()
    return re.sub("[\\s.,'\u2019-]+", "", folded)


def name_matches(typed: str, user: User) -> bool:
    """The typed name is the account's name, ignoring case, spaces and punctuation."""
    typed_plain = _plain(typed)
    names = {user.get_full_name(), user.display_name}
    return bool(typed_plain) and any(typed_plain == _plain(n) for n in names if n.strip())


@transaction.atomic
def sign_policy(
    *,
    actor: User,
    policy: Policy,
    library: Library,
    version: PolicyVersion,
    typed_name: str = "",
    branch: Branch | None = None,
) -> Signature:
    """IT-11, IT-1: a person of the audience signs the version in effect: their typed full
    name, the date (the library's), their branch and the version's fingerprint are kept.
    LV-8, CC-4: the monitoring notice is acknowledged the same way, by pressing a button (the
    account's name is recorded).  Refused: outside the audience, a version not in effect or
    replaced, a policy already signed."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("A person signs for themselves.")
    if not applies_at(policy, library):
        raise PermissionDenied("This policy is not one of this library's.")
    member = audience_member(actor, policy, library)
    if member is None:
        raise PermissionDenied("This policy is not for you: it is for " + _audience_words(policy))
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    versions = _versions(policy)
    notice = policy.kind == PolicyKind.MONITORING_NOTICE
    if not policy.must_sign or versions.to_sign is None:
        raise ValidationError("This policy does not ask for signatures.")
    current = versions.current
    if current is None or version.pk != current.pk:
        raise ValidationError(
            "This version is not current: it is not in effect, or a newer version replaced "
            "it. Read and sign the version in effect."
        )
    mine = list(
        Signature.objects.filter(user=actor, version__policy=policy).select_related("version")
    )
    if any(s.version_id == version.pk for s in mine):
        raise ValidationError(
            "You have already acknowledged this notice."
            if notice
            else "You have already signed this version of the policy."
        )
    standing = owed(versions, member, mine)
    if standing is not None and standing.done:
        raise ValidationError(
            "You have already signed this policy: the latest change is a correction that "
            "does not need a new signature."
        )
    if notice:
        typed_name = typed_name.strip() or actor.get_full_name() or str(actor)
    else:
        typed_name = typed_name.strip()
        if not typed_name:
            raise ValidationError({"typed_name": "Type your full name to sign."})
        if not name_matches(typed_name, actor):
            raise ValidationError(
                {
                    "typed_name": "Type your full name as your account has it: "
                    f"{actor.get_full_name() or actor.display_name or actor.username}."
                }
            )
    choices = member.branches
    named = [b for b in choices if b is not None]
    if branch is None:
        if len(named) > 1:
            raise ValidationError({"branch": "Choose the branch you work at."})
        branch = named[0] if named else None
    elif branch.library_id != library.pk or (branch not in choices and None not in choices):
        # A role for the whole library works at any of its branches.
        raise ValidationError({"branch": "Choose one of the branches you work at."})
    now = timezone.now()
    signature = Signature.objects.create(
        version=version,
        user=actor,
        library=library,
        branch=branch,
        typed_name=typed_name[:150],
        signed_on=timezone.localtime(now, zone_of(library)).date(),
        signed_at=now,
        fingerprint=version.fingerprint,
    )
    record(
        AuditAction.POLICY_NOTICE_ACKNOWLEDGED if notice else AuditAction.POLICY_SIGNED,
        actor=actor,
        target=policy,
        library=library,
        subject_user=actor,
        after={
            "signature": signature.pk,
            "version": version.number,
            "fingerprint": version.fingerprint,
            "branch": branch.pk if branch else None,
        },
    )
    return signature


def _audience_words(policy: Policy) -> str:
    if policy.audience == Audience.IT_STAFF:
        return "IT staff."
    if policy.audience == Audience.CHOSEN:
        return "certain roles or branches."
    if policy.audience == Audience.PATRONS:
        return "patrons, and is not signed."
    return "staff."
