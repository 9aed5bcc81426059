"""Roles and what each may do: the one place where permissions are written (CC-2, CR-2h, CC-1).

Deny by default: a permission not granted here is refused everywhere.  Views, actions and
querysets ask :func:`bookwarden.core.access.has_perm`, which reads this table.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    DIRECTOR = "director", "Director (custodian of library records)"
    DESIGNEE = "designee", "Custodian designee"
    ASSISTANT_DIRECTOR = "assistant_director", "Assistant director for operations"
    TECH_COORDINATOR = "tech_coordinator", "Technology coordinator (IT manager)"
    IT_STAFF = "it_staff", "IT staff"
    HUMAN_RESOURCES = "human_resources", "Human resources"
    STAFF = "staff", "Staff"
    VOLUNTEER = "volunteer", "Volunteer"
    CONTRACTOR = "contractor", "Contractor"
    AUDITOR = "auditor", "Board member or auditor (read only)"


class Perm(models.TextChoices):
    VIEW_LIBRARY = "view_library", "See the library, its branches and their own tasks"
    VIEW_STAFF = "view_staff", "See the library's staff and their roles"
    MANAGE_ROLES = "manage_roles", "Create staff accounts, assign and revoke roles"
    MANAGE_SETTINGS = "manage_settings", "Change library settings (idle lock, ...)"
    VIEW_AUDIT = "view_audit", "Search and read the audit log"
    EXPORT_AUDIT = "export_audit", "Export the audit log as CSV"


_EVERYONE = {Perm.VIEW_LIBRARY}
_READ_ONLY_OVERSIGHT = _EVERYONE | {Perm.VIEW_STAFF, Perm.VIEW_AUDIT, Perm.EXPORT_AUDIT}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.DIRECTOR: frozenset(Perm.values),
    # The designee acts as custodian of library records (CR-2h) but does not run staffing.
    Role.DESIGNEE: frozenset(_READ_ONLY_OVERSIGHT),
    Role.ASSISTANT_DIRECTOR: frozenset(_EVERYONE | {Perm.VIEW_STAFF}),
    Role.TECH_COORDINATOR: frozenset(_EVERYONE | {Perm.VIEW_STAFF}),
    Role.IT_STAFF: frozenset(_EVERYONE),
    Role.HUMAN_RESOURCES: frozenset(_EVERYONE | {Perm.VIEW_STAFF}),
    Role.STAFF: frozenset(_EVERYONE),
    Role.VOLUNTEER: frozenset(_EVERYONE),
    Role.CONTRACTOR: frozenset(_EVERYONE),
    # Board members and auditors read; they never write (CC-2).
    Role.AUDITOR: frozenset(_READ_ONLY_OVERSIGHT),
}

#: Roles whose holders must log in with a second factor.
MFA_REQUIRED_ROLES = frozenset(
    {
        Role.DIRECTOR,
        Role.DESIGNEE,
        Role.TECH_COORDINATOR,
        Role.IT_STAFF,
        Role.HUMAN_RESOURCES,
    }
)

#: Roles that must carry an end date (CC-1: contractors get limited, expiring access).
EXPIRING_ROLES = frozenset({Role.CONTRACTOR})

#: Roles that never write anything.
READ_ONLY_ROLES = frozenset({Role.AUDITOR})


def permissions_for(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())
