"""Every write to libraries, staff and roles (DESIGN mechanism 1; CC-1, CC-2, LV-3).

Each action runs in one transaction, takes the acting person as ``actor=`` (``None`` for the
command line acting as the installation), checks what they may do, and records its audit
event in the same transaction.  Views, commands and the demo call these, never ``.save()``.
"""

from __future__ import annotations

from .installation import (
    create_installation_account,
    grant_installation_role,
    revoke_installation_role,
)
from .libraries import create_branch, create_consortium, create_library, update_library_settings
from .sign_in import (
    end_sessions,
    enroll_totp,
    log_auth_event,
    reset_second_factor,
    unlock_sign_in,
)
from .staff import assign_role, change_membership, create_staff, end_memberships, revoke_role

__all__ = [
    "assign_role",
    "change_membership",
    "create_branch",
    "create_consortium",
    "create_installation_account",
    "create_library",
    "create_staff",
    "end_memberships",
    "end_sessions",
    "enroll_totp",
    "grant_installation_role",
    "log_auth_event",
    "reset_second_factor",
    "revoke_installation_role",
    "revoke_role",
    "unlock_sign_in",
    "update_library_settings",
]
