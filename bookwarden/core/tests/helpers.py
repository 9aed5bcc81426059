"""Helpers of the core tests: sudo mode, logging in through the pages, TOTP codes."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.account.internal.userkit import user_id_to_str
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from bookwarden.audit.models import AuditEvent
from bookwarden.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from bookwarden.core.models import Library, Membership, User

# allauth keeps whose authentication records the session holds next to the records.
_RECORDS_USER_SESSION_KEY = "account_authentication_methods_user"

#: Everyone of the demo, New Madrid's people first, then Cresco's, then the person who runs
#: the server.
NEW_MADRID_PERSONAS = (
    "director",
    "designee",
    "assistant_director",
    "tech_coordinator",
    "it_staff",
    "human_resources",
    "staff",
    "volunteer",
    "contractor",
    "auditor",
)
OUTSIDERS = ("outsider", "outsider_staff")
#: The installation role (the periodic jobs, the installation's mail), with no library role:
#: it reaches no library's page (issue 9).
INSTALLATION = ("server_admin",)
PERSONAS = NEW_MADRID_PERSONAS + OUTSIDERS + INSTALLATION


def reauthenticated_records(user: User) -> dict[str, object]:
    """What allauth's session holds right after ``user`` typed their password again on the
    reauthenticate page: the state that ``reauthentication_required`` checks."""
    return {
        AUTHENTICATION_METHODS_SESSION_KEY: [
            {"method": "password", "at": time.time(), "reauthenticated": True}
        ],
        _RECORDS_USER_SESSION_KEY: user_id_to_str(user),
    }


def mark_reauthenticated(client: Client, user: User) -> Client:
    """Put ``client``'s session in allauth's sudo mode (just reauthenticated)."""
    session = client.session
    session.update(reauthenticated_records(user))
    session.save()
    return client


def login_through_page(
    client: Client, username: str, password: str = DEMO_PASSWORD
) -> HttpResponse:
    """POST the login form, as a browser does (axes and allauth see a real request)."""
    return client.post(reverse("account_login"), {"login": username, "password": password})


def totp_code(secret: str = DEMO_TOTP_SECRET, *, now: float | None = None) -> str:
    """The code an authenticator app shows now for ``secret``."""
    from allauth.mfa import app_settings

    counter = int(now if now is not None else time.time()) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


def location_path(response: HttpResponse) -> str:
    return urlsplit(response["Location"]).path


def audit_head() -> int:
    """The newest audit sequence number, to find the events a step wrote."""
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def events_since(seq: int, action: str | None = None) -> list[AuditEvent]:
    qs = AuditEvent.objects.filter(seq__gt=seq).order_by("seq")
    if action is not None:
        qs = qs.filter(action=action)
    return list(qs)


# --- The project's URLs, for tests that visit every page ---------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # the namespaced route name, or the pattern of an unnamed one
    pattern: URLPattern
    route: str

    @property
    def kwarg_names(self) -> list[str]:
        """The URL's arguments, those of the includes above it too (allauth's OpenID
        Connect URLs take ``provider_id`` in theirs)."""
        above = re.findall(r"\(\?P<(\w+)>|<(?:\w+:)?(\w+)>", self.route)
        names = [regex or path for regex, path in above]
        return list(dict.fromkeys([*names, *self.pattern.pattern.regex.groupindex]))


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        else:
            route = prefix + str(p.pattern)
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield Route(name or route, p, route)


def all_routes() -> list[Route]:
    """Every URL pattern of the project, allauth's and every app's included."""
    return list(_walk(get_resolver().url_patterns))


def new_madrid_ids(people: dict[str, User], library: Library) -> dict[str, Any]:
    """URL arguments naming objects of New Madrid: by argument name, or by URL key."""
    staff = people["staff"]
    event = AuditEvent.objects.filter(library=library).order_by("seq").first()
    assert event is not None
    base = {
        "patron_id": _a_patron_of(library),
        # An opening of that patron's records by the staff member (CR-5).
        "opening_id": _an_opening_of(people["staff"], library),
        "slug": library.slug,
        "user_id": staff.pk,
        "pk": Membership.objects.get(user=staff, library=library).pk,
        "audit:detail": {"pk": event.pk},
        "entry_id": an_operations_entry_of(library),
        "operations:attachment": an_operations_attachment_of(library),
        "portal:download": {"slug": library.slug, "fmt": "json"},
        # A chart of the compliance dashboard, for its numbers (issue 17).
        "chart": "training",
        # A breach of New Madrid (CR-6e) and an incident not yet declared one.
        **_breach_ids(people, library),
        # Enforcement cases, a lock, a suspension and a restriction (IT-9, LV-12, CC-3).
        **_enforcement_ids(people, library),
        # allauth's mailed links, with keys that are not valid
        "key": "not-a-valid-key",
        "uidb36": "1",
        # allauth's OpenID Connect sign-in of a provider (none is configured in the tests).
        "provider_id": "not-configured",
    }
    # Each app's objects, under argument names of its own: two apps naming the same argument
    # would send one app's pages the other's ids (found only where the ids differ).
    for part in (
        # Requests for records: recorded, released, refused; a policy rule (CR-5a, NM-2).
        _disclosure_ids(people, library),
        # A course with a quiz and a session held yesterday (CC-10).
        _training_ids(people, library),
        # A catalog entry, the staff member's software request waiting (CC-4, LV-6).
        _software_ids(people, library),
        # A policy in effect with its PDF, signed by the staff member (IT-1, IT-11).
        _policy_ids(people, library),
        # A last day to come, an account review under way (CC-1, LV-3).
        _people_ids(people, library),
        # A shared login (IT-2).
        _credential_ids(people, library),
        # Devices: one in service, one isolated (CC-7, IT-9).
        _devices_ids(people, library),
        # A vendor in the register (NM-3, CR-5h).
        _vendor_ids(people, library),
        # The staff member's API token, an alert source, a device (CC-7, CC-9).
        _api_ids(people, library),
        # --- controls --- a compliance control (CC-8).
        _compliance_ids(people, library),
    ):
        twice = set(part) & set(base)
        assert not twice, f"URL arguments named by two apps: {sorted(twice)}"
        base.update(part)
    return base


def _a_patron_of(library: Library) -> int:
    """A patron of ``library`` (with a card), registered if the demo has none."""
    from bookwarden.patrons.actions import register_patron
    from bookwarden.patrons.models import Patron

    patron = Patron.objects.filter(library=library).order_by("pk").first()
    if patron is None:
        patron = register_patron(
            actor=None, library=library, last_name="Sample", card_number="29999999999999"
        )
    return patron.pk


def _an_opening_of(staff: User, library: Library) -> int:
    """An opening of the records of :func:`_a_patron_of` ``library`` by ``staff``."""
    from bookwarden.patrons.models import Patron, RecordOpening
    from bookwarden.patrons.record_access import Purpose, open_records

    patron = Patron.objects.get(pk=_a_patron_of(library))
    opening = RecordOpening.objects.filter(patron=patron, opened_by=staff).first()
    if opening is None:
        opening = open_records(
            actor=staff, patron=patron, purpose=Purpose.PATRON_REQUEST, note="asked"
        ).opening
    assert opening is not None
    return opening.pk


def an_operations_entry_of(library: Library) -> int:
    """A security incident of ``library`` in the operations log (an intrusion, so that the
    director, assistant director, technology coordinator and human resources are told of it),
    recorded by the installation if there is none yet."""
    from django.utils import timezone

    from bookwarden.operations.actions import create_entry
    from bookwarden.operations.models import LogEntry

    entry = LogEntry.objects.filter(library=library, kind="intrusion").order_by("pk").first()
    if entry is None:
        entry = create_entry(
            actor=None,
            library=library,
            kind="intrusion",
            title="Sample intrusion",
            narrative="Someone signed in to the staff Wi-Fi controller from outside.",
            occurred_at=timezone.now(),
            preventive_measures="Remote administration turned off.",
        )
    return entry.pk


def an_operations_attachment_of(library: Library) -> dict[str, int]:
    """An attachment of :func:`an_operations_entry_of`, for the download URL."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bookwarden.operations.actions import add_attachment
    from bookwarden.operations.models import Attachment, LogEntry

    entry = LogEntry.objects.get(pk=an_operations_entry_of(library))
    attachment = Attachment.objects.filter(entry=entry).order_by("pk").first()
    if attachment is None:
        upload = SimpleUploadedFile("evidence.txt", b"sample evidence\n", "text/plain")
        attachment = add_attachment(actor=None, entry=entry, upload=upload)
    return {"entry_id": entry.pk, "attachment_id": attachment.pk}


def url_of(route: Route, ids: dict[str, Any]) -> str:
    """The URL of ``route`` with its arguments filled from ``ids`` (per key, then by name)."""
    per_key: dict[str, Any] = ids.get(route.key, {})
    kwargs = {}
    for name in route.kwarg_names:
        if name in per_key:
            kwargs[name] = per_key[name]
        elif name in ids:
            kwargs[name] = ids[name]
        else:
            pytest.fail(
                f"URL {route.key!r} ({route.route}) takes {name!r}: add a value for it to "
                "new_madrid_ids() in bookwarden/core/tests/helpers.py (an object of New Madrid)."
            )
    if route.pattern.name is None and not kwargs:
        return "/" + route.route  # an unnamed URL (allauth's older addresses)
    return reverse(route.key, kwargs=kwargs)


def _compliance_ids(people: dict[str, User], library: Library) -> dict[str, Any]:
    from bookwarden.compliance.tests.factories import matrix_ids

    return matrix_ids(people, library)


def _vendor_ids(people: dict[str, User], library: Library) -> dict[str, Any]:
    from bookwarden.vendors.tests.factories import matrix_ids

    return matrix_ids(people, library)


def _breach_ids(people: dict[str, User], library: Library) -> dict[str, Any]:
    from bookwarden.breach.tests.factories import matrix_ids

    return matrix_ids(people, library)


def _enforcement_ids(people: dict[str, User], library: Library) -> dict[str, Any]:
    from bookwarden.enforcement.tests.factories import matrix_ids

    return matrix_ids(people, library)


def _disclosure_ids(people: dict[str, User], library: Library) -> dict[str, Any]:
    from bookwarden.disclosures.tests.factories import matrix_ids

    return matrix_ids(people, library)


def _credential_ids(people: dict[str, User], library: Library) -> dict[str, Any]:
    from bookwarden.credentials.tests.factories import matrix_ids

    return matrix_ids(people, library)


def _training_ids(people: dict[str, User], library: Library) -> dict[str, Any]:
    from bookwarden.training.tests.factories import matrix_ids

    return matrix_ids(people, library)


def _software_ids(people: dict[str, User], library: Library) -> dict[str, Any]:
    from bookwarden.software.tests.factories import matrix_ids

    return matrix_ids(people, library)


def _policy_ids(people: dict[str, User], library: Library) -> dict[str, Any]:
    from bookwarden.policies.tests.factories import matrix_ids

    return matrix_ids(people, library)


def _people_ids(people: dict[str, User], library: Library) -> dict[str, Any]:
    from bookwarden.people.tests.factories import matrix_ids

    return matrix_ids(people, library)


def _devices_ids(people: dict[str, User], library: Library) -> dict[str, Any]:
    from bookwarden.devices.tests.factories import matrix_ids

    return matrix_ids(people, library)


def _api_ids(people: dict[str, User], library: Library) -> dict[str, Any]:
    from bookwarden.api.tests.factories import matrix_ids

    return matrix_ids(people, library)


def audit_event_queries() -> int:
    """The queries one audit event costs: one on PostgreSQL (``audit_append`` locks the
    chain, reads its head and inserts), two on SQLite (the head, then the insert)."""
    from django.db import connection

    return 1 if connection.vendor == "postgresql" else 2
