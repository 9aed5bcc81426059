"""``bookwarden policies``: the policies of a consortium (CC-6), which no director of one
member library keeps for the others: ``add`` a policy, add a ``version`` from a Markdown
file, ``review`` it, ``list`` them.  A library's own policies are kept from the pages."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bookwarden.core.models import Consortium
from bookwarden.policies import actions
from bookwarden.policies.models import Audience, Policy


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a date like 2026-07-01.") from exc


class Command(BaseCommand):
    help = "Keep a consortium's policies (they apply at every member library)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        add = sub.add_parser("add", help="Add a policy of a consortium; prints its id.")
        add.add_argument("--consortium", required=True, help="The consortium's slug.")
        add.add_argument("--title", required=True)
        add.add_argument("--audience", default=Audience.ALL_STAFF, help="all_staff | it_staff")
        add.add_argument("--no-signature", action="store_true", help="Staff need not sign it.")
        version = sub.add_parser("version", help="Add a version from a Markdown file.")
        version.add_argument("policy", type=int, help="The policy's id (see list).")
        version.add_argument("file", help="The text, in Markdown.")
        version.add_argument("--effective", required=True, help="The day it takes effect.")
        version.add_argument("--adopted", help="The day it was adopted.")
        version.add_argument("--approved-by", default="")
        version.add_argument(
            "--correction", action="store_true", help="A correction: nobody signs again."
        )
        version.add_argument("--days-to-sign", type=int, default=30)
        version.add_argument("--summary", default="")
        review = sub.add_parser("review", help="Record that a policy was reviewed and kept.")
        review.add_argument("policy", type=int)
        review.add_argument("--note", default="")
        lst = sub.add_parser("list", help="List a consortium's policies.")
        lst.add_argument("--consortium", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["subcommand"])(options)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc

    def _consortium(self, slug: str) -> Consortium:
        try:
            return Consortium.objects.get(slug=slug)
        except Consortium.DoesNotExist as exc:
            raise CommandError(f"No consortium {slug!r}.") from exc

    def _policy(self, pk: int) -> Policy:
        try:
            return Policy.objects.get(pk=pk, consortium__isnull=False)
        except Policy.DoesNotExist as exc:
            raise CommandError(f"No consortium policy {pk}.") from exc

    def _add(self, options: dict[str, Any]) -> None:
        policy = actions.add_policy(
            actor=None,
            consortium=self._consortium(options["consortium"]),
            title=options["title"],
            audience=options["audience"],
            must_sign=not options["no_signature"],
        )
        self.stdout.write(f"Policy {policy.pk} added: {policy.title}")

    def _version(self, options: dict[str, Any]) -> None:
        text = Path(options["file"]).read_text(encoding="utf-8")
        version = actions.add_version(
            actor=None,
            policy=self._policy(options["policy"]),
            text=text,
            effective_on=_date(options["effective"]),
            adopted_on=_date(options["adopted"]) if options["adopted"] else None,
            approved_by=options["approved_by"],
            needs_signatures=not options["correction"],
            days_to_sign=options["days_to_sign"],
            summary=options["summary"],
        )
        self.stdout.write(f"Version {version.number} added, fingerprint {version.fingerprint}")

    def _review(self, options: dict[str, Any]) -> None:
        review = actions.record_review(
            actor=None, policy=self._policy(options["policy"]), note=options["note"]
        )
        self.stdout.write(f"Review recorded; next review {review.next_review_on.isoformat()}")

    def _list(self, options: dict[str, Any]) -> None:
        consortium = self._consortium(options["consortium"])
        for policy in Policy.objects.filter(consortium=consortium).order_by("title"):
            latest = policy.versions.order_by("-number").first()
            where = f"version {latest.number} from {latest.effective_on}" if latest else "no text"
            self.stdout.write(f"{policy.pk:>5}  {policy.title} ({where})")
