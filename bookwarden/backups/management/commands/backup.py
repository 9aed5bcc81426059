"""``bookwarden backup key|create|verify|restore`` (docs/backups.md; CR-6a, CC-8).

Every refusal is one plain line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.template.defaultfilters import filesizeformat

from bookwarden.audit.context import audit_context, new_request_id

EXIT_REFUSED = 1


class Command(BaseCommand):
    help = (
        "Make a backup key (key), make an encrypted backup (create), check a backup by "
        "restoring it into a scratch database (verify), or restore one into an empty "
        "database (restore)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        key = sub.add_parser("key", help="Make a new backup key file (mode 0600).")
        key.add_argument("--out", required=True, type=Path, help="The key file to write.")
        create = sub.add_parser("create", help="Make one encrypted backup file.")
        create.add_argument(
            "--to",
            type=Path,
            default=None,
            metavar="FOLDER",
            help="Where to write it (default: BOOKWARDEN_BACKUP_DIR).",
        )
        for name, text in (
            ("verify", "Restore a backup into a scratch database and check it; record the result."),
            ("restore", "Restore a backup into this installation's empty database."),
        ):
            command = sub.add_parser(name, help=text)
            command.add_argument("file", type=Path, metavar="FILE")
        for command in (create, sub.choices["verify"], sub.choices["restore"]):
            command.add_argument(
                "--key-file",
                type=Path,
                default=None,
                help="The key file (default: BOOKWARDEN_BACKUP_KEY_FILE).",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        from bookwarden.backups.crypto import BackupRefused

        try:
            with audit_context(request_id=new_request_id("cli-backup-")):
                match options["subcommand"]:
                    case "key":
                        self._key(options["out"])
                    case "create":
                        self._create(options["to"], options["key_file"])
                    case "verify":
                        self._verify(options["file"], options["key_file"])
                    case _:
                        self._restore(options["file"], options["key_file"])
        except BackupRefused as exc:
            self.stderr.write(str(exc))
            sys.exit(EXIT_REFUSED)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            self.stderr.write(f"{where}{exc.strerror or exc}. Nothing was changed.")
            sys.exit(EXIT_REFUSED)

    def _key(self, out: Path) -> None:
        from bookwarden.backups.crypto import LOSING_THE_KEY, make_key_file

        made = make_key_file(out)
        self.stdout.write(f"Backup key written to {out} (mode 0600, key id {made}).")
        self.stdout.write(LOSING_THE_KEY)
        self.stdout.write(
            "Then point BOOKWARDEN_BACKUP_KEY_FILE at it (on the server, readable only by the "
            "account that runs Bookwarden)."
        )

    def _create(self, folder: Path | None, key_file: Path | None) -> None:
        from bookwarden.backups.crypto import BackupRefused
        from bookwarden.backups.making import create_backup

        folder = folder or (Path(settings.BACKUP_DIR) if settings.BACKUP_DIR else None)
        if folder is None:
            raise BackupRefused(
                "Where to? Give --to FOLDER, or set BOOKWARDEN_BACKUP_DIR (the nightly job's "
                "folder)."
            )
        made = create_backup(folder, key_file=key_file)
        backup = made.record
        self.stdout.write(f"Backup written: {made.path}")
        self.stdout.write(
            f"  {filesizeformat(backup.size)} in {backup.seconds:.1f} s; "
            f"{sum(made.manifest.tables.values())} rows in {len(made.manifest.tables)} tables, "
            f"{backup.stored_files} stored files, audit log up to event #{backup.audit_seq}"
        )
        self.stdout.write(f"  SHA-256 {backup.sha256}")
        self.stdout.write(
            "It can be read only with the backup key: losing the key loses this backup."
        )

    def _verify(self, path: Path, key_file: Path | None) -> None:
        from bookwarden.backups.checking import verify_backup

        check = verify_backup(path, key_file=key_file)
        recorded = " (recorded)" if check.pk else " (not recorded: this database is not set up)"
        if not check.ok:
            self.stderr.write(f"Backup check FAILED: {check.failure}{recorded}")
            sys.exit(EXIT_REFUSED)
        self.stdout.write(
            f"Backup check passed: {path.name} restored into a scratch database; "
            f"{check.tables} tables match the manifest's row counts, the audit log's "
            f"{check.audit_events} events verify, {check.stored_files} stored files match "
            f"their SHA-256 ({check.seconds:.1f} s){recorded}."
        )

    def _restore(self, path: Path, key_file: Path | None) -> None:
        from bookwarden.backups.restoring import restore_backup

        result = restore_backup(path, key_file=key_file)
        removed = sum(result.retention_counts.values())
        self.stdout.write(
            f"Restored {result.file_name}: {result.tables} tables, {result.audit_events} "
            f"audit events, {result.stored_files} stored files."
        )
        if result.migrations_applied:
            self.stdout.write(f"  {result.migrations_applied} newer migrations applied.")
        self.stdout.write(
            f"  Retention ran before anything else (run #{result.retention_run}): "
            f"{removed} records whose time was up were unlinked or deleted; "
            f"{result.sessions_deleted} old sessions ended."
        )
        if connection.vendor == "postgresql":
            self.stdout.write(
                "  If the app connects as a role of its own, give it its rights again: "
                "bookwarden audit grants --app-role ROLE (docs/backups.md)."
            )
