"""``dumpdata`` that never exports library records (NM-1, CC-5, DESIGN mechanism 2).

Django's own ``dumpdata --all`` reads through the base manager, which for the record models
is the unguarded one; this command always excludes the record models, so that no export
of the database reaches a patron's loans, holds, searches or other records.  Back up the
database with the database's own tools instead.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import dumpdata

from bookwarden.patrons.records import RECORD_TYPES


class Command(dumpdata.Command):
    help = dumpdata.Command.help + " Library records of patrons are never exported."

    def handle(self, *app_labels: str, **options: Any) -> None:
        records = [rt.model._meta.label for rt in RECORD_TYPES.values()]
        options["exclude"] = [*(options.get("exclude") or []), *records]
        self.stderr.write(
            "Library records are confidential and never exported: "
            + ", ".join(sorted(records))
            + " left out."
        )
        super().handle(*app_labels, **options)
