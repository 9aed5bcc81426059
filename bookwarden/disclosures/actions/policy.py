"""The library's own disclosure policy (NM-2): rules in the pack format, validated with
the rules already there; a rule looser than the statute is kept but flagged, never
applied."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Library
from bookwarden.core.permissions import require

from ..models import PolicyRule
from ..rules import PackError
from ..rules.policy import parse_policy
from ..rules.schema import OUTCOMES
from .requests import CUSTODIAN


@transaction.atomic
def add_policy_rule(
    *,
    actor: Any,
    library: Library,
    rule_id: str,
    requesters: list[str],
    instruments: list[str],
    records: list[str],
    outcome: str,
    citation: str,
    bill_sent: bool | None = None,
    max_age: int | None = None,
    note: str = "",
) -> PolicyRule:
    """Add one rule to the library's policy, validated by the rules package's validator
    together with the rules already there.  A rule looser than the statute is accepted but
    flagged as a conflict (never applied)."""
    require(actor, CUSTODIAN, library)
    if outcome not in OUTCOMES:
        raise ValidationError({"outcome": "Choose an outcome."})
    rule = PolicyRule(
        library=library,
        rule_id=rule_id.strip(),
        requesters=list(requesters),
        instruments=list(instruments),
        records=list(records),
        bill_sent=bill_sent,
        max_age=max_age,
        outcome=outcome,
        citation=citation.strip(),
        note=note.strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    existing = list(PolicyRule.objects.filter(library=library))
    try:
        parse_policy(
            {"library": library.slug, "rules": [r.as_data() for r in [*existing, rule]]},
            "policy",
        )
    except PackError as exc:
        raise ValidationError(f"{exc.where}: {exc.problem}") from None
    rule.save()
    record(
        AuditAction.DISCLOSURE_POLICY_CHANGED,
        actor=actor,
        target=rule,
        library=library,
        after={"added": rule.as_data()},
    )
    return rule


@transaction.atomic
def remove_policy_rule(*, actor: Any, rule: PolicyRule) -> None:
    require(actor, CUSTODIAN, rule.library_id)
    data = rule.as_data()
    library_id = rule.library_id
    rule.delete()
    record(
        AuditAction.DISCLOSURE_POLICY_CHANGED,
        actor=actor,
        library=library_id,
        before={"removed": data},
    )
