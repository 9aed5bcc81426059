from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bookwarden.audit.context import audit_context
from bookwarden.core.demo import build_demo, demo_exists, logins_text


class Command(BaseCommand):
    help = "Load the demo consortium, libraries and people (never in production mode)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Refusing to load the demo: production mode is on.")
        with audit_context(request_id="cli-demo"):
            if demo_exists():
                self.stdout.write("The demo is already loaded.")
            else:
                from django.db import transaction

                from bookwarden.breach.demo import build_breach_demo
                from bookwarden.disclosures.demo import build_disclosure_demo
                from bookwarden.enforcement.demo import build_enforcement_demo
                from bookwarden.operations.demo import build_operations_demo
                from bookwarden.patrons.demo import build_patron_demo, build_portal_showcase

                with transaction.atomic():
                    people = build_demo()
                    patrons = build_patron_demo(people)
                    build_portal_showcase(people, patrons)
                    build_operations_demo(people)
                    build_enforcement_demo(people)
                    build_breach_demo(people, patrons)
                    build_disclosure_demo(people, patrons)
                self.stdout.write(self.style.SUCCESS("Demo loaded."))
        from bookwarden.patrons.demo import portal_logins_text

        self.stdout.write(logins_text())
        self.stdout.write("")
        self.stdout.write(portal_logins_text())
