"""Installing for real: ``bookwarden setup library|branch|staff``.

The first library and its director are created here, from the console of the machine;
everything after that is done by the director from the pages.  Each step goes through the
same actions as the pages and is recorded in the audit log with the command's request id.
"""

from __future__ import annotations

import datetime
import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bookwarden.audit.context import audit_context, new_request_id
from bookwarden.core import actions
from bookwarden.core.models import Branch, Consortium, Library
from bookwarden.core.roles import Role


class Command(BaseCommand):
    help = "Create a library, a branch, or a staff account from the command line."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        lib = sub.add_parser("library", help="Create a library.")
        lib.add_argument("--name", required=True)
        lib.add_argument("--slug", required=True)
        lib.add_argument("--jurisdiction", required=True, help="e.g. US-MO, US-IA, US-NY")
        lib.add_argument("--consortium", help="Consortium slug (created if new).")
        lib.add_argument("--consortium-name", help="Name for a new consortium.")
        branch = sub.add_parser("branch", help="Add a branch to a library.")
        branch.add_argument("--library", required=True)
        branch.add_argument("--name", required=True)
        branch.add_argument("--slug", required=True)
        staff = sub.add_parser("staff", help="Create a staff account with a role.")
        staff.add_argument("--library", required=True)
        staff.add_argument("--username", required=True)
        staff.add_argument("--email", required=True)
        staff.add_argument("--first-name", default="")
        staff.add_argument("--last-name", default="")
        staff.add_argument("--role", required=True, choices=Role.values)
        staff.add_argument("--branch", help="Branch slug, for a branch-only role.")
        staff.add_argument(
            "--ends-on",
            type=datetime.date.fromisoformat,
            help="Last day of access (YYYY-MM-DD); required for contractors.",
        )
        staff.add_argument(
            "--no-password",
            action="store_true",
            help="Create without a password (set one later by password reset).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_context(request_id=new_request_id("cli-setup-")):
            try:
                getattr(self, f"_{options['what']}")(options)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc

    def _library_or_fail(self, slug: str) -> Library:
        try:
            return Library.objects.get(slug=slug)
        except Library.DoesNotExist as exc:
            raise CommandError(f"No library with slug {slug!r}.") from exc

    def _library(self, o: dict[str, Any]) -> None:
        consortium = None
        if o["consortium"]:
            consortium = Consortium.objects.filter(slug=o["consortium"]).first()
            if consortium is None:
                consortium = actions.create_consortium(
                    actor=None, name=o["consortium_name"] or o["consortium"], slug=o["consortium"]
                )
        library = actions.create_library(
            actor=None,
            name=o["name"],
            slug=o["slug"],
            jurisdiction=o["jurisdiction"],
            consortium=consortium,
        )
        self.stdout.write(self.style.SUCCESS(f"Library {library.slug} created."))

    def _branch(self, o: dict[str, Any]) -> None:
        library = self._library_or_fail(o["library"])
        branch = actions.create_branch(actor=None, library=library, name=o["name"], slug=o["slug"])
        self.stdout.write(self.style.SUCCESS(f"Branch {branch.slug} created."))

    def _staff(self, o: dict[str, Any]) -> None:
        library = self._library_or_fail(o["library"])
        branch = None
        if o["branch"]:
            branch = Branch.objects.filter(library=library, slug=o["branch"]).first()
            if branch is None:
                raise CommandError(f"No branch {o['branch']!r} at {library.slug}.")
        password = None
        if not o["no_password"]:
            password = getpass.getpass("Password for the new account: ")
            if password != getpass.getpass("Same password again: "):
                raise CommandError("The two passwords differ. Nothing was created.")
        membership = actions.create_staff(
            actor=None,
            library=library,
            username=o["username"],
            email=o["email"],
            password=password,
            role=o["role"],
            first_name=o["first_name"],
            last_name=o["last_name"],
            branch=branch,
            ends_on=o["ends_on"],
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{membership.user.username} is now {membership.get_role_display()} at "
                f"{library.name}."
            )
        )
