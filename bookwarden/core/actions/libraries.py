"""Writes to consortia, libraries, branches and library settings (CC-4, CC-6)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from bookwarden.audit.actions import changes, record
from bookwarden.audit.models import AuditAction

from ..models import Branch, Consortium, Library, User
from ..permissions import require
from ..roles import Perm


@transaction.atomic
def create_consortium(*, actor: User | None, name: str, slug: str) -> Consortium:
    consortium = Consortium(name=name, slug=slug)
    consortium.full_clean()
    consortium.save()
    record(
        AuditAction.CONSORTIUM_CREATED,
        actor=actor,
        target=consortium,
        after={"name": name, "slug": slug},
    )
    return consortium


#: Addresses the patron portal keeps for itself under /portal/, so no library's portal
#: (/portal/<slug>/) can be hidden behind one of them.
RESERVED_LIBRARY_SLUGS = frozenset({"language"})


@transaction.atomic
def create_library(
    *,
    actor: User | None,
    name: str,
    slug: str,
    jurisdiction: str,
    consortium: Consortium | None = None,
    idle_timeout_minutes: int = 15,
) -> Library:
    if actor is not None:
        raise ValidationError("Libraries are created from the command line by the installer.")
    if slug in RESERVED_LIBRARY_SLUGS:
        raise ValidationError(
            {"slug": f"“{slug}” is an address the patron portal uses itself; choose another."}
        )
    library = Library(
        name=name,
        slug=slug,
        jurisdiction=jurisdiction,
        consortium=consortium,
        idle_timeout_minutes=idle_timeout_minutes,
    )
    library.full_clean()
    library.save()
    record(
        AuditAction.LIBRARY_CREATED,
        actor=actor,
        target=library,
        library=library,
        after=changes(
            library, ["name", "slug", "jurisdiction", "consortium", "idle_timeout_minutes"]
        ),
    )
    return library


@transaction.atomic
def create_branch(*, actor: User | None, library: Library, name: str, slug: str) -> Branch:
    require(actor, Perm.MANAGE_SETTINGS, library)
    branch = Branch(library=library, name=name, slug=slug)
    branch.full_clean()
    branch.save()
    record(
        AuditAction.BRANCH_CREATED,
        actor=actor,
        target=branch,
        library=library,
        after={"name": name, "slug": slug},
    )
    return branch


@transaction.atomic
def update_library_settings(
    *,
    actor: User | None,
    library: Library,
    idle_timeout_minutes: int,
    time_zone: str | None = None,
) -> Library:
    """The library's own settings: how soon idle sessions lock (CC-4) and its time zone
    (``None`` keeps the zone it has).  The event carries the settings that changed."""
    require(actor, Perm.MANAGE_SETTINGS, library)
    library = Library.objects.select_for_update().get(pk=library.pk)
    fields = ["idle_timeout_minutes", "time_zone"]
    before = changes(library, fields)
    library.idle_timeout_minutes = idle_timeout_minutes
    if time_zone is not None:
        library.time_zone = time_zone
    library.full_clean()
    library.save(update_fields=fields)
    after = changes(library, fields)
    changed = [name for name in fields if before[name] != after[name]] or fields
    record(
        AuditAction.LIBRARY_SETTINGS_CHANGED,
        actor=actor,
        target=library,
        library=library,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
    )
    return library
