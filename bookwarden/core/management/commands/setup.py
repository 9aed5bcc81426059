"""Installing for real: ``bookwarden setup library|branch|staff|installation-admin|
revoke-installation-admin``.

The first library and its director are created here, from the console of the machine;
everything after that is done by the director from the pages.  The installation role (the
person who runs the server: the periodic jobs, the installation's mail) is granted and
revoked here only, since nobody in a library may grant it.  Each step goes through the same
actions as the pages and is recorded in the audit log with the command's request id.
"""

from __future__ import annotations

import datetime
import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bookwarden.audit.context import audit_context, new_request_id
from bookwarden.core import actions
from bookwarden.core.models import Branch, Consortium, Library, User
from bookwarden.core.roles import InstallationRole, Role

#: What to do after the first director exists, in order (docs/deployment.md).
NEXT_STEPS = """
Next steps, in order (docs/deployment.md):
  1. Sign in as {username} at https://<your server>/ with the password just set.
  2. Set up two-factor sign-in when asked (an authenticator app); keep the recovery codes.
  3. Set mail: EMAIL_HOST and the other EMAIL_* settings of the library's SMTP relay, then
     restart (systemctl restart bookwarden-web bookwarden-jobs).
  4. Start the periodic jobs: systemctl enable --now bookwarden-jobs (in containers, the
     jobs service). Without them no mail is sent and retention does not run.
  5. Schedule backups and keep their key off this server (docs/backups.md).
"""


class Command(BaseCommand):
    help = (
        "Create a library, a branch, or a staff account from the command line; grant or "
        "revoke the installation role."
    )

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

        admin = sub.add_parser(
            "installation-admin",
            help="Give a person the installation role (the periodic jobs, the installation's "
            "mail; nothing inside any library). Creates the account if there is none.",
        )
        admin.add_argument("--username", required=True)
        admin.add_argument("--email", help="Required for a new account.")
        admin.add_argument("--first-name", default="")
        admin.add_argument("--last-name", default="")
        admin.add_argument("--reason", default="", help="Why (kept in the audit log).")
        admin.add_argument(
            "--no-password",
            action="store_true",
            help="New account: create it without a password (set one by password reset).",
        )
        revoke = sub.add_parser(
            "revoke-installation-admin", help="Take the installation role away from a person."
        )
        revoke.add_argument("--username", required=True)
        revoke.add_argument("--reason", default="", help="Why (kept in the audit log).")

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_context(request_id=new_request_id("cli-setup-")):
            try:
                getattr(self, f"_{options['what'].replace('-', '_')}")(options)
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
        self.stdout.write(
            f"Next: its director, with bookwarden setup staff --library {library.slug} "
            "--role director --username ... --email ..."
        )

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
        membership = actions.create_staff(
            actor=None,
            library=library,
            username=o["username"],
            email=o["email"],
            password=self._password(o),
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
        if o["role"] == Role.DIRECTOR:
            self.stdout.write(NEXT_STEPS.format(username=membership.user.username))

    def _password(self, o: dict[str, Any]) -> str | None:
        if o["no_password"]:
            return None
        password = getpass.getpass("Password for the new account: ")
        if password != getpass.getpass("Same password again: "):
            raise CommandError("The two passwords differ. Nothing was created.")
        return password

    def _installation_admin(self, o: dict[str, Any]) -> None:
        role = InstallationRole.ADMINISTRATOR
        user = User.objects.filter(username__iexact=o["username"]).first()
        if user is None:
            if not o["email"]:
                raise CommandError(
                    f"No account {o['username']!r}: give --email (and --first-name, "
                    "--last-name) to create it."
                )
            user = actions.create_installation_account(
                actor=None,
                username=o["username"],
                email=o["email"],
                password=self._password(o),
                first_name=o["first_name"],
                last_name=o["last_name"],
                role=role,
                reason=o["reason"],
            )
        else:
            user = actions.grant_installation_role(
                actor=None, user=user, role=role, reason=o["reason"]
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{user.username} is now {role.label}. They must set up two-factor login at "
                "their next sign-in. The role grants nothing inside any library."
            )
        )

    def _revoke_installation_admin(self, o: dict[str, Any]) -> None:
        user = User.objects.filter(username__iexact=o["username"]).first()
        if user is None:
            raise CommandError(f"No account {o['username']!r}.")
        actions.revoke_installation_role(actor=None, user=user, reason=o["reason"])
        self.stdout.write(
            self.style.SUCCESS(f"{user.username} no longer holds the installation role.")
        )
