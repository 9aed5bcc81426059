"""``bookwarden import patrons|loans FILE.csv --library SLUG [--format ...]`` (docs/import.md),
and ``bookwarden import training FILE.csv --library SLUG``: completed training from an outside
learning system (docs/training.md, :mod:`bookwarden.training.importer`); and ``bookwarden
import devices FILE.csv --library SLUG``: the device inventory (docs/devices.md)."""

from __future__ import annotations

import sys
import zoneinfo
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

MAX_PRINTED_ERRORS = 200


def _training() -> tuple[Any, str]:
    from bookwarden.training.importer import import_completions

    return import_completions, "training completions"


def _devices() -> tuple[Any, str]:
    from bookwarden.devices.importer import import_devices

    return import_devices, "devices"


#: The small files of other apps: their importer and what the summary line calls them
#: (:mod:`bookwarden.patrons.importer.small_files`).
SMALL_FILES = {"training": _training, "devices": _devices}


class Command(BaseCommand):
    help = (
        "Import patrons or loans from an ILS export, all or nothing per file. "
        "Formats: bookwarden (native), koha, evergreen. See docs/import.md. "
        "Also: import training FILE.csv --library SLUG, completed training from a learning "
        "system (docs/training.md); import devices FILE.csv --library SLUG, the device "
        "inventory (docs/devices.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        from bookwarden.patrons.importer import FORMATS, KINDS

        parser.add_argument("kind", choices=(*KINDS, *SMALL_FILES))
        parser.add_argument("file", help="The CSV file (UTF-8, header row first).")
        parser.add_argument("--library", required=True, help="The library's slug.")
        parser.add_argument("--format", dest="fmt", choices=FORMATS, default="bookwarden")
        parser.add_argument(
            "--source",
            help="Name of the ILS the ids belong to (default: the format's name). Loans "
            "find their patrons among the patrons imported with the same source.",
        )
        parser.add_argument(
            "--time-zone",
            help="Zone for timestamps written without a UTC offset (default: TIME_ZONE).",
        )
        parser.add_argument(
            "--skip-unknown-patrons",
            action="store_true",
            help="Loans only: skip and count loans whose patron was not imported (e.g. "
            "Evergreen staff accounts) instead of refusing the file.",
        )
        parser.add_argument(
            "--progress",
            action="store_true",
            help="Show the progress line even when stderr is not a terminal.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from bookwarden.audit.context import audit_context
        from bookwarden.core.models import Library
        from bookwarden.patrons.importer import ImportFailed, check_readable, import_file

        try:
            check_readable(options["file"])  # a folder or a missing file: one line, exit 1
        except ImportFailed as failed:
            raise CommandError(f"{options['file']} was not imported: {failed.reason}.") from None
        try:
            library = Library.objects.get(slug=options["library"])
        except Library.DoesNotExist:
            raise CommandError(f"No library with slug {options['library']!r}.") from None
        if options["kind"] in SMALL_FILES:
            from bookwarden.patrons.importer.small_files import import_from_command

            run, what = SMALL_FILES[options["kind"]]()
            with audit_context():
                import_from_command(self, options["file"], library, run, what)
            return
        tz = None
        if options["time_zone"]:
            try:
                tz = zoneinfo.ZoneInfo(options["time_zone"])
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise CommandError(f"Unknown time zone {options['time_zone']!r}.") from None
        if options["skip_unknown_patrons"] and options["kind"] != "loans":
            raise CommandError("--skip-unknown-patrons applies to loans only.")
        show = options["progress"] or sys.stderr.isatty()
        progress = self._progress if show else None
        try:
            with audit_context():
                result = import_file(
                    options["kind"],
                    options["file"],
                    library,
                    fmt=options["fmt"],
                    source=options["source"],
                    time_zone=tz,
                    skip_unknown_patrons=options["skip_unknown_patrons"],
                    progress=progress,
                )
        except ImportFailed as failed:
            if show:
                self.stderr.write("")
            if failed.reason:
                raise CommandError(
                    f"{options['file']} was not imported: {failed.reason}."
                ) from None
            total = len(failed.errors) + failed.more
            for error in failed.errors[:MAX_PRINTED_ERRORS]:
                self.stderr.write(str(error))
            if total > MAX_PRINTED_ERRORS:
                self.stderr.write(f"... and {total - MAX_PRINTED_ERRORS} more")
            raise CommandError(
                f"{total} bad row(s) in {options['file']}: nothing was imported."
            ) from None
        if show:
            self.stderr.write("")
        counts = result.as_dict()
        parts = [
            f"{counts['rows']} rows",
            f"{counts['created']} created",
            f"{counts['updated']} changed",
            f"{counts['unchanged']} unchanged",
            f"{counts['skipped']} skipped",
        ]
        if counts["skipped_by_reason"]:
            reasons = ", ".join(f"{n} {why}" for why, n in counts["skipped_by_reason"].items())
            parts[-1] += f" ({reasons})"
        if options["kind"] == "patrons":
            parts.append(f"{counts['cards_created']} cards created")
        else:
            parts.append(f"{counts['unlinked_by_retention']} unlinked by retention")
            if counts["deleted_by_retention"]:
                parts.append(f"{counts['deleted_by_retention']} deleted by retention (not stored)")
            parts.append(f"loans rule: {counts['retention_rule']}")
        if counts["unmatched_branches"]:
            parts.append(f"{counts['unmatched_branches']} branch codes matched no branch")
        self.stdout.write(f"Imported {options['kind']}: " + ", ".join(parts))

    def _progress(self, done: int, total: int, rows: int) -> None:
        width = 30
        frac = done / total if total else 1.0
        filled = int(width * frac)
        bar = "#" * filled + "-" * (width - filled)
        self.stderr.write(f"\r[{bar}] {frac:6.1%} {rows} rows", ending="")
        self.stderr.flush()
