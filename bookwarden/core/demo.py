"""The demo: a consortium with a Missouri library of three branches and an Iowa library of
one, a named person for every role, and the person who runs the consortium's server (the
installation role, no library role).  Tests build the same people (DESIGN: named test
personas), so what the demo shows is what the tests check."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction

from . import actions
from .models import Consortium, Library, Membership, User
from .roles import InstallationRole, Role, needs_second_factor

DEMO_PASSWORD = "shelf-lantern-orchard-42"  # noqa: S105 - printed on purpose, demo only
DEMO_TOTP_SECRET = "BOOKWARDENDEMOTOTPSECRETFORDEMO2"  # noqa: S105 - demo only
CONSORTIUM_SLUG = "heartland"


@dataclass(frozen=True)
class Persona:
    """A person of the demo: a library role at ``library``, or (``library`` None) an
    installation role."""

    key: str
    username: str
    first_name: str
    last_name: str
    library: str | None
    role: str
    branch: str | None = None
    days_left: int | None = None


PERSONAS: tuple[Persona, ...] = (
    Persona("director", "mreyes", "Maria", "Reyes", "new-madrid", Role.DIRECTOR),
    Persona("designee", "jokafor", "James", "Okafor", "new-madrid", Role.DESIGNEE),
    Persona("assistant_director", "lchen", "Linda", "Chen", "new-madrid", Role.ASSISTANT_DIRECTOR),
    Persona("tech_coordinator", "tpatel", "Tom", "Patel", "new-madrid", Role.TECH_COORDINATOR),
    Persona("it_staff", "swilliams", "Sam", "Williams", "new-madrid", Role.IT_STAFF),
    Persona("human_resources", "agarcia", "Ana", "Garcia", "new-madrid", Role.HUMAN_RESOURCES),
    Persona("staff", "bjohnson", "Ben", "Johnson", "new-madrid", Role.STAFF, "portageville"),
    Persona("volunteer", "ekim", "Emma", "Kim", "new-madrid", Role.VOLUNTEER, "rhodes"),
    Persona(
        "contractor", "ralvarez", "Rick", "Alvarez", "new-madrid", Role.CONTRACTOR, days_left=60
    ),
    Persona("auditor", "hbrooks", "Helen", "Brooks", "new-madrid", Role.AUDITOR),
    # The other library: sees nothing of New Madrid, and New Madrid nothing of it.
    Persona("outsider", "kmiller", "Karen", "Miller", "cresco", Role.DIRECTOR),
    Persona("outsider_staff", "pnguyen", "Paul", "Nguyen", "cresco", Role.STAFF, "main"),
    # Runs the consortium's server: the periodic jobs and the installation's own mail, and
    # nothing inside either library (no library role).
    Persona("server_admin", "dwright", "Dana", "Wright", None, InstallationRole.ADMINISTRATOR),
)

LIBRARIES = (
    (
        "new-madrid",
        "New Madrid County Library",
        "US-MO",
        (
            ("portageville", "Portageville"),
            ("new-madrid-memorial", "New Madrid Memorial"),
            ("rhodes", "Rhodes Memorial"),
        ),
    ),
    ("cresco", "Cresco Public Library", "US-IA", (("main", "Main Library"),)),
)


def demo_exists() -> bool:
    return Consortium.objects.filter(slug=CONSORTIUM_SLUG).exists()


@transaction.atomic
def build_demo(*, password: str = DEMO_PASSWORD, with_mfa: bool = True) -> dict[str, User]:
    """Create the demo consortium, libraries, branches and people.  Returns people by key."""
    if getattr(settings, "PRODUCTION", False):
        raise ImproperlyConfigured("The demo cannot be loaded in production mode.")
    consortium = actions.create_consortium(
        actor=None, name="Heartland Library Consortium", slug=CONSORTIUM_SLUG
    )
    libraries: dict[str, Library] = {}
    branches = {}
    for slug, name, jurisdiction, branch_specs in LIBRARIES:
        library = actions.create_library(
            actor=None, name=name, slug=slug, jurisdiction=jurisdiction, consortium=consortium
        )
        libraries[slug] = library
        for branch_slug, branch_name in branch_specs:
            branches[(slug, branch_slug)] = actions.create_branch(
                actor=None, library=library, name=branch_name, slug=branch_slug
            )
    people: dict[str, User] = {}
    today = timezone.localdate()
    for p in PERSONAS:
        if p.library is None:
            people[p.key] = actions.create_installation_account(
                actor=None,
                username=p.username,
                email=f"{p.username}@{CONSORTIUM_SLUG}.example.org",
                password=password,
                first_name=p.first_name,
                last_name=p.last_name,
                role=p.role,
                reason="The demo's server administrator.",
                check_password=False,
            )
        else:
            membership: Membership = actions.create_staff(
                actor=None,
                library=libraries[p.library],
                username=p.username,
                email=f"{p.username}@{p.library}.example.org",
                password=password,
                role=p.role,
                first_name=p.first_name,
                last_name=p.last_name,
                branch=branches[(p.library, p.branch)] if p.branch else None,
                ends_on=today + datetime.timedelta(days=p.days_left) if p.days_left else None,
                check_password=False,
            )
            people[p.key] = membership.user
        if with_mfa and needs_second_factor(p.role):
            actions.enroll_totp(actor=None, user=people[p.key], secret=DEMO_TOTP_SECRET)
    record(AuditAction.DEMO_LOADED, actor=None, after={"people": len(people)})
    return people


def logins_text() -> str:
    lines = [
        f"Demo logins (password for everyone: {DEMO_PASSWORD})",
        f"Two-factor accounts use the TOTP secret {DEMO_TOTP_SECRET}",
        f"  (add it to an authenticator app, or: oathtool --totp -b {DEMO_TOTP_SECRET})",
        "",
    ]
    for p in PERSONAS:
        mfa = " [2FA]" if needs_second_factor(p.role) else ""
        if p.library is None:
            role = InstallationRole(p.role).label
            lines.append(f"  {p.username:<10} {role}, no library role{mfa}")
            continue
        role = Role(p.role).label
        where = p.library + (f"/{p.branch}" if p.branch else "")
        lines.append(f"  {p.username:<10} {role} at {where}{mfa}")
    return "\n".join(lines)


# --- The rest of the demo: each app adds its part from its own ``demo.py`` -----------------


@dataclass
class DemoWorld:
    """What the demo built so far, for the parts that build on it: the people by key, and
    the patrons by key once the patrons' part has run."""

    people: dict[str, User]
    patrons: dict[str, Any] = field(default_factory=dict)


DemoPart = Callable[[DemoWorld], object]
_parts: list[tuple[int, str, DemoPart]] = []


def demo_part(order: int) -> Callable[[DemoPart], DemoPart]:
    """Register a part of the demo, run after the people in ``order`` (lower first).  An
    app's ``demo.py`` registers its part; ``bookwarden demo`` discovers them all."""

    def register(part: DemoPart) -> DemoPart:
        key = f"{part.__module__}.{part.__qualname__}"
        if all(k != key for _, k, _ in _parts):
            _parts.append((order, key, part))
            _parts.sort(key=lambda entry: (entry[0], entry[1]))
        return part

    return register


@transaction.atomic
def build_full_demo() -> DemoWorld:
    """The whole demo: the people, then every app's part, in one transaction."""
    autodiscover_modules("demo")
    world = DemoWorld(people=build_demo())
    for _, _, part in _parts:
        part(world)
    return world


_login_texts: list[Callable[[str], str]] = []

#: Where ``runserver`` listens when it is given no address.
DEFAULT_ADDRESS = "127.0.0.1:8000"


def demo_logins(text: Callable[[str], str]) -> Callable[[str], str]:
    """Register more logins for ``bookwarden demo`` to print (the patrons' portal cards);
    ``text(site)`` gets the address the demo is served at, such as ``http://127.0.0.1:8000``."""
    if text not in _login_texts:
        _login_texts.append(text)
    return text


def extra_logins_texts(site: str) -> list[str]:
    autodiscover_modules("demo")
    return [text(site) for text in _login_texts]


def site_address(addrport: str = DEFAULT_ADDRESS) -> str:
    """The address to open in a browser for ``runserver``'s ``addrport``: ``"8106"``,
    ``"127.0.0.1:8106"`` or ``"0.0.0.0:8106"`` (every interface: this machine's own
    address is printed) become ``http://127.0.0.1:8106``."""
    host, _, port = addrport.rpartition(":")
    host = host.strip("[]")
    if host in ("", "0.0.0.0", "0", "::"):  # noqa: S104 (every interface: a local address)
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port or '8000'}"


def addresses_text(site: str) -> str:
    """Where the demo's staff and patrons sign in."""
    return "\n".join(
        [
            f"Staff sign-in:  {site}/accounts/login/",
            f"Patron portal:  {site}/portal/",
        ]
    )
