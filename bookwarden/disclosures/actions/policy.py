"""The library's own disclosure policy (NM-2): rules in the pack format, validated with
the rules already there; a rule looser than the statute is kept but flagged, never
applied."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Library
from bookwarden.core.permissions import require

from ..models import OUTCOME_CHOICES, DisclosureSettings, PolicyRule
from ..rules import PackError
from ..rules.policy import parse_policy
from .requests import CUSTODIAN

OUTCOMES = tuple(k for k, _ in OUTCOME_CHOICES)
#: The yes/no conditions a policy rule may carry besides ``bill_sent``.
FLAG_CONDITIONS = (
    "sworn_officer",
    "crime_at_library",
    "particular_suspect",
    "publicly_funded",
    "custodial",
)


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
    min_age: int | None = None,
    min_amount_owed: Decimal | None = None,
    purposes: list[str] | None = None,
    sworn_officer: bool | None = None,
    crime_at_library: bool | None = None,
    particular_suspect: bool | None = None,
    publicly_funded: bool | None = None,
    custodial: bool | None = None,
    quote: str = "",
    note: str = "",
) -> PolicyRule:
    """Add one rule to the library's policy (NM-2), validated by the rules package's
    validator together with the rules already there.  A rule may name the purposes it is
    for and the conditions of the pack format (ages, amount owed, the yes/no facts), and
    quote the policy's own sentence.  A rule looser than the statute is accepted but flagged
    as a conflict (never applied)."""
    require(actor, CUSTODIAN, library)
    if outcome not in OUTCOMES:
        raise ValidationError({"outcome": "Choose an outcome."})
    if min_age is not None and max_age is not None and min_age > max_age:
        raise ValidationError({"max_age": "The highest age is below the lowest."})
    given = {
        "sworn_officer": sworn_officer,
        "crime_at_library": crime_at_library,
        "particular_suspect": particular_suspect,
        "publicly_funded": publicly_funded,
        "custodial": custodial,
    }
    rule = PolicyRule(
        library=library,
        rule_id=rule_id.strip(),
        requesters=list(requesters),
        instruments=list(instruments),
        records=list(records),
        purposes=list(purposes or []),
        bill_sent=bill_sent,
        min_age=min_age,
        max_age=max_age,
        min_amount_owed=min_amount_owed,
        flags={name: value for name, value in given.items() if value is not None},
        outcome=outcome,
        citation=citation.strip(),
        quote=quote.strip(),
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


@transaction.atomic
def set_publicly_funded(*, actor: Any, library: Library, publicly_funded: bool | None) -> None:
    """Say whether the library is publicly funded (a fact some states' rules turn on); None
    takes the answer back ("not said": the rules then ask for it)."""
    require(actor, CUSTODIAN, library)
    found = DisclosureSettings.objects.select_for_update().filter(library=library).first()
    before = None if found is None else found.publicly_funded
    if found is None:
        found = DisclosureSettings(library=library)
    found.publicly_funded = publicly_funded
    found.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    found.updated_at = timezone.now()
    found.save()
    record(
        AuditAction.DISCLOSURE_POLICY_CHANGED,
        actor=actor,
        library=library,
        before={"publicly_funded": before},
        after={"publicly_funded": publicly_funded},
    )
