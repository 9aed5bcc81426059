"""A library's own disclosure policy: the second layer over its state's pack (NM-1, NM-2,
CR-1, CR-5a, CR-5c, CR-5g).

A policy is a list of rules in exactly the pack's rule format (format 2: ``purpose``, the
yes/no conditions and ``text`` are accepted as in a pack).  Where it is stricter than the
statute it applies; where it is looser it is a *conflict*: reported on every decision it
touches and by :func:`policy_conflicts` (for the custodian's home page), and never applied.

A policy classifies nothing as public: a library's "these are public" is a rule that
releases them (e.g. camera_recordings on an open_records_request).  Where a rule of the
statute answers ``needs_information`` or ``refuse``, such a release is looser than the law: a
conflict, flagged, never applied.  Where the record type falls outside the library-records
law to a public-records law that leaves what is open to the custodian (the pack's
``outside`` answers ``needs_information``), the policy is the custodian's decision and
applies (``evaluate.left_to_the_custodian``).

Interim storage: one YAML file per library, ``<BOOKWARDEN_POLICY_DIR>/<slug>.yaml``
(default ``<DATA_DIR>/policies/<slug>.yaml``)::

    library: cresco
    name: Cresco Public Library, Public Records and Confidentiality
    jurisdiction: US-IA        # optional; must be the library's own when given
    rules:
      - id: CRESCO-5c-parent
        requester: parent
        ...

Policies will move into the database; only :func:`policy_for_library` reads the storage,
so that is the one function to change.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from django.conf import settings

from .evaluate import at_most, left_to_the_custodian, releases, statute_answer
from .loader import parse_rules, read_yaml
from .matching import match
from .schema import (
    BOOLEAN_CONDITIONS,
    FINDINGS,
    INSTRUMENT_TEXT,
    ISSUERS,
    OUTCOME_TEXT,
    PURPOSES,
    RECORDS,
    REQUESTER_TEXT,
    Conflict,
    Facts,
    Pack,
    PackError,
    Policy,
    Rule,
)

_POLICY_KEYS = {"library", "name", "jurisdiction", "rules"}
#: Pack sections a policy may not have: what the law covers, and what it makes public, is
#: the statute's to say; a library's own word on it is a rule.
_PACK_ONLY_KEYS = {"classification", "covers", "outside", "confidentiality"}


def parse_policy(data: Any, source: str) -> Policy:
    """Validate a policy document (a mapping, e.g. from YAML or later from the database)."""
    if not isinstance(data, dict):
        raise PackError(source, "(file)", "must be a mapping with library, name and rules")
    pack_only = sorted(set(data) & _PACK_ONLY_KEYS)
    if pack_only:
        raise PackError(
            source,
            pack_only[0],
            "a library policy classifies nothing: what is public is the statute's to say; "
            "write a rule instead (e.g. release camera_recordings on an open_records_request)",
        )
    unknown = sorted(set(data) - _POLICY_KEYS, key=str)
    if unknown:
        raise PackError(source, str(unknown[0]), "is not a policy key")
    library = data.get("library")
    if not isinstance(library, str) or not library.strip():
        raise PackError(source, "library", "must be the library's slug")
    name = data.get("name", "")
    if not isinstance(name, str):
        raise PackError(source, "name", "must be text")
    jurisdiction = data.get("jurisdiction", "") or ""
    if not isinstance(jurisdiction, str):
        raise PackError(source, "jurisdiction", "must be a code like US-IA")
    rules = parse_rules(data.get("rules"), source, policy=True)
    return Policy(
        library=library.strip(),
        name=" ".join(name.split()),
        rules=rules,
        source=source,
        jurisdiction=jurisdiction,
    )


def load_policy_file(path: Path) -> Policy:
    return parse_policy(read_yaml(path), path.name)


def policy_dir() -> Path:
    configured = getattr(settings, "BOOKWARDEN_POLICY_DIR", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "policies"


def policy_from_rows(library: Any, rows: list[Any]) -> Policy | None:
    """A policy from the library's :class:`~bookwarden.disclosures.models.PolicyRule` rows,
    validated like a file (``None`` when there are none)."""
    if not rows:
        return None
    return parse_policy(
        {
            "library": library.slug,
            "name": f"{library.name} disclosure policy",
            "rules": [row.as_data() for row in rows],
        },
        f"{library.slug} policy",
    )


def policy_for_library(library: Any) -> Policy | None:
    """The library's policy layer, or ``None`` if it has none.  Read from the database (the
    rules set on the policy page); a library with no rules there falls back to a YAML file
    named after its slug in :func:`policy_dir`.  Raises :class:`PackError` if invalid or
    written for another library or state."""
    from django.db import models

    if isinstance(library, models.Model) and library.pk is not None:
        from bookwarden.disclosures.models import PolicyRule

        rows = list(PolicyRule.objects.filter(library_id=library.pk))
        policy = policy_from_rows(library, rows)
        if policy is not None:
            return policy
    slug = getattr(library, "slug", "") or ""
    if not slug or "/" in slug or slug.startswith("."):
        return None
    path = policy_dir() / f"{slug}.yaml"
    if not path.is_file():
        return None
    policy = load_policy_file(path)
    if policy.library != slug:
        raise PackError(path.name, "library", f"is {policy.library!r}, not {slug!r}")
    jurisdiction = getattr(library, "jurisdiction", "")
    if policy.jurisdiction and policy.jurisdiction != jurisdiction:
        raise PackError(
            path.name, "jurisdiction", f"is {policy.jurisdiction}, the library is {jurisdiction}"
        )
    return policy


def _overlapping(rule: Rule, pack: Pack) -> list[Rule]:
    """The pack's rules that could answer the same requests as ``rule``, and ``rule``."""
    return [
        r
        for r in pack.rules
        if set(r.requesters) & set(rule.requesters)
        and set(r.instruments) & set(rule.instruments)
        and set(r.records) & set(rule.records)
    ] + [rule]


def _choices_for(
    key: str, every: tuple[Any, ...], relevant: list[Rule], rule: Rule, absent: Any
) -> tuple[Any, ...]:
    """The values of a list-valued fact worth trying: all of them when any relevant rule
    tests it, else the one value no rule cares about; never one the policy rule excludes."""
    if key == "purpose":
        tested = [r.purposes for r in relevant]
        own = rule.purposes
    else:
        tested = [getattr(r.conditions, key) for r in relevant]
        own = getattr(rule.conditions, key)
    if not any(t is not None for t in tested):
        return (absent,)
    return tuple(v for v in every if own is None or v in own)


def _grid(rule: Rule, pack: Pack) -> list[Facts]:
    """Concrete facts a policy rule matches: every combination that could change a pack's
    answer, with ages and sums at the boundaries any rule names.  Only the facts that the
    pack rules overlapping the policy rule test are varied, so the grid stays small."""
    relevant = _overlapping(rule, pack)
    conds = [r.conditions for r in relevant]
    findings = _choices_for("finding", FINDINGS, relevant, rule, "none")
    issuers = _choices_for("issued_by", ISSUERS, relevant, rule, None)
    purposes = _choices_for("purpose", PURPOSES, relevant, rule, "unstated")
    ages: set[int] = set()
    for c in conds:
        for bound in (c.min_age, c.max_age):
            if bound is not None:
                ages.update({max(bound - 1, 0), bound, bound + 1})
    amounts: set[Any] = set()
    for c in conds:
        if c.min_amount_owed is not None:
            amounts.update({c.min_amount_owed, max(c.min_amount_owed - 1, 0)})
    age_values: list[int | None] = [*sorted(ages)] or [None]
    amount_values: list[Any] = [*sorted(amounts)] or [None]
    flags: list[tuple[bool | None, ...]] = []
    for key in BOOLEAN_CONDITIONS:
        own = getattr(rule.conditions, key)
        if own is not None:
            flags.append((own,))
        elif any(getattr(c, key) is not None for c in conds):
            flags.append((False, True))
        else:
            flags.append((False,) if key == "bill_sent" else (None,))
    out = []
    for requester, instrument, finding, issuer, purpose, age, amount, *flag in itertools.product(
        rule.requesters,
        rule.instruments,
        findings,
        issuers,
        purposes,
        age_values,
        amount_values,
        *flags,
    ):
        out.append(
            Facts(
                jurisdiction=pack.jurisdiction,
                requester=requester,
                instrument=instrument,
                records=rule.records,
                finding=finding,
                age=age,
                amount_owed=amount,
                issued_by=issuer,
                purpose=purpose,
                **dict(zip(BOOLEAN_CONDITIONS, flag, strict=True)),
            )
        )
    return out


def _either(keys: tuple[str, ...], text: dict[str, str]) -> str:
    if len(keys) == len(text):
        return "anyone" if text is REQUESTER_TEXT else "any instrument"
    words = [text[k] for k in keys]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def policy_conflicts(policy: Policy, pack: Pack) -> list[Conflict]:
    """Every place where the policy allows more than the pack: what the custodian's home
    page lists.  A conflict is never applied by :func:`~.evaluate.evaluate`."""
    found: dict[tuple[str, str | None], tuple[set[str], str]] = {}
    for prule in policy.rules:
        if not releases(prule.outcome):
            continue
        for facts in _grid(prule, pack):
            for record in prule.records:
                if match(prule, facts, record) != []:
                    continue
                answer = statute_answer(pack, facts, record)
                if (
                    answer.missing
                    or at_most(prule.outcome, answer.outcome)
                    or left_to_the_custodian(answer)
                ):
                    continue
                if (
                    answer.rule is not None
                    and answer.rule.needs_library_policy
                    and at_most(prule.outcome, answer.rule.outcome)
                ):
                    continue
                key = (prule.id, answer.rule.id if answer.rule else None)
                if key not in found:
                    basis = answer.grounds
                    why = (
                        f"Policy rule {prule.id} ({prule.citation}) says records "
                        f"{OUTCOME_TEXT[prule.outcome]} to "
                        f"{_either(prule.requesters, REQUESTER_TEXT)} on "
                        f"{_either(prule.instruments, INSTRUMENT_TEXT)}, but under "
                        f"{pack.name} law they "
                        f"{OUTCOME_TEXT[answer.outcome]} ({basis})."
                    )
                    found[key] = (set(), why)
                found[key][0].add(record)
    return [
        Conflict(pid, rid, tuple(r for r in RECORDS if r in records), why)
        for (pid, rid), (records, why) in found.items()
    ]
