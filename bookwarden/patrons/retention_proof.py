"""The retention proof (CR-6a, CC-8): no patron link anywhere is older than its rule allows.

:func:`prove` scans every table and column that can link a person to what they read or
used, found from the models rather than listed by hand:

* every foreign key or many-to-many field to ``Patron`` and every field named ``patron`` or
  ``patron_id``, in any installed app (a table added later is covered at once);
* the JSON fields known to hold patron ids (:data:`JSON_PATRON_ID_FIELDS`);
* text that names a patron (a notice's recipient and body, a portal session, a job's error,
  a disclosure packet): every model with free text, JSON or files must be either governed
  by a rule of :data:`~.retention_side_links.SIDE_LINK_RULES` or listed in
  :data:`~.retention_side_links.TEXT_LINKS_REVIEWED` with the reason it names no patron.

It reports, per table, column and library, the number of rows (never their contents) past
the rule: for the seven record types the library's retention rules (the rows a retention
run would change now); for every other link its :class:`~.retention_side_links.SideLinkRule`
(a link is allowed only where a rule says so).  A link that nobody has reviewed is a
finding too (fail closed).  :func:`take_proof` stores the result as a
:class:`~.models_retention.RetentionProof` with its audit events (counts only), the evidence
a compliance control reads; ``bookwarden retention prove`` and the nightly
``retention_proof`` job call it.
"""

from __future__ import annotations

import datetime
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Count
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Library

from .models import Patron
from .models_retention import RetentionAction, RetentionProof
from .records import RECORD_TYPES
from .retention import _UNLINK_ALSO, past_rule
from .retention_rules import RetentionConfigError, Rule, effective_rules, load_defaults
from .retention_side_links import (
    SIDE_LINK_RULES,
    TEXT_LINKS_REVIEWED,
    SideLinkRule,
    portal_patron_of,
)

#: JSON (or encoded JSON) fields known to hold patron ids.
JSON_PATRON_ID_FIELDS = frozenset(
    {"audit.auditevent.before", "audit.auditevent.after", "sessions.session.session_data"}
)
#: Fields that can hold free text, JSON or files, and so may name a patron.
TEXT_FIELD_TYPES = (models.TextField, models.JSONField, models.FileField, models.BinaryField)


@dataclass
class Finding:
    """Rows of one column and library past their rule (or a column nobody reviewed)."""

    table: str
    column: str
    library: str | None
    count: int
    kind: str  # "past_rule" or "unreviewed"
    link: str  # the record type, or the <app>.<model>.<field> key of the link


@dataclass
class Proof:
    taken_at: datetime.datetime
    library: str | None
    findings: list[Finding] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.findings and not self.error

    @property
    def unreviewed(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == "unreviewed"]

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "taken_at": self.taken_at.isoformat(),
            "library": self.library,
            "findings": [asdict(f) for f in self.findings],
            "checked": self.checked,
            "error": self.error,
            "seconds": round(self.seconds, 3),
        }


# -- What links to a patron ------------------------------------------------------------------


def _key(model: type[models.Model], name: str) -> str:
    return f"{model._meta.label_lower}.{name}"


def patron_link_fields() -> dict[str, tuple[type[models.Model], models.Field]]:
    """Every column that links to a patron: foreign keys and many-to-many fields to
    ``Patron``, fields named ``patron`` or ``patron_id``, and the known JSON fields."""
    found: dict[str, tuple[type[models.Model], models.Field]] = {}
    for model in apps.get_models():
        for f in [*model._meta.concrete_fields, *model._meta.many_to_many]:
            key = _key(model, f.name)
            links = (f.is_relation and f.related_model is Patron) or f.name in (
                "patron",
                "patron_id",
            )
            if links or key in JSON_PATRON_ID_FIELDS:
                found[key] = (model, f)
    return found


def text_models() -> list[type[models.Model]]:
    """Every model with a field that can hold free text, JSON or a file."""
    return [
        m
        for m in apps.get_models()
        if any(isinstance(f, TEXT_FIELD_TYPES) for f in m._meta.concrete_fields)
    ]


def _record_type_link(key: str) -> bool:
    return any(key == _key(rt.model, "patron") for rt in RECORD_TYPES.values())


def _unreviewed() -> list[Finding]:
    """Links that no rule governs: each with the number of rows that hold one."""
    out = []
    for key, (model, f) in sorted(patron_link_fields().items()):
        if _record_type_link(key) or key in SIDE_LINK_RULES:
            continue
        if f.many_to_many:
            through = f.remote_field.through  # type: ignore[union-attr]
            count = models.QuerySet(through).count()
            table = through._meta.db_table
        else:
            count = models.QuerySet(model).filter(**{f"{f.name}__isnull": False}).count()
            table = model._meta.db_table
        column = str(getattr(f, "column", None) or f.name)
        out.append(Finding(table, column, None, count, "unreviewed", key))
    governed = {key.rsplit(".", 1)[0] for key in SIDE_LINK_RULES}
    for model in text_models():
        label = model._meta.label_lower
        if label in TEXT_LINKS_REVIEWED or label in governed:
            continue
        columns = ", ".join(
            f.column for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELD_TYPES)
        )
        out.append(
            Finding(
                model._meta.db_table,
                columns,
                None,
                models.QuerySet(model).count(),
                "unreviewed",
                label,
            )
        )
    return out


# -- Rows past their rule ------------------------------------------------------------------


def _record_findings(
    libraries: dict[int, str], rules: dict[int, dict[str, Rule]], now: datetime.datetime
) -> list[Finding]:
    """Per record type, the rows a retention run would change now: one grouped query per
    distinct rule (most libraries share the defaults), never one per row."""
    out = []
    for key, rt in RECORD_TYPES.items():
        by_rule: dict[tuple[str, datetime.timedelta], list[int]] = {}
        for library_id, library_rules in rules.items():
            rule = library_rules[key]
            by_rule.setdefault((rule.action, rule.after), []).append(library_id)
        columns = ", ".join(["patron_id", *_UNLINK_ALSO.get(key, {})])
        for (action, after), library_ids in by_rule.items():
            qs = past_rule(library_ids, key, Rule(key, action, after, ""), now)
            where = "whole row" if action == RetentionAction.DELETE else columns
            counts = qs.values_list("library_id").annotate(n=Count("pk")).order_by()
            for library_id, n in counts:
                out.append(
                    Finding(
                        rt.model._meta.db_table, where, libraries[library_id], n, "past_rule", key
                    )
                )
    return out


def _session_counts(rule: SideLinkRule, now: datetime.datetime) -> Counter[int | None]:
    """Expired sessions that still hold a portal patron, per library (decoded in Python:
    the session store encodes them)."""
    assert rule.beyond is not None
    counts: Counter[int | None] = Counter()
    for session in rule.beyond(now).iterator(chunk_size=2000):
        library_id, patron_id = portal_patron_of(session.get_decoded())
        if patron_id:
            counts[library_id] += 1
    return counts


def _side_findings(libraries: dict[int, str], whole: bool, now: datetime.datetime) -> list[Finding]:
    """Per side link, the rows past its rule; per library where the table says which."""
    out = []
    for key, rule in SIDE_LINK_RULES.items():
        if rule.beyond is None:
            continue
        table, column = rule.table(key), ", ".join(rule.column_names(key))
        counts: Counter[int | None]
        if key == "sessions.session.session_data":
            counts = _session_counts(rule, now)
        elif rule.library_field:
            qs = rule.beyond(now)
            if not whole:
                qs = qs.filter(**{f"{rule.library_field}__in": list(libraries)})
            counts = Counter(
                dict(qs.values_list(rule.library_field).annotate(n=Count("pk")).order_by())
            )
        elif whole:
            counts = Counter({None: rule.beyond(now).count()})
        else:
            continue
        for library_id, n in sorted(counts.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
            if not n or (library_id not in libraries and not whole):
                continue
            slug = libraries.get(library_id) if library_id is not None else None
            out.append(Finding(table, column, slug, n, "past_rule", key))
    return out


def prove(*, library: Library | None = None, now: datetime.datetime | None = None) -> Proof:
    """The proof over every library (or one): findings per table, column and library."""
    started = time.monotonic()
    now = now or timezone.now()
    scope = [library] if library else list(Library.objects.order_by("slug"))
    libraries = {lib.pk: lib.slug for lib in scope}
    proof = Proof(taken_at=now, library=library.slug if library else None)
    proof.checked = sorted({*RECORD_TYPES, *SIDE_LINK_RULES, *patron_link_fields()})
    proof.findings.extend(_unreviewed())
    try:
        defaults = load_defaults()
        rules = {lib.pk: effective_rules(lib, defaults) for lib in scope}
    except RetentionConfigError as exc:
        proof.error = f"The retention rules cannot be read: {exc}"
    else:
        proof.findings.extend(_record_findings(libraries, rules, now))
    proof.findings.extend(_side_findings(libraries, library is None, now))
    proof.seconds = time.monotonic() - started
    return proof


# -- The evidence --------------------------------------------------------------------------


def _summary(findings: list[Finding]) -> list[dict[str, Any]]:
    return [
        {"table": f.table, "column": f.column, "count": f.count, "kind": f.kind} for f in findings
    ]


def take_proof(
    *, library: Library | None = None, now: datetime.datetime | None = None
) -> tuple[RetentionProof, Proof]:
    """Prove, then store the result (a :class:`RetentionProof`) with one
    ``retention.proof`` audit event per library in scope (that library's counts) and, for a
    proof over every library, one of no library with what belongs to none.  Counts only."""
    proof = prove(library=library, now=now)
    scope = [library] if library else list(Library.objects.order_by("slug"))
    with transaction.atomic():
        row = RetentionProof.objects.create(
            library=library,
            taken_at=proof.taken_at,
            ok=proof.ok,
            findings=[asdict(f) for f in proof.findings],
            checked=proof.checked,
            error=proof.error,
            seconds=proof.seconds,
        )
        for lib in scope:
            mine = [f for f in proof.findings if f.library == lib.slug]
            record(
                AuditAction.RETENTION_PROOF,
                target=row,
                library=lib,
                after={"proof": row.pk, "ok": proof.ok, "findings": _summary(mine)},
            )
        if library is None:
            record(
                AuditAction.RETENTION_PROOF,
                target=row,
                after={
                    "proof": row.pk,
                    "ok": proof.ok,
                    "findings": _summary([f for f in proof.findings if f.library is None]),
                    "error": bool(proof.error),
                },
            )
    return row, proof
