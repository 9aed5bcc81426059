"""``bookwarden report board --year Y --library SLUG [--output FILE]``: the annual board
report as a PDF (CC-11, CC-12).

``bookwarden report package --library SLUG --from DATE --to DATE --output FILE``: the grant
auditor's package as a ZIP (CC-8), with the audit log verified; prints its SHA-256.

Both are on record in the audit log, as the installation (the command line).  See
docs/reports.md.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bookwarden.audit.context import audit_context, new_request_id
from bookwarden.core.models import Library
from bookwarden.reports import actions


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {text}") from exc


class Command(BaseCommand):
    help = "Produce the board report (board) or the grant auditor's package (package)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        board = sub.add_parser("board", help="The annual report to the board, as a PDF.")
        board.add_argument("--year", type=int, required=True)
        board.add_argument("--library", metavar="SLUG", required=True)
        board.add_argument(
            "--output",
            metavar="FILE",
            help="Where to write it (default: board-report-SLUG-YEAR.pdf).",
        )
        package = sub.add_parser("package", help="The grant auditor's package, as a ZIP.")
        package.add_argument("--library", metavar="SLUG", required=True)
        package.add_argument("--from", dest="first", metavar="DATE", required=True)
        package.add_argument("--to", dest="last", metavar="DATE", required=True)
        package.add_argument("--output", metavar="FILE", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        library = Library.objects.filter(slug=options["library"]).first()
        if library is None:
            raise CommandError(f"No library with slug {options['library']!r}.")
        with audit_context(request_id=new_request_id("cli-report-")):
            try:
                if options["subcommand"] == "board":
                    self._board(library, options["year"], options.get("output"))
                else:
                    self._package(library, options)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc

    def _write(self, path: str, content: bytes) -> Path:
        target = Path(path)
        if target.parent and not target.parent.exists():
            raise CommandError(f"No such folder: {target.parent}")
        target.write_bytes(content)
        return target

    def _board(self, library: Library, year: int, output: str | None) -> None:
        pdf = actions.produce_board_pdf(actor=None, library=library, year=year)
        target = self._write(output or f"board-report-{library.slug}-{year}.pdf", pdf)
        self.stdout.write(f"Board report of {library.name} for {year} written to {target}.")

    def _package(self, library: Library, options: dict[str, Any]) -> None:
        package = actions.produce_package(
            actor=None,
            library=library,
            first=_date(options["first"]),
            last=_date(options["last"]),
        )
        target = self._write(options["output"], package.content)
        self.stdout.write(
            f"Auditor's package of {library.name} written to {target} "
            f"({len(package.files)} files, SHA-256 {package.sha256})."
        )
        verification = package.verification
        if verification is not None and not verification.ok:
            self.stderr.write(
                f"The audit log did not verify: {verification.result.reason}. "
                "The package says so in audit/verification.json."
            )
            sys.exit(1)
