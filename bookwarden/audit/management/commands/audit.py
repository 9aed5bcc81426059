"""``bookwarden audit verify`` and ``bookwarden audit head``."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Check the audit log's hash chain (verify) or print its head for anchoring (head)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser(
            "verify",
            help="Walk the whole chain. Exit 0 if intact, 1 at the first broken event.",
        )
        verify.add_argument("--chunk-size", type=int, default=5000)
        verify.add_argument(
            "--anchor",
            help="SEQ:HASH recorded earlier with 'audit head': also check that this event "
            "is still in the chain (catches removal of the newest events).",
        )
        sub.add_parser("head", help="Print the newest event's seq and hash as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        from bookwarden.audit.models import AuditEvent
        from bookwarden.audit.verify import verify_chain

        if options["subcommand"] == "head":
            head = AuditEvent.objects.order_by("-seq").values("seq", "hash").first()
            self.stdout.write(json.dumps(head or {"seq": 0, "hash": None}))
            return
        result = verify_chain(chunk_size=options["chunk_size"])
        out = result.as_dict()
        anchor = options.get("anchor")
        if result.ok and anchor:
            seq_text, _, anchor_hash = anchor.partition(":")
            found = AuditEvent.objects.filter(seq=int(seq_text)).values_list("id", "hash").first()
            if found is None or found[1] != anchor_hash:
                out.update(ok=False, first_bad=found[0] if found else None)
                result.reason = "the anchored event is missing or changed"
        if not out["ok"]:
            out["reason"] = result.reason
        self.stdout.write(json.dumps(out))
        if not out["ok"]:
            sys.exit(1)
