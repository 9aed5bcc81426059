"""``bookwarden retention run [--dry-run] [--library SLUG]``: the daily retention job (CR-6a).

``bookwarden retention show [--library SLUG]`` lists the rules in force.
``bookwarden retention prove [--library SLUG] [--json]`` proves that no patron link is older
than its rule allows (exit 0), or lists what is (exit 1; exit 2 when a link has no rule or
the rules cannot be read).  See docs/retention.md.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.timezone import localtime

from bookwarden.audit.context import audit_context, new_request_id
from bookwarden.core.models import Library
from bookwarden.patrons.records import RECORD_TYPES
from bookwarden.patrons.retention import DEFAULT_CHUNK_SIZE, run_retention
from bookwarden.patrons.retention_lock import RetentionBusy
from bookwarden.patrons.retention_rules import RetentionConfigError, effective_rules, load_defaults

#: ``retention prove`` exits with 1 when links are past their rule, 2 when a link has no
#: rule (or the rules cannot be read): fail closed.
EXIT_PAST_RULE = 1
EXIT_UNREVIEWED = 2


class Command(BaseCommand):
    help = "Apply the retention rules of library records (run), or list them (show)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        run = sub.add_parser("run", help="Unlink or delete records whose time is up.")
        run.add_argument("--dry-run", action="store_true", help="Count only; change nothing.")
        run.add_argument("--library", metavar="SLUG", help="Only this library.")
        run.add_argument(
            "--chunk-size",
            type=int,
            default=DEFAULT_CHUNK_SIZE,
            help=f"Rows per transaction (default {DEFAULT_CHUNK_SIZE}).",
        )
        show = sub.add_parser("show", help="List the rules in force.")
        show.add_argument("--library", metavar="SLUG", help="Only this library.")
        prove = sub.add_parser("prove", help="Prove that no patron link is kept too long.")
        prove.add_argument("--library", metavar="SLUG", help="Only this library.")
        prove.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def _library(self, slug: str | None) -> Library | None:
        if not slug:
            return None
        library = Library.objects.filter(slug=slug).first()
        if library is None:
            raise CommandError(f"No library with slug {slug!r}.")
        return library

    def handle(self, *args: Any, **options: Any) -> None:
        library = self._library(options.get("library"))
        if options["subcommand"] == "show":
            self._show(library)
        elif options["subcommand"] == "prove":
            self._prove(library, options["json"])
        else:
            self._run(library, options["dry_run"], options["chunk_size"])

    def _show(self, library: Library | None) -> None:
        try:
            defaults = load_defaults()
            libraries = [library] if library else list(Library.objects.order_by("slug"))
            for lib in libraries:
                self.stdout.write(f"{lib.slug}:")
                for key, rule in effective_rules(lib, defaults).items():
                    label = RECORD_TYPES[key].label
                    self.stdout.write(f"  {label:<26} {rule.describe():<22} ({rule.source})")
        except RetentionConfigError as exc:
            raise CommandError(str(exc)) from exc

    def _run(self, library: Library | None, dry_run: bool, chunk_size: int) -> None:
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
        with audit_context(request_id=new_request_id("cli-retention-")):
            try:
                run = run_retention(library=library, dry_run=dry_run, chunk_size=chunk_size)
            except RetentionConfigError as exc:
                raise CommandError(f"Retention refused, nothing was changed: {exc}") from exc
            except RetentionBusy as exc:
                raise CommandError(str(exc)) from exc
        verb = "Would change" if dry_run else "Changed"
        self.stdout.write(f"Retention run #{run.pk} ({run.status}{', dry run' if dry_run else ''})")
        for abandoned in run.abandoned_runs.order_by("pk"):
            started = localtime(abandoned.started_at)
            self.stdout.write(
                f"  run #{abandoned.pk}, started {started:%Y-%m-%d %H:%M}, had stopped without "
                f"finishing: marked abandoned ({sum(abandoned.counts.values())} rows done)"
            )
        for slug, per_type in run.details.items():
            for key, detail in per_type.items():
                self.stdout.write(
                    f"  {slug} {key}: {verb.lower()} {detail['count']} "
                    f"({detail['action']} after {detail['after']})"
                )
        if "expired_sessions" in run.counts:
            self.stdout.write(f"  expired sessions: {run.counts['expired_sessions']}")
        if "job_runs" in run.counts and run.library_id is None:
            self.stdout.write(f"  old job runs: {run.counts['job_runs']}")
        self.stdout.write(self.style.SUCCESS(f"{verb} {sum(run.counts.values())} rows."))

    def _prove(self, library: Library | None, as_json: bool) -> None:
        from bookwarden.patrons.retention_proof import take_proof

        with audit_context(request_id=new_request_id("cli-retention-proof-")):
            row, proof = take_proof(library=library)
        if as_json:
            self.stdout.write(json.dumps({"proof": row.pk, **proof.as_json()}, indent=2))
        else:
            self.stdout.write(
                f"Retention proof #{row.pk}: {len(proof.checked)} links and record types "
                f"checked in {proof.seconds:.1f} s"
            )
            for f in proof.findings:
                where = f.library or "no library"
                what = "no rule says how long" if f.kind == "unreviewed" else "past the rule"
                self.stdout.write(f"  {f.table}.{f.column} ({where}): {f.count} rows, {what}")
            if proof.error:
                self.stdout.write(f"  {proof.error}")
        if proof.ok:
            if not as_json:
                self.stdout.write(self.style.SUCCESS("No patron link is kept longer than allowed."))
            return
        code = EXIT_UNREVIEWED if (proof.unreviewed or proof.error) else EXIT_PAST_RULE
        raise CommandError(
            f"Retention proof #{row.pk} failed: {len(proof.findings)} findings.", returncode=code
        )
