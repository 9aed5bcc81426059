"""Every write of the enforcement steps, suspensions and patron restrictions (DESIGN
mechanism 1; IT-9, LV-12, CC-3, CC-11).

Each action runs in one transaction, takes the acting person as ``actor=`` (``None`` for the
command line and the ``suspensions`` job, acting as the installation), checks the permission
at the case's library and records its audit event in the same transaction.  Audit events
carry ids, codes and dates, never the free text of a note (it may name people).

IT-9: "Human Resources decides whether discipline is needed before any action": on a staff
matter (a case with a staff account), locking the account, a suspension tied to the case and
a referral to law enforcement are refused until human resources has decided.

By feature:

* :mod:`.cases` -- the case and its checklist (steps 1 to 5 and 7, closing, the setting of
  failed contacts before the lock);
* :mod:`.holds` -- locks (step 6) and suspensions of accounts and workstations;
* :mod:`.restrictions` -- patron restrictions;
* :mod:`.case_steps` -- what they share: recording a step and keeping the case's stage.

Callers import from here: ``from bookwarden.enforcement import actions``.
"""

from __future__ import annotations

from .case_steps import compute_stage, failed_contacts
from .cases import (
    INFORMED_ROLES,
    close_case,
    inform_it_manager,
    informed_people,
    isolate_device,
    open_case,
    record_contact_attempt,
    record_details,
    record_hr_decision,
    refer_to_law_enforcement,
    set_failed_contacts_before_lock,
)
from .holds import (
    end_expired_suspensions,
    end_sessions,
    end_suspension,
    lock_account,
    lock_refusal,
    may_lock,
    suspend,
    unlock_account,
)
from .restrictions import lift_restriction, restrict_patron

__all__ = [
    "INFORMED_ROLES",
    "close_case",
    "compute_stage",
    "end_expired_suspensions",
    "end_sessions",
    "end_suspension",
    "failed_contacts",
    "inform_it_manager",
    "informed_people",
    "isolate_device",
    "lift_restriction",
    "lock_account",
    "lock_refusal",
    "may_lock",
    "open_case",
    "record_contact_attempt",
    "record_details",
    "record_hr_decision",
    "refer_to_law_enforcement",
    "restrict_patron",
    "set_failed_contacts_before_lock",
    "suspend",
    "unlock_account",
]
