"""``bookwarden disclosures evaluate`` (one decision, as JSON; with ``--explain``, explained
for a person: the law, the rule, the facts it used, its words, the near misses) and
``bookwarden disclosures packs`` (list and validate the rule packs, every version, and the
library policies) (NM-1, NM-4, CR-5a, CR-5b, CR-5g, CC-5)."""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bookwarden.disclosures.rules import (
    Facts,
    PackError,
    evaluate,
    load_all,
    normalize_jurisdiction,
    policy_conflicts,
    policy_for_library,
)
from bookwarden.disclosures.rules.explain import explanation_lines
from bookwarden.disclosures.rules.loader import load_versions, override_dir, today
from bookwarden.disclosures.rules.policy import load_policy_file, policy_dir
from bookwarden.disclosures.rules.schema import (
    BOOLEAN_TEXT,
    FINDINGS,
    INSTRUMENTS,
    ISSUERS,
    PURPOSES,
    RECORDS,
    REQUESTERS,
    Policy,
)

#: The yes/no facts that may be unknown, each with its pair of options (--x / --no-x).
UNKNOWN_UNLESS_GIVEN = (
    "sworn_officer",
    "crime_at_library",
    "particular_suspect",
    "publicly_funded",
    "custodial",
)

#: What ``evaluate`` prints without ``--explain``: the decision's keys before format 2.
TODAYS_KEYS = ("permitted", "outcome", "reasons", "citations", "steps", "conflicts")


def _one_of(value: str, allowed: tuple[str, ...], flag: str) -> str:
    if value not in allowed:
        raise CommandError(f"{flag} {value!r} is not known: use one of {', '.join(allowed)}")
    return value


class Command(BaseCommand):
    help = (
        "Decide a request for library records under the state's rule pack (evaluate), or "
        "list and validate the rule packs and library policies (packs). Not legal advice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        ev = sub.add_parser(
            "evaluate",
            help="Print one JSON object: permitted, outcome, reasons, citations, steps, conflicts.",
        )
        ev.add_argument("--state", help="The state, e.g. MO or US-MO (default: the library's).")
        ev.add_argument("--requester", required=True, help=" | ".join(REQUESTERS))
        ev.add_argument("--instrument", default="none", help=" | ".join(INSTRUMENTS))
        ev.add_argument(
            "--record",
            action="append",
            required=True,
            help="Record type (repeat, or a comma list; 'all' for every type): "
            + " | ".join(RECORDS),
        )
        ev.add_argument("--finding", default="none", help=" | ".join(FINDINGS))
        ev.add_argument("--age", help="The patron's age in years.")
        ev.add_argument(
            "--bill-sent",
            action=argparse.BooleanOptionalAction,
            default=False,
            help="A bill for overdues was sent (default: no).",
        )
        ev.add_argument(
            "--card-lost",
            action="store_true",
            help="The request was made with a card reported lost or stolen (CR-5b).",
        )
        ev.add_argument("--amount-owed", help="Dollars the patron owes, e.g. 52.50.")
        ev.add_argument(
            "--issued-by", help="Who issued the subpoena or order: " + " | ".join(ISSUERS)
        )
        ev.add_argument(
            "--purpose",
            default="unstated",
            help="Why the records are asked for: " + " | ".join(PURPOSES),
        )
        for fact in UNKNOWN_UNLESS_GIVEN:
            ev.add_argument(
                "--" + fact.replace("_", "-"),
                action=argparse.BooleanOptionalAction,
                default=None,
                help=f"Yes or no: {BOOLEAN_TEXT[fact]} (default: not known).",
            )
        ev.add_argument(
            "--on",
            help="The day whose version of the rule pack applies, YYYY-MM-DD (default: today).",
        )
        ev.add_argument(
            "--explain",
            action="store_true",
            help="Explain the decision for a person instead of printing JSON: per record type "
            "the law, the rule with the facts it used and its words, and the near misses.",
        )
        ev.add_argument("--library", help="Library slug: include that library's policy layer.")
        sub.add_parser(
            "packs",
            help="List the rule packs (rules, unverified rules) and the library policies with "
            "their conflicts; exit 1 if any is invalid.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "packs":
            self._packs()
            return
        facts, policy = self._facts(options)
        decision = evaluate(facts, policy, on=self._day(options.get("on")))
        if options["explain"]:
            self.stdout.write("\n".join(explanation_lines(decision.as_dict())))
            return
        shown = {key: decision.as_dict()[key] for key in TODAYS_KEYS}
        self.stdout.write(json.dumps(shown, indent=2))

    @staticmethod
    def _day(value: str | None) -> datetime.date | None:
        if value is None:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise CommandError(f"--on {value!r} is not a day written YYYY-MM-DD") from None

    def _facts(self, options: dict[str, Any]) -> tuple[Facts, Policy | None]:
        requester = _one_of(options["requester"], REQUESTERS, "--requester")
        instrument = _one_of(options["instrument"], INSTRUMENTS, "--instrument")
        finding = _one_of(options["finding"], FINDINGS, "--finding")
        records: list[str] = []
        for value in options["record"]:
            for item in (v.strip() for v in value.split(",")):
                if item == "all":
                    records.extend(RECORDS)
                elif item:
                    records.append(_one_of(item, tuple(RECORDS), "--record"))
        if not records:
            raise CommandError("--record: name at least one record type")
        issued_by = options.get("issued_by")
        if issued_by is not None:
            _one_of(issued_by, ISSUERS, "--issued-by")
        purpose = _one_of(options.get("purpose") or "unstated", PURPOSES, "--purpose")
        age = None
        if options.get("age") is not None:
            try:
                age = int(options["age"])
            except ValueError:
                raise CommandError(f"--age {options['age']!r} is not a whole number") from None
            if not 0 <= age <= 130:
                raise CommandError("--age must be between 0 and 130")
        amount = None
        if options.get("amount_owed") is not None:
            try:
                amount = Decimal(options["amount_owed"])
            except InvalidOperation:
                raise CommandError(
                    f"--amount-owed {options['amount_owed']!r} is not a sum of dollars"
                ) from None
            if not amount.is_finite() or amount < 0:
                raise CommandError("--amount-owed must be zero or more dollars")
        state = None
        if options.get("state"):
            try:
                state = normalize_jurisdiction(options["state"])
            except ValueError as exc:
                raise CommandError(f"--state: {exc}") from None
        policy = None
        if options.get("library"):
            from bookwarden.core.models import Library

            library = Library.objects.filter(slug=options["library"]).first()
            if library is None:
                raise CommandError(f"--library {options['library']!r}: no library has that slug")
            if state is not None and state != library.jurisdiction:
                raise CommandError(
                    f"--state {state} but {library.slug} is in {library.jurisdiction}"
                )
            state = library.jurisdiction
            try:
                policy = policy_for_library(library)
            except PackError as exc:
                raise CommandError(f"the library's policy is invalid: {exc}") from None
        if state is None:
            raise CommandError("give --state (e.g. MO) or --library")
        facts = Facts(
            jurisdiction=state,
            requester=requester,
            instrument=instrument,
            records=tuple(dict.fromkeys(records)),
            finding=finding,
            age=age,
            bill_sent=options["bill_sent"],
            card_lost=options["card_lost"],
            amount_owed=amount,
            issued_by=issued_by,
            purpose=purpose,
            **{fact: options.get(fact) for fact in UNKNOWN_UNLESS_GIVEN},
        )
        return facts, policy

    @staticmethod
    def _jurisdiction_of(slug: str) -> str:
        from bookwarden.core.models import Library

        return (
            Library.objects.filter(slug=slug).values_list("jurisdiction", flat=True).first() or ""
        )

    def _policies_set_on_the_pages(self, packs: dict[str, Any], errors: list[Any]) -> None:
        """The policy layers stored in the database (set on each library's policy page)."""
        from bookwarden.core.models import Library
        from bookwarden.disclosures.models import PolicyRule
        from bookwarden.disclosures.rules.policy import policy_from_rows

        libraries = Library.objects.filter(pk__in=PolicyRule.objects.values("library_id")).order_by(
            "slug"
        )
        self.stdout.write(f"Library policies set on the pages: {len(libraries) or 'none'}")
        for library in libraries:
            try:
                policy = policy_from_rows(library, list(PolicyRule.objects.filter(library=library)))
            except PackError as problem:
                errors.append(problem)
                continue
            if policy is None:
                continue
            self.stdout.write(f"  {library.slug}: {len(policy.rules)} rules")
            under = packs.get(library.jurisdiction)
            for conflict in policy_conflicts(policy, under) if under else []:
                self.stdout.write(f"    CONFLICT {conflict.why} Not applied.")

    def _versions(self, current: dict[str, Any]) -> None:
        """Each pack's version in effect today, and the versions waiting for their day."""
        day = today()
        for code, versions in load_versions([]).items():
            for pack in versions:
                label = pack.version or "no version given"
                since = pack.effective.isoformat() if pack.effective else "always"
                if current.get(code) is pack:
                    self.stdout.write(f"    {code} version {label}, in effect since {since}")
                elif pack.effective is not None and pack.effective > day:
                    self.stdout.write(f"    {code} version {label}, takes effect on {since}")

    def _packs(self) -> None:
        packs, errors = load_all()
        self.stdout.write(f"Rule packs (override folder: {override_dir()}):")
        for code, pack in packs.items():
            unverified = pack.unverified
            unchecked = pack.unchecked
            self.stdout.write(
                f"  {code}  {pack.name}: {len(pack.rules)} rules, {len(unverified)} unverified"
                + (f" ({', '.join(unverified)})" if unverified else "")
                + f", {len(unchecked)} with text not checked"
                + f"  [{pack.source}]"
            )
        self._versions(packs)
        folder = policy_dir()
        paths = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
        self.stdout.write(f"Library policies ({folder}): {len(paths) or 'none'}")
        for path in paths:
            try:
                policy = load_policy_file(path)
            except PackError as problem:
                errors.append(problem)
                continue
            if policy.library != path.stem:
                errors.append(PackError(path.name, "library", f"must be {path.stem!r}"))
                continue
            self.stdout.write(f"  {policy.library}: {len(policy.rules)} rules")
            jurisdiction = policy.jurisdiction or self._jurisdiction_of(policy.library)
            under = packs.get(jurisdiction)
            if under is None:
                continue
            for conflict in policy_conflicts(policy, under):
                self.stdout.write(f"    CONFLICT {conflict.why} Not applied.")
        self._policies_set_on_the_pages(packs, errors)
        if errors:
            for error in errors:
                self.stderr.write(f"INVALID {error}")
            sys.exit(1)
        self.stdout.write(
            "All packs and policies are valid. Not legal advice: unverified "
            "rules must be checked by counsel."
        )
