"""``bookwarden demo``: load the demo and print its logins; with ``--serve``, also serve it
with the job loop beside the web server (what ``make demo`` runs)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bookwarden.audit.context import audit_context
from bookwarden.core.demo import (
    DEFAULT_ADDRESS,
    addresses_text,
    build_full_demo,
    demo_exists,
    extra_logins_texts,
    logins_text,
    site_address,
)


def _bookwarden(*args: str) -> list[str]:
    """The command line of another ``bookwarden`` subcommand, in this Python."""
    return [sys.executable, "-m", "bookwarden", *args]


class Command(BaseCommand):
    help = (
        "Load the demo consortium, libraries and people (never in production mode). "
        "With --serve, also serve it and run the periodic jobs beside it until Ctrl-C."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--serve",
            nargs="?",
            const=DEFAULT_ADDRESS,
            metavar="[HOST:]PORT",
            help=f"Serve the demo there (default {DEFAULT_ADDRESS}) with the job loop beside "
            "it (mail, reminders and the other periodic work); Ctrl-C stops both.",
        )
        parser.add_argument(
            "--address",
            default=None,
            metavar="[HOST:]PORT",
            help="Without --serve: the address you will serve at, for the printed links.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Refusing to load the demo: production mode is on.")
        with audit_context(request_id="cli-demo"):
            if demo_exists():
                self.stdout.write("The demo is already loaded.")
            else:
                build_full_demo()
                self.stdout.write(self.style.SUCCESS("Demo loaded."))
        addrport = options["serve"] or options["address"] or DEFAULT_ADDRESS
        site = site_address(addrport)
        self.stdout.write(logins_text())
        for text in extra_logins_texts(site):
            self.stdout.write("")
            self.stdout.write(text)
        self.stdout.write("")
        self.stdout.write(addresses_text(site))
        if options["serve"]:
            self._serve(addrport)
        else:
            self.stdout.write(
                f"Serve it with: bookwarden runserver {addrport}, and run the periodic jobs "
                "(mail and the rest) beside it with: bookwarden jobs run"
            )

    def _serve(self, addrport: str) -> None:
        """The web server and the job loop beside it; mail goes to files when no mail
        server is set."""
        env = dict(os.environ)
        note = ""
        if not os.environ.get("EMAIL_HOST"):
            # No mail server: the messages go to files, not over the log of the server.
            env.setdefault("BOOKWARDEN_MAIL_DIR", str(settings.DATA_DIR / "demo-mail"))
            note = (
                f"\nMail is not sent: each message is written to {env['BOOKWARDEN_MAIL_DIR']}/"
                " and listed on the Outbox page."
            )
        self.stdout.write(
            "The job loop runs beside the server: mail, reminders and the other periodic "
            "work happen while it runs.  Ctrl-C stops both." + note
        )
        self.stdout.flush()
        # Our own command line, with the address the person gave: no shell is involved.
        run_side_by_side(
            server=_bookwarden("runserver", "--noreload", addrport),
            jobs=_bookwarden("jobs", "run", "--interval", "15"),
            jobs_env=env,
        )


def run_side_by_side(*, server: list[str], jobs: list[str], jobs_env: dict[str, str]) -> None:
    """Run the web server and the job loop as two child processes until one stops; Ctrl-C
    (or SIGTERM) stops both, and either one stopping stops the other."""
    job_loop = subprocess.Popen(jobs, env=jobs_env)  # noqa: S603
    web = subprocess.Popen(server)  # noqa: S603
    previous = signal.signal(signal.SIGTERM, lambda *_: _stop(web, job_loop))
    try:
        while web.poll() is None and job_loop.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                web.wait(timeout=1)
    except KeyboardInterrupt:
        pass  # the children got the same Ctrl-C from the terminal
    finally:
        _stop(web, job_loop)
        signal.signal(signal.SIGTERM, previous)
    if job_loop.returncode not in (0, -signal.SIGTERM, -signal.SIGINT):
        raise CommandError(f"The job loop stopped (exit status {job_loop.returncode}).")
    if web.returncode not in (0, -signal.SIGTERM, -signal.SIGINT):
        raise CommandError(f"The web server stopped (exit status {web.returncode}).")


def _stop(*children: subprocess.Popen[bytes]) -> None:
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
