"""``bookwarden audit verify|head|anchor|grants``: checking the audit log and keeping its
head outside the database (docs/threat-model.md, docs/deployment-database.md)."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

#: ``verify`` exit codes: intact; damaged (or an anchor file unreadable); with ``--strict``,
#: intact but with a warning (no anchor, or the newest anchor is too old).
EXIT_OK, EXIT_DAMAGED, EXIT_WARNING = 0, 1, 2


class Command(BaseCommand):
    help = (
        "Check the audit log's hash chain and anchors (verify), print its head (head), "
        "write the head to the anchor folder (anchor), or print the app role's PostgreSQL "
        "rights (grants)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser(
            "verify",
            help="Walk the whole chain and check every anchor. Exit 0 if intact, 1 if not.",
        )
        verify.add_argument("--chunk-size", type=int, default=5000)
        verify.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="A head kept elsewhere (from 'audit head' or the directors' weekly mail): "
            "also check that this event is still in the log, unchanged. May be repeated.",
        )
        verify.add_argument(
            "--strict",
            action="store_true",
            help="Exit 2 when the log is intact but there is a warning (no anchor found, or "
            "the newest anchor is older than AUDIT_ANCHOR_MAX_AGE_HOURS).",
        )
        head = sub.add_parser("head", help="Print the newest event's seq and hash as JSON.")
        head.add_argument(
            "--library",
            metavar="SHORT_NAME",
            help="The head of this library's own chain instead (what its directors are "
            "mailed each week), by the library's short name (as in its page addresses).",
        )
        sub.add_parser(
            "anchor",
            help="Check the log, then append its head to the anchor folder (what the nightly "
            "audit-anchor job does).",
        )
        grants = sub.add_parser(
            "grants",
            help="Print the SQL that gives the app's PostgreSQL role its rights (run it as "
            "the owner after every migrate).",
        )
        grants.add_argument("--app-role", required=True, help="The role the app connects as.")

    def handle(self, *args: Any, **options: Any) -> None:
        match options["subcommand"]:
            case "head":
                self._head(options["library"])
            case "anchor":
                self._anchor()
            case "grants":
                self._grants(options["app_role"])
            case _:
                self._verify(options["chunk_size"], options["anchor"], options["strict"])

    def _head(self, slug: str | None) -> None:
        from bookwarden.audit.anchoring import library_head
        from bookwarden.audit.models import AuditEvent
        from bookwarden.core.models import Library

        if slug is None:
            head = AuditEvent.objects.order_by("-seq").values("seq", "hash").first()
            self.stdout.write(json.dumps(head or {"seq": 0, "hash": None}))
            return
        library = Library.objects.filter(slug=slug).first()
        if library is None:
            known = ", ".join(Library.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(f"No library has the short name {slug!r}. Short names: {known}.")
        seq, hash_ = library_head(library.pk) or (0, None)
        self.stdout.write(json.dumps({"library": library.slug, "seq": seq, "hash": hash_}))

    def _verify(self, chunk_size: int, given: list[str], strict: bool) -> None:
        from bookwarden.audit.anchors import AnchorFileError, parse_anchor_text
        from bookwarden.audit.verify import verify_log

        try:
            extra = [parse_anchor_text(text) for text in given]
        except AnchorFileError as exc:
            raise CommandError(str(exc)) from None
        report = verify_log(chunk_size=chunk_size, extra=extra)
        self.stdout.write(json.dumps(report.as_dict()))
        if not report.ok:
            sys.exit(EXIT_DAMAGED)
        if strict and report.warnings:
            sys.exit(EXIT_WARNING)

    def _anchor(self) -> None:
        from bookwarden.audit.anchoring import AnchorRefused, anchor_head

        try:
            anchor = anchor_head(actor=None)
        except AnchorRefused as exc:
            self.stdout.write(json.dumps({"ok": False, "reason": str(exc)}))
            sys.exit(EXIT_DAMAGED)
        self.stdout.write(json.dumps({"ok": True, "anchor": anchor.as_dict() if anchor else None}))

    def _grants(self, role: str) -> None:
        from bookwarden.audit.database_roles import app_role_script

        try:
            self.stdout.write(app_role_script(role), ending="")
        except ValueError as exc:
            raise CommandError(str(exc)) from None
