"""Roles and what each may do: the one place where permissions are written (CC-2, CR-2h, CC-1).

Deny by default: a permission not granted here is refused everywhere.  Views, actions and
querysets ask :func:`bookwarden.core.permissions.has_perm`, which reads this table.

Two kinds of role:

* a library role (:class:`Role`), held at one library (or one branch of it) and granting
  its permissions there only;
* the installation role (:class:`InstallationRole`), held by the person who runs the server
  for the whole installation.  It is granted and revoked from the command line only
  (``bookwarden setup installation-admin``), and grants the installation-wide work alone:
  the periodic jobs and the installation's own mail.  It grants nothing inside any library:
  no patron, no record, no library page; whoever also works at a library holds a library
  role for that.
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
    FIND_PATRONS = "find_patrons", "Find patrons by card or name; see name and card status"
    VIEW_PATRON_DETAILS = "view_patron_details", "See a patron's address, phone, e-mail, birth date"
    MANAGE_PATRONS = "manage_patrons", "Register patrons, issue cards, report cards lost"
    OPEN_RECORDS = "open_records", "Open library records at the desk, on request, for overdues"
    OPEN_RECORDS_AS_CUSTODIAN = (
        "open_records_as_custodian",
        "Open library records to find a last borrower or investigate",
    )
    MANAGE_RETENTION = "manage_retention", "Set how long library records are kept"
    IMPORT_FROM_ILS = "import_from_ils", "Import patrons and loans from the ILS"
    REPORT_CONCERN = "report_concern", "Report a security concern and follow one's own reports"
    RECORD_REQUESTS = (
        "record_requests",
        "Record a request for patron records for the custodian to decide",
    )
    VIEW_OPERATIONS = "view_operations", "Read the security operations log"
    MANAGE_OPERATIONS = "manage_operations", "Record, update and close log entries"
    ACKNOWLEDGE_INCIDENTS = "acknowledge_incidents", "Acknowledge security incidents"
    MANAGE_ENFORCEMENT = "manage_enforcement", "Run the enforcement steps"
    DECIDE_DISCIPLINE = "decide_discipline", "Decide whether discipline is needed"
    LOCK_ACCOUNTS = "lock_accounts", "Lock or suspend staff accounts and workstations"
    REFER_TO_LAW_ENFORCEMENT = "refer_to_law_enforcement", "Refer a matter to law enforcement"
    RESTRICT_PATRONS = "restrict_patrons", "Restrict a patron's computer use"
    MANAGE_BREACH = "manage_breach", "Handle a breach of patron information"
    VIEW_JOBS = (
        "view_jobs",
        "See the periodic jobs: at a library, their status and the library's outgoing mail; "
        "for the installation, every run in full and the installation's own mail",
    )
    MANAGE_POLICIES = (
        "manage_policies",
        "Keep the policy library: policies, versions, reviews and who must sign",
    )
    VIEW_STAFF_PROGRAM = (
        "view_staff_program",
        "See who has signed the policies, completed training and finished onboarding",
    )
    MANAGE_TRAINING = (
        "manage_training",
        "Define courses and sessions, record attendance, import completions",
    )
    MANAGE_DEPARTURES = "manage_departures", "Record a person's last day at the library"
    REVIEW_ACCOUNTS = "review_accounts", "Review every account of the library"
    VIEW_IT_INVENTORY = (
        "view_it_inventory",
        "See the shared logins (never their secrets), devices, software and vendors",
    )
    MANAGE_IT_INVENTORY = (
        "manage_it_inventory",
        "Keep the shared logins, devices and software; record rotations and patches",
    )
    APPROVE_SOFTWARE = "approve_software", "Approve or refuse requests to install software"
    MANAGE_VENDORS = (
        "manage_vendors",
        "Keep the register of vendors and the patron data they receive",
    )
    REQUEST_SOFTWARE = "request_software", "Ask for software to be installed or removed"
    CHECK_PUBLIC_COMPUTERS = (
        "check_public_computers",
        "Record the weekly check that public computers forget their users",
    )
    RUN_JOBS = "run_jobs", "Ask for a periodic job of the whole installation to run now"
    RESEND_MAIL = (
        "resend_mail",
        "Send failed mail again: a library's own, or (installation role) the installation's",
    )
    VIEW_COMPLIANCE = "view_compliance", "See the compliance controls, dashboard and reports"
    MANAGE_COMPLIANCE = (
        "manage_compliance",
        "Mark a control not applicable, add the library's own controls, answer checklist items",
    )


class InstallationRole(models.TextChoices):
    """Roles for the whole installation, not tied to any library (see the module's text)."""

    ADMINISTRATOR = "installation_admin", "Installation administrator (runs the server)"


_EVERYONE = {Perm.VIEW_LIBRARY}
# Every account that works at the library (all but board members and auditors, who never
# write) reports security concerns (CC-2, CC-9) and records requests for records that reach
# them, for the custodian to decide (CC-5).
_WORKS_HERE = _EVERYONE | {Perm.REPORT_CONCERN, Perm.RECORD_REQUESTS, Perm.REQUEST_SOFTWARE}
_READ_ONLY_OVERSIGHT = _EVERYONE | {
    Perm.VIEW_COMPLIANCE,
    Perm.VIEW_STAFF,
    Perm.VIEW_STAFF_PROGRAM,
    Perm.VIEW_IT_INVENTORY,
    Perm.VIEW_AUDIT,
    Perm.EXPORT_AUDIT,
    Perm.VIEW_OPERATIONS,
}
# Serving patrons: find them, see their details, open their records for ordinary purposes.
_DESK = {
    Perm.CHECK_PUBLIC_COMPUTERS,
    Perm.FIND_PATRONS,
    Perm.VIEW_PATRON_DETAILS,
    Perm.MANAGE_PATRONS,
    Perm.OPEN_RECORDS,
}
# The custodian of library records (CR-2h): the only ones who decide on disclosure (CC-5).
_CUSTODIAN = _DESK | {Perm.OPEN_RECORDS_AS_CUSTODIAN}
# Running the security operations log (IT-10) and its incidents (CC-9, IT-9).
_OPERATIONS = {
    Perm.VIEW_OPERATIONS,
    Perm.MANAGE_OPERATIONS,
    Perm.ACKNOWLEDGE_INCIDENTS,
    Perm.MANAGE_ENFORCEMENT,
}

#: Permissions that only an installation role grants: the periodic jobs belong to the whole
#: installation, so no library's people may run them (a director of one library of a
#: consortium runs nothing for the others).
INSTALLATION_ONLY = frozenset({Perm.RUN_JOBS})

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    # Everything but the discipline decision, which belongs to human resources alone (IT-9),
    # and the installation's own work.
    Role.DIRECTOR: frozenset(set(Perm.values) - {Perm.DECIDE_DISCIPLINE} - INSTALLATION_ONLY),
    # The designee acts as custodian of library records (CR-2h) but does not run staffing.
    Role.DESIGNEE: frozenset(_READ_ONLY_OVERSIGHT | _WORKS_HERE | _CUSTODIAN),
    # The IT manager's counterpart for incidents that compromise integrity (IT-9).
    Role.ASSISTANT_DIRECTOR: frozenset(
        _WORKS_HERE
        | {Perm.VIEW_STAFF, Perm.RESTRICT_PATRONS, Perm.VIEW_COMPLIANCE}
        | _DESK
        | _OPERATIONS
    ),
    Role.TECH_COORDINATOR: frozenset(
        _WORKS_HERE
        | {
            Perm.VIEW_STAFF,
            Perm.VIEW_JOBS,
            Perm.RESEND_MAIL,
            Perm.LOCK_ACCOUNTS,
            Perm.MANAGE_BREACH,
            Perm.VIEW_STAFF_PROGRAM,
            Perm.MANAGE_TRAINING,
            Perm.VIEW_IT_INVENTORY,
            Perm.MANAGE_IT_INVENTORY,
            Perm.APPROVE_SOFTWARE,
            Perm.MANAGE_VENDORS,
            Perm.CHECK_PUBLIC_COMPUTERS,
            Perm.VIEW_COMPLIANCE,
            Perm.MANAGE_COMPLIANCE,
        }
        | _OPERATIONS
    ),
    Role.IT_STAFF: frozenset(
        _WORKS_HERE
        | {
            Perm.VIEW_JOBS,
            Perm.VIEW_OPERATIONS,
            Perm.MANAGE_OPERATIONS,
            Perm.VIEW_IT_INVENTORY,
            Perm.MANAGE_IT_INVENTORY,
            Perm.CHECK_PUBLIC_COMPUTERS,
        }
    ),
    # Human resources is told of every incident (CC-9) and alone decides on discipline (IT-9).
    Role.HUMAN_RESOURCES: frozenset(
        _WORKS_HERE
        | {
            Perm.VIEW_STAFF,
            Perm.VIEW_OPERATIONS,
            Perm.ACKNOWLEDGE_INCIDENTS,
            Perm.DECIDE_DISCIPLINE,
            Perm.VIEW_STAFF_PROGRAM,
            Perm.MANAGE_DEPARTURES,
            Perm.VIEW_COMPLIANCE,
        }
    ),
    Role.STAFF: frozenset(_WORKS_HERE | _DESK),
    # Volunteers help at the desk: they find a patron, never their details or records.
    Role.VOLUNTEER: frozenset(_WORKS_HERE | {Perm.FIND_PATRONS}),
    Role.CONTRACTOR: frozenset(_WORKS_HERE),
    # Board members and auditors read; they never write (CC-2).
    Role.AUDITOR: frozenset(_READ_ONLY_OVERSIGHT),
}

#: What each installation role may do, for the whole installation and nowhere inside a
#: library (:func:`bookwarden.core.permissions.has_installation_perm`).  ``view_jobs`` held
#: here shows every job's runs in full and the installation's own mail (of no library);
#: held at a library, only that library's part.
INSTALLATION_ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    InstallationRole.ADMINISTRATOR: frozenset({Perm.VIEW_JOBS, Perm.RUN_JOBS, Perm.RESEND_MAIL}),
}

#: Library roles whose holders must log in with a second factor (every installation role
#: needs one too: see :func:`needs_second_factor`).
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
    """What a library role grants at its library."""
    return ROLE_PERMISSIONS.get(role, frozenset())


def installation_permissions_for(role: str) -> frozenset[str]:
    """What an installation role grants for the whole installation ("": nothing)."""
    return INSTALLATION_ROLE_PERMISSIONS.get(role, frozenset())


def needs_second_factor(role: str) -> bool:
    """A library role of :data:`MFA_REQUIRED_ROLES`, or any installation role (CC-7)."""
    return role in MFA_REQUIRED_ROLES or role in InstallationRole.values
