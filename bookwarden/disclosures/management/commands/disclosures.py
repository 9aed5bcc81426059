"""``bookwarden disclosures evaluate`` (one decision, as JSON) and ``bookwarden disclosures
packs`` (list and validate the rule packs and the library policies) (NM-1, CR-5a, CC-5)."""

from __future__ import annotations

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
from bookwarden.disclosures.rules.loader import override_dir
from bookwarden.disclosures.rules.policy import load_policy_file, policy_dir
from bookwarden.disclosures.rules.schema import (
    FINDINGS,
    INSTRUMENTS,
    ISSUERS,
    RECORDS,
    REQUESTERS,
    Policy,
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
        ev.add_argument("--bill-sent", action="store_true", help="A bill for overdues was sent.")
        ev.add_argument(
            "--card-lost",
            action="store_true",
            help="The request was made with a card reported lost or stolen (CR-5b).",
        )
        ev.add_argument("--amount-owed", help="Dollars the patron owes, e.g. 52.50.")
        ev.add_argument("--issued-by", help="Who issued the subpoena: " + " | ".join(ISSUERS))
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
        decision = evaluate(facts, policy)
        shown = {key: decision.as_dict()[key] for key in TODAYS_KEYS}
        self.stdout.write(json.dumps(shown, indent=2))

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

    def _packs(self) -> None:
        packs, errors = load_all()
        self.stdout.write(f"Rule packs (override folder: {override_dir()}):")
        for code, pack in packs.items():
            unverified = pack.unverified
            self.stdout.write(
                f"  {code}  {pack.name}: {len(pack.rules)} rules, {len(unverified)} unverified"
                + (f" ({', '.join(unverified)})" if unverified else "")
                + f"  [{pack.source}]"
            )
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
