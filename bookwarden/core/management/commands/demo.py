from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bookwarden.audit.context import audit_context
from bookwarden.core.demo import build_full_demo, demo_exists, extra_logins_texts, logins_text


class Command(BaseCommand):
    help = "Load the demo consortium, libraries and people (never in production mode)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Refusing to load the demo: production mode is on.")
        with audit_context(request_id="cli-demo"):
            if demo_exists():
                self.stdout.write("The demo is already loaded.")
            else:
                build_full_demo()
                self.stdout.write(self.style.SUCCESS("Demo loaded."))
        self.stdout.write(logins_text())
        for text in extra_logins_texts():
            self.stdout.write("")
            self.stdout.write(text)
