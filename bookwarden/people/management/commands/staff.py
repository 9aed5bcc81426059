"""``bookwarden staff end-account USERNAME --library SLUG [--last-day YYYY-MM-DD]``: a
person leaves (CC-1, LV-3).

Without ``--last-day`` (or with a day already over) the access at the library ends now;
with a day to come, that last day is recorded and the ``departures`` job ends the access
when the day is over in the library's time zone.  A last day already recorded for the
person is changed.  The same actions as the pages, recorded with the command's request id.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bookwarden.audit.context import audit_context, new_request_id
from bookwarden.core.models import Library, User
from bookwarden.core.wording import counted
from bookwarden.people import actions
from bookwarden.people.models import Departure, local_today


class Command(BaseCommand):
    help = "Staff accounts: end a person's access at a library (end-account)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        end = sub.add_parser(
            "end-account",
            help="A person leaves the library: their access there ends now, or when their "
            "last day is over. Their roles there are revoked; if they work at no other "
            "library, the account is turned off and its sessions end.",
        )
        end.add_argument("username")
        end.add_argument("--library", required=True, help="The library's slug.")
        end.add_argument(
            "--last-day",
            type=datetime.date.fromisoformat,
            help="Their last day (YYYY-MM-DD). Default: today, and the access ends now.",
        )
        end.add_argument("--reason", default="", help="Optional: why they leave.")

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_context(request_id=new_request_id("cli-staff-")):
            try:
                self._end_account(options)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc

    def _end_account(self, o: dict[str, Any]) -> None:
        library = Library.objects.filter(slug=o["library"]).first()
        if library is None:
            raise CommandError(f"No library with slug {o['library']!r}.")
        user = User.objects.filter(username__iexact=o["username"]).first()
        if user is None:
            raise CommandError(f"No account {o['username']!r}.")
        today = local_today(library)
        last_day = o["last_day"] or today
        end_now = o["last_day"] is None or last_day < today
        pending = Departure.objects.pending().filter(user=user, library=library).first()
        if pending is not None:
            departure = actions.change_departure(
                actor=None,
                departure=pending,
                last_day=last_day,
                reason=o["reason"] or pending.reason,
                end_now=end_now,
            )
        else:
            departure = actions.record_departure(
                actor=None,
                user=user,
                library=library,
                last_day=last_day,
                reason=o["reason"],
                end_now=end_now,
            )
        if departure.ended_at is None:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Last day of {user.username} at {library.name}: {last_day.isoformat()}. "
                    "Their access there ends when that day is over."
                )
            )
            return
        account = (
            "the account is turned off and signed out everywhere"
            if departure.account_turned_off
            else "the account stays on (a role at another library, or already off)"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Access of {user.username} at {library.name} ended: "
                f"{counted(departure.roles_ended, 'role')} revoked; {account}."
            )
        )
