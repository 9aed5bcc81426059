"""Who may open which page: every URL of the project, every persona, declared here (CC-2).

The URL list comes from Django's resolver, so a page added later without a line in
``EXPECTED`` fails ``test_every_url_has_a_declared_expectation`` until its author states
what each persona must get.  A GET is checked twice: with a fresh login (sudo pages then
send everyone to the reauthenticate page) and in allauth's sudo mode (just reauthenticated),
which is where the permission checks behind ``reauthentication_required`` show.

Then every write view is POSTed by each persona who must not write there; nothing may
change (CC-2: only the director runs staffing; auditors never write; other libraries get 404).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.models import AuditEvent
from bookwarden.breach.tests import factories as breach_factories
from bookwarden.compliance.tests import factories as compliance_factories
from bookwarden.core.models import Branch, Library, Membership, User
from bookwarden.devices.models import Device
from bookwarden.devices.tests import factories as device_factories
from bookwarden.disclosures.tests import factories as disclosure_factories
from bookwarden.enforcement.tests import factories as enforcement_factories
from bookwarden.patrons.models import Card, Patron, SealedOpening
from bookwarden.patrons.record_access import Purpose, open_records
from bookwarden.people.tests import factories as people_factories
from bookwarden.policies.tests import factories as policy_factories
from bookwarden.software.tests import factories as software_factories
from bookwarden.vendors.models import CHECKLIST as VENDOR_CHECKLIST
from bookwarden.vendors.tests import factories as vendor_factories

from .helpers import (
    INSTALLATION,
    NEW_MADRID_PERSONAS,
    OUTSIDERS,
    PERSONAS,
    Route,
    all_routes,
    audit_head,
    reauthenticated_records,
    url_of,
)
from .snapshots import Snapshot, thaw

ANONYMOUS = "anonymous"
EVERYONE = (ANONYMOUS, *PERSONAS)

# Outcomes: a status code, or "302 <path>" for a redirect (the query string is ignored).
TO_LOGIN = "302 /accounts/login/"
TO_REAUTH = "302 /accounts/reauthenticate/"
TO_HOME = "302 /"
TO_PORTAL_LOGIN = "302 /portal/new-madrid/login/"

#: Personas whose demo account has a TOTP authenticator (the MFA-required roles).
WITH_TOTP = (
    "director",
    "designee",
    "tech_coordinator",
    "it_staff",
    "human_resources",
    "outsider",
    "server_admin",
)


def outcome(response: HttpResponse) -> str:
    if response.status_code in (301, 302, 303, 307, 308):
        return f"{response.status_code} {urlsplit(response['Location']).path}"
    return str(response.status_code)


# --- Declaring expectations -------------------------------------------------------------


def everyone(result: str | int) -> dict[str, str]:
    """The same for everyone, signed in or not."""
    return {who: str(result) for who in EVERYONE}


def signed_in(
    result: str | int, *, anonymous: str | int = TO_LOGIN, **persona: str | int
) -> dict[str, str]:
    """``result`` for every persona (with exceptions by name); anonymous is sent to login."""
    unknown = set(persona) - set(PERSONAS)
    assert not unknown, f"not personas: {unknown}"
    table = {who: str(result) for who in PERSONAS}
    table.update({who: str(r) for who, r in persona.items()})
    table[ANONYMOUS] = str(anonymous)
    return table


def new_madrid_page(default: str | int, **persona: str | int) -> dict[str, str]:
    """A page of New Madrid: ``default`` for its people (with exceptions by name), 404 for
    Cresco's people, who must not learn that anything of New Madrid exists."""
    return signed_in(default, **{o: 404 for o in OUTSIDERS}, **persona)


def with_totp(has: str | int, has_not: str | int) -> dict[str, str]:
    """allauth's pages about one's own authenticator: depends on having TOTP."""
    return signed_in(has_not, **{who: has for who in WITH_TOTP})


@dataclass(frozen=True)
class Expect:
    fresh: dict[str, str]  # just logged in (force_login)
    sudo: dict[str, str]  # just reauthenticated: allauth's sudo mode


def same(table: dict[str, str]) -> Expect:
    return Expect(fresh=table, sudo=table)


def sudo_page(after: dict[str, str]) -> Expect:
    """``reauthentication_required``: a fresh login is sent to confirm the password first;
    ``after`` is what each persona gets once reauthenticated."""
    return Expect(fresh=signed_in(TO_REAUTH), sudo=after)


STAFF_READERS = {
    "director": 200,
    "designee": 200,
    "assistant_director": 200,
    "tech_coordinator": 200,
    "human_resources": 200,
    "auditor": 200,
}
AUDIT_READERS = {"director": 200, "designee": 200, "auditor": 200}
#: Who holds Perm.FIND_PATRONS at New Madrid, and who opens records (Perm.OPEN_RECORDS).
NM_PATRON_FINDERS = ("director", "designee", "assistant_director", "staff", "volunteer")
NM_RECORD_OPENERS = ("director", "designee", "assistant_director", "staff")
#: Who holds Perm.MANAGE_PATRONS at New Madrid (register, edit, issue and block cards).
NM_PATRON_MANAGERS = ("director", "designee", "assistant_director", "staff")
PATRON_FINDERS = (*NM_PATRON_FINDERS, *OUTSIDERS)
#: Who holds Perm.VIEW_JOBS at a library: they see the jobs' status and their library's mail
#: (the installation role, ``server_admin``, sees every run in full; issue 9).
JOB_VIEWERS = {"director": 200, "tech_coordinator": 200, "it_staff": 200, "outsider": 200}
#: Who holds Perm.MANAGE_BREACH at New Madrid, and who reads its breaches (view_operations).
BREACH_HANDLERS = ("director", "tech_coordinator")
BREACH_READERS = (
    "director",
    "designee",
    "assistant_director",
    "tech_coordinator",
    "it_staff",
    "human_resources",
    "auditor",
)

#: The operations log (IT-10): who reads it (Perm.VIEW_OPERATIONS) and who records in it
#: (Perm.MANAGE_OPERATIONS) at New Madrid; Cresco's director does both at Cresco.
OPS_READERS = {
    w: 200
    for w in (
        "director",
        "designee",
        "assistant_director",
        "tech_coordinator",
        "it_staff",
        "human_resources",
        "auditor",
    )
}
OPS_MANAGERS = ("director", "assistant_director", "tech_coordinator", "it_staff")

#: Who reads the operations log at New Madrid (Perm.VIEW_OPERATIONS), and who runs the
#: enforcement steps there (Perm.MANAGE_ENFORCEMENT; IT-9, LV-12).
NM_OPS_READERS = {
    w: 200
    for w in (
        "director",
        "designee",
        "assistant_director",
        "tech_coordinator",
        "it_staff",
        "human_resources",
        "auditor",
    )
}
NM_ENFORCERS = ("director", "assistant_director", "tech_coordinator")
#: Who locks and suspends accounts and workstations (Perm.LOCK_ACCOUNTS; LV-12).
NM_LOCKERS = ("tech_coordinator", "director")

#: Who holds Perm.VIEW_STAFF_PROGRAM at New Madrid (the staff program's progress).
STAFF_PROGRAM_VIEWERS = ("director", "designee", "tech_coordinator", "human_resources", "auditor")
#: Who sees who has signed the policies (Perm.VIEW_STAFF_PROGRAM; IT-11).
POLICY_OVERSEERS = {
    w: 200 for w in ("director", "designee", "tech_coordinator", "human_resources", "auditor")
}
#: Who records a person's last day at New Madrid (Perm.MANAGE_DEPARTURES; CC-1).
NM_DEPARTURE_RECORDERS = {"human_resources": 200, "director": 200}

#: Everyone of New Madrid but the auditor, who never writes (CC-2).
#: The shared logins (IT-2): who reads them (Perm.VIEW_IT_INVENTORY) and who writes them
#: (Perm.MANAGE_IT_INVENTORY) at New Madrid.
CREDENTIAL_READERS = {
    "director": 200,
    "designee": 200,
    "tech_coordinator": 200,
    "it_staff": 200,
    "auditor": 200,
}
CREDENTIAL_WRITERS = {"director": 200, "tech_coordinator": 200, "it_staff": 200}
NEW_MADRID_WORKERS = tuple(p for p in NEW_MADRID_PERSONAS if p != "auditor")

#: Training (CC-10): who sees who has completed what (Perm.VIEW_STAFF_PROGRAM) and who
#: manages courses (Perm.MANAGE_TRAINING) at New Madrid.
TRAINING_READERS = {w: 200 for w in STAFF_PROGRAM_VIEWERS}
TRAINING_MANAGERS = {"director": 200, "tech_coordinator": 200}
SOFTWARE_APPROVERS = {"director": 200, "tech_coordinator": 200}
IT_KEEPERS = {**SOFTWARE_APPROVERS, "it_staff": 200}
IT_VIEWERS = {**IT_KEEPERS, "designee": 200, "auditor": 200}
SOFTWARE_REQUEST_READERS = {**IT_VIEWERS, "staff": 200}

#: The device inventory (CC-7): who reads it, who manages it, who checks public computers.
IT_VIEWERS = {w: 200 for w in ("director", "designee", "tech_coordinator", "it_staff", "auditor")}
IT_MANAGERS = {w: 200 for w in ("director", "tech_coordinator", "it_staff")}
PUBLIC_PC_CHECKERS = {
    w: 200
    for w in ("director", "designee", "assistant_director", "tech_coordinator", "it_staff", "staff")
}

#: The vendor register (NM-3, CR-5h): who reads it (Perm.VIEW_IT_INVENTORY) and who keeps
#: it (Perm.MANAGE_VENDORS) at New Madrid.
VENDOR_READERS = {
    w: 200 for w in ("director", "designee", "tech_coordinator", "it_staff", "auditor")
}
VENDOR_KEEPERS = {"director": 200, "tech_coordinator": 200}
VENDOR_WRITERS = ("tech_coordinator", "director")

#: The API's endpoints (bookwarden/api/urls.py), and who connects alert sources
#: (Perm.MANAGE_ALERT_SOURCES) at New Madrid.
API_ENDPOINTS = (
    "api:entries",
    "api:entry",
    "api:concerns",
    "api:roster",
    "api:compliance",
    "api:completions",
    "api:devices",
    "api:device",
    "api:device_add",
    "api:patches",
    "api:intake",
    "api:alert",
)
ALERT_KEEPERS = {"director": 200, "tech_coordinator": 200}
# --- controls ---
#: The compliance controls (CC-8): who sees them at New Madrid (Perm.VIEW_COMPLIANCE) and
#: who marks them not applicable, adds the library's own and answers checklist items
#: (Perm.MANAGE_COMPLIANCE).
COMPLIANCE_READERS = {
    w: 200
    for w in (
        "director",
        "designee",
        "assistant_director",
        "tech_coordinator",
        "human_resources",
        "auditor",
    )
}
COMPLIANCE_MANAGERS = {"director": 200, "tech_coordinator": 200}
TO_NM_COMPLIANCE = "302 /compliance/new-madrid/"

EXPECTED: dict[str, Expect] = {
    # --- core: public, home, own account -------------------------------------------------
    # The same answer for everyone; no job loop runs in these tests, so it says "down".
    "healthz": same(everyone(503)),
    "home": same(signed_in(200)),
    "account_security": same(signed_in(200)),
    # The IT page: for whoever may follow one of its links (core.hubs): everyone who works
    # at a library asks for software there; board members and auditors read the inventory.
    # The person who runs the server finds the backups there (and nothing else of IT).
    "it_hub": same(signed_in(200)),
    # Nothing to unlock, no second factor missing: straight on to the home page.
    "session_locked": same(signed_in(TO_HOME)),
    "mfa_required": same(signed_in(TO_HOME)),
    # --- core: libraries, staff and roles (CC-1, CC-2, CR-2h) ------------------------------
    "library_detail": same(new_madrid_page(200, server_admin=404)),
    "library_settings": sudo_page(new_madrid_page(403, director=200, server_admin=404)),
    "staff_list": same(new_madrid_page(403, **STAFF_READERS, server_admin=404)),
    "staff_detail": same(new_madrid_page(403, **STAFF_READERS, server_admin=404)),
    "staff_create": sudo_page(new_madrid_page(403, director=200, server_admin=404)),
    "membership_edit": sudo_page(new_madrid_page(403, director=200, server_admin=404)),
    # POST only: a GET is refused before anything about the library is looked up.
    "role_add": sudo_page(signed_in(405)),
    "second_factor_reset": sudo_page(signed_in(405)),
    "sign_in_unlock": sudo_page(signed_in(405)),
    "membership_revoke": sudo_page(signed_in(405)),
    # --- audit log (CR-2h: director and designee; auditors read) ---------------------------
    # Cresco's director reads Cresco's log, never New Madrid's events (404, not 403).
    "audit:list": same(signed_in(403, **AUDIT_READERS, outsider=200, server_admin=404)),
    "audit:detail": same(signed_in(403, **AUDIT_READERS, outsider=404, server_admin=404)),
    "audit:export": Expect(
        fresh=signed_in(
            403, **{w: TO_REAUTH for w in (*AUDIT_READERS, "outsider")}, server_admin=404
        ),
        sudo=signed_in(403, **AUDIT_READERS, outsider=200, server_admin=404),
    ),
    # --- allauth: accounts ---------------------------------------------------------------
    "account_login": same(signed_in(TO_HOME, anonymous=200)),
    "account_logout": same(signed_in(200, anonymous=TO_HOME)),  # a GET only asks
    "account_inactive": same(everyone(200)),
    # Sign-up is closed (staff accounts come from a director): the page only says so.
    "account_signup": same(signed_in(TO_HOME, anonymous=200)),
    "account_reauthenticate": same(signed_in(200)),
    "account_email": same(signed_in(200)),
    "account_email_verification_sent": same(everyone(200)),
    "account_confirm_email": same(everyone(200)),  # a bad key: the page says so
    "account_change_password": same(signed_in(200)),
    "account_set_password": same(signed_in("302 /accounts/password/change/")),
    "account_reset_password": same(everyone(200)),
    "account_reset_password_done": same(everyone(200)),
    "account_reset_password_from_key": same(everyone(200)),  # a bad key: the page says so
    "account_reset_password_from_key_done": same(everyone(200)),
    "account_confirm_login_code": same(signed_in(TO_HOME)),
    # --- allauth: two-factor -------------------------------------------------------------
    "mfa_index": same(signed_in(200)),
    "mfa_authenticate": same(signed_in(TO_HOME)),  # no login waiting for a code
    "mfa_reauthenticate": same(with_totp(200, TO_REAUTH)),
    "mfa_activate_totp": Expect(
        fresh=signed_in(TO_REAUTH),
        sudo=with_totp("302 /accounts/2fa/totp/deactivate/", 200),
    ),
    "mfa_deactivate_totp": Expect(fresh=with_totp(TO_REAUTH, 404), sudo=with_totp(200, 404)),
    "mfa_view_recovery_codes": Expect(fresh=with_totp(TO_REAUTH, 404), sudo=with_totp(200, 404)),
    "mfa_download_recovery_codes": Expect(
        fresh=with_totp(TO_REAUTH, 404), sudo=with_totp(200, 404)
    ),
    "mfa_generate_recovery_codes": sudo_page(signed_in(200)),
    # --- patrons (CR-5): find, see what the role allows, open records with a purpose ------
    # Anyone who finds patrons somewhere has the search page; it searches their own library.
    "patron_search": same(signed_in(403, **{w: 200 for w in PATRON_FINDERS}, server_admin=404)),
    "patron_detail": same(
        new_madrid_page(403, **{w: 200 for w in NM_PATRON_FINDERS}, server_admin=404)
    ),
    "patron_records": same(signed_in(405)),
    # An opening's page: its opener's alone (the staff member's); anyone else 404 (CR-5).
    "patron_record_opening": same(signed_in(404, staff=200)),
    # Registering: in one's own libraries only (Cresco's people register at Cresco).
    "patron_register": same(
        signed_in(403, **{w: 200 for w in (*NM_PATRON_MANAGERS, *OUTSIDERS)}, server_admin=404)
    ),
    "patron_edit": same(
        new_madrid_page(403, **{w: 200 for w in NM_PATRON_MANAGERS}, server_admin=404)
    ),
    "patron_issue_card": same(signed_in(405)),
    "patron_report_card": same(signed_in(405)),
    # CR-5i: the custodian only; Cresco's director is custodian of Cresco's records.
    "last_borrower": same(
        signed_in(403, director=200, designee=200, outsider=200, server_admin=404)
    ),
    # --- periodic jobs: view_jobs at a library (the status) or for the installation (every
    # run in full); run_jobs (Run now) is the installation role's alone (issue 9).
    "jobs:list": same(signed_in(403, **JOB_VIEWERS, server_admin=200)),
    # ids name no job run: those who may see runs get 404, everyone else 403 first.
    "jobs:run_detail": same(signed_in(403, **{w: 404 for w in JOB_VIEWERS}, server_admin=404)),
    "jobs:run_now": same(signed_in(405)),  # POST only
    # --- backups (view_jobs): the installation role every backup and check in full; a
    # library's people who see the jobs whether backups run (CR-6a, CC-8).
    "backups:list": same(signed_in(403, **JOB_VIEWERS, server_admin=200)),
    "patron_set_pin": same(signed_in(405)),
    "patron_renew_card": same(signed_in(405)),
    # The openings of a patron's records, and sealing one on a court order: the custodian.
    "patron_openings": same(new_madrid_page(403, director=200, designee=200, server_admin=404)),
    # --- the outbox (view_jobs): a library's people their library's mail, the installation
    # role the installation's own mail (issue 9).
    "mail:outbox": same(signed_in(403, **JOB_VIEWERS, server_admin=200)),
    "mail:resend": same(signed_in(405)),  # POST only
    # --- breaches of patron information (CR-6e): handled by the director and the
    # technology coordinator (manage_breach); read by those who read the operations log.
    "breach:list": same(
        signed_in(403, **{w: 200 for w in BREACH_READERS}, outsider=200, server_admin=404)
    ),
    "breach:declare": same(
        new_madrid_page(403, **{w: 200 for w in BREACH_HANDLERS}, server_admin=404)
    ),
    "breach:detail": same(
        new_madrid_page(403, **{w: 200 for w in BREACH_READERS}, server_admin=404)
    ),
    "breach:letters": same(
        new_madrid_page(403, **{w: 200 for w in BREACH_HANDLERS}, server_admin=404)
    ),
    "breach:scope": same(signed_in(405)),  # POST only
    "breach:list_affected": same(signed_in(405)),
    "breach:add_patron": same(signed_in(405)),
    "breach:notify": same(signed_in(405)),
    "breach:mark_sent": same(signed_in(405)),
    "breach:review": same(signed_in(405)),
    # --- the operations log (IT-10, CC-9, CC-2, IT-7, IT-4) --------------------------------
    # Everyone signed in reports a concern and follows their own reports.
    # Everyone who works at the library reports; board members and auditors never write.
    "operations:report": same(signed_in(200, auditor=403, server_admin=404)),
    "operations:mine": same(signed_in(200, auditor=403, server_admin=404)),
    # One's own report only: the sample entry was recorded by the installation.
    "operations:my_report": same(signed_in(404, auditor=403, server_admin=404)),
    "operations:list": same(signed_in(403, **OPS_READERS, outsider=200, server_admin=404)),
    "operations:export": same(signed_in(403, **OPS_READERS, outsider=200, server_admin=404)),
    "operations:create": same(
        signed_in(403, **{w: 200 for w in (*OPS_MANAGERS, "outsider")}, server_admin=404)
    ),
    "operations:detail": same(new_madrid_page(403, **OPS_READERS, server_admin=404)),
    "operations:edit": same(
        new_madrid_page(403, **{w: 200 for w in OPS_MANAGERS}, server_admin=404)
    ),
    "operations:attachment": same(new_madrid_page(403, **OPS_READERS, server_admin=404)),
    "operations:settings": same(new_madrid_page(403, director=200, server_admin=404)),
    "operations:step_add": same(signed_in(405)),  # POST only
    "operations:attachment_add": same(signed_in(405)),
    "operations:close": same(signed_in(405)),
    "operations:acknowledge": same(signed_in(405)),
    "operations:outside_resolved": same(signed_in(405)),
    # --- the patron portal: its own login (card and PIN); a staff login opens nothing -----
    "portal:choose": same(everyone(200)),
    "portal:login": same(everyone(200)),
    "portal:privacy": same(everyone(200)),
    "portal:home": same(everyone(TO_PORTAL_LOGIN)),
    "portal:records": same(everyone(TO_PORTAL_LOGIN)),
    "portal:download": same(everyone(TO_PORTAL_LOGIN)),
    "portal:reading_history": same(everyone(TO_PORTAL_LOGIN)),
    "portal:who_opened": same(everyone(TO_PORTAL_LOGIN)),
    "portal:pin": same(everyone(TO_PORTAL_LOGIN)),
    "portal:logout": same(everyone(405)),
    "portal:privacy_read": same(everyone(405)),
    # --- spanish ---
    # The portal's language switch (issue 15): POST only; it keeps the choice of the patron of
    # the portal session, and for anyone else sets only the browser's language cookie.
    "portal:language": same(everyone(405)),
    # The letters to patrons of a release without an e-mail address: the custodian's, as the
    # letter to the requester.
    "disclosures:patron_letters": same(
        new_madrid_page(403, director=200, designee=200, server_admin=404)
    ),
    # --- policies: the policy library, signing, the monitoring notice, human resources'
    # view (IT-1, IT-11, LV-8, CC-4, CC-11, CC-12).  Everyone of a library reads its
    # policies; the director keeps them; human resources and oversight see who signed.
    "policies:list": same(signed_in(200, server_admin=404)),
    "policies:create": same(signed_in(403, director=200, outsider=200, server_admin=404)),
    # No notice waits for anyone in the matrix: on to the home page.
    "policies:notice": same(signed_in(TO_HOME)),
    "policies:overview": same(new_madrid_page(403, **POLICY_OVERSEERS, server_admin=404)),
    "policies:overview_export": same(new_madrid_page(403, **POLICY_OVERSEERS, server_admin=404)),
    # The staff member's own signed acknowledgement: theirs, and human resources'.
    "policies:acknowledgement": same(
        new_madrid_page(403, **POLICY_OVERSEERS, staff=200, server_admin=404)
    ),
    "policies:acknowledgement_pdf": same(
        new_madrid_page(403, **POLICY_OVERSEERS, staff=200, server_admin=404)
    ),
    "policies:detail": same(new_madrid_page(200, server_admin=404)),
    "policies:version": same(new_madrid_page(200, server_admin=404)),
    "policies:document": same(new_madrid_page(200, server_admin=404)),
    "policies:version_create": same(new_madrid_page(403, director=200, server_admin=404)),
    "policies:sign": same(signed_in(405)),  # POST only
    "policies:review": same(signed_in(405)),
    # --- enforcement steps (IT-9, LV-12), suspensions (LV-12), restrictions (CC-3, CC-11) --
    # Read by those who read the operations log (Cresco's director reads Cresco's cases).
    "enforcement:list": same(signed_in(403, **NM_OPS_READERS, outsider=200, server_admin=404)),
    "enforcement:suspensions": same(
        signed_in(403, **NM_OPS_READERS, outsider=200, server_admin=404)
    ),
    "enforcement:open": same(
        signed_in(403, **{w: 200 for w in (*NM_ENFORCERS, "outsider")}, server_admin=404)
    ),
    "enforcement:case": same(new_madrid_page(403, **NM_OPS_READERS, server_admin=404)),
    "enforcement:details": same(signed_in(405)),
    "enforcement:inform": same(signed_in(405)),
    "enforcement:isolate": same(signed_in(405)),
    "enforcement:hr_decision": same(signed_in(405)),
    "enforcement:contact": same(signed_in(405)),
    "enforcement:lock": same(signed_in(405)),
    "enforcement:refer": same(signed_in(405)),
    "enforcement:close": same(signed_in(405)),
    "enforcement:unlock": same(signed_in(405)),
    "enforcement:suspension_end": same(signed_in(405)),
    "enforcement:restrict": same(
        new_madrid_page(403, director=200, assistant_director=200, server_admin=404)
    ),
    "enforcement:restriction_lift": same(signed_in(405)),
    "enforcement:settings": same(new_madrid_page(403, director=200, server_admin=404)),
    # --- requests for records (CR-5a, CC-5, NM-2): any staff member records one and sees
    # their own intakes; the custodian (director, designee) reviews, decides and fulfils.
    "disclosures:list": same(signed_in(200, server_admin=404)),
    # No library role anywhere: 403 before any library is looked up (nothing to learn).
    "disclosures:new": same(signed_in(200, auditor=403, server_admin=403)),
    "disclosures:detail": same(
        new_madrid_page(403, director=200, designee=200, staff=200, server_admin=404)
    ),
    "disclosures:document": same(
        new_madrid_page(403, director=200, designee=200, server_admin=404)
    ),
    "disclosures:packet": same(new_madrid_page(403, director=200, designee=200, server_admin=404)),
    "disclosures:letter": same(new_madrid_page(403, director=200, designee=200, server_admin=404)),
    "disclosures:policy": same(new_madrid_page(403, director=200, designee=200, server_admin=404)),
    "disclosures:counsel": same(signed_in(405)),  # POST only
    "disclosures:identify": same(signed_in(405)),
    "disclosures:identity": same(signed_in(405)),
    "disclosures:instrument": same(signed_in(405)),
    "disclosures:override": same(signed_in(405)),
    "disclosures:decide": same(signed_in(405)),
    "disclosures:fulfil": same(signed_in(405)),
    "disclosures:notify": same(signed_in(405)),
    "disclosures:close": same(signed_in(405)),
    "disclosures:document_add": same(signed_in(405)),
    "disclosures:policy_rule_remove": same(signed_in(405)),
    # Open-records requests for public records (CR-1, CR-5e, CR-5g): anyone who records
    # requests; New Madrid (Missouri) has no public records, so the request shown is Cresco's.
    "disclosures:open_records": same(signed_in(200, auditor=403, server_admin=404)),
    "disclosures:open_records_new": same(signed_in(200, auditor=403, server_admin=404)),
    "disclosures:open_records_detail": same(
        signed_in(404, outsider=200, outsider_staff=200, server_admin=404)
    ),
    "disclosures:open_records_file": same(
        signed_in(404, outsider=200, outsider_staff=200, server_admin=404)
    ),
    # The transparency report: the audit readers and the custodian.
    "disclosures:transparency_current": same(
        new_madrid_page(403, **AUDIT_READERS, server_admin=404)
    ),
    "disclosures:transparency": same(new_madrid_page(403, **AUDIT_READERS, server_admin=404)),
    "disclosures:transparency_csv": same(new_madrid_page(403, **AUDIT_READERS, server_admin=404)),
    # --- onboarding: what each person owes (their own, at every library they work for); the
    # library's new people and who is overdue for VIEW_STAFF_PROGRAM (and a person's manager,
    # whoever gave their role: nobody in the demo's people); the settings, the director (CC-1).
    "onboarding:mine": same(signed_in(200, server_admin=404)),
    "onboarding:library": same(
        new_madrid_page(403, **{w: 200 for w in STAFF_PROGRAM_VIEWERS}, server_admin=404)
    ),
    # The URL names the staff member: their own page, theirs to read.
    "onboarding:person": same(
        new_madrid_page(403, **{w: 200 for w in STAFF_PROGRAM_VIEWERS}, staff=200, server_admin=404)
    ),
    "onboarding:settings": same(new_madrid_page(403, director=200, server_admin=404)),
    # --- training: courses, quizzes, sessions, attendance, the overview (CC-10) ----------
    # Everyone who works somewhere sees their own training; a course and its sessions are
    # read by everyone of its library; its quiz is for its audience (staff, not auditors).
    "training:mine": same(signed_in(200, server_admin=404)),
    "training:course": same(new_madrid_page(200, server_admin=404)),
    "training:quiz": same(new_madrid_page(200, auditor=403, server_admin=404)),
    "training:session": same(new_madrid_page(200, server_admin=404)),
    "training:attendance": same(signed_in(405)),
    "training:completion_record": same(signed_in(405)),
    # Who has completed what: Perm.VIEW_STAFF_PROGRAM (Cresco's staff hold it nowhere: 403).
    "training:overview": same(signed_in(403, **TRAINING_READERS, outsider=404, server_admin=404)),
    "training:export": same(signed_in(403, **TRAINING_READERS, outsider=404, server_admin=404)),
    # Managing courses: Perm.MANAGE_TRAINING (director, technology coordinator).
    **{
        key: same(signed_in(403, **TRAINING_MANAGERS, outsider=404, server_admin=404))
        for key in (
            "training:manage",
            "training:course_new",
            "training:import",
            "training:course_edit",
            "training:question_new",
            "training:question_edit",
            "training:session_new",
        )
    },
    # --- software: the catalog, requests and their decisions (CC-4, LV-6, LV-10) ---------
    # Everyone who works at a library asks (not auditors); the catalog is read with
    # Perm.VIEW_IT_INVENTORY, kept with MANAGE_IT_INVENTORY; requests are decided with
    # APPROVE_SOFTWARE (director, technology coordinator).  A request is read by the person
    # who asked and by those who read the IT inventory or decide.
    "software:request_new": same(signed_in(200, auditor=403, server_admin=404)),
    "software:my_requests": same(signed_in(200, auditor=403, server_admin=404)),
    "software:request": same(new_madrid_page(403, **SOFTWARE_REQUEST_READERS, server_admin=404)),
    "software:decide": same(signed_in(405)),  # POST only
    "software:queue": same(signed_in(403, **SOFTWARE_APPROVERS, outsider=200, server_admin=404)),
    "software:list": same(signed_in(403, **IT_VIEWERS, outsider=200, server_admin=404)),
    # Cresco's staff hold no IT permission anywhere: 403 before any lookup.
    "software:detail": same(signed_in(403, **IT_VIEWERS, outsider=404, server_admin=404)),
    "software:new": same(signed_in(403, **IT_KEEPERS, outsider=404, server_admin=404)),
    "software:edit": same(signed_in(403, **IT_KEEPERS, outsider=404, server_admin=404)),
    # --- devices: the IT inventory, patches, isolation, public computers (CC-7, CC-3) -----
    # Read by Perm.VIEW_IT_INVENTORY, written by Perm.MANAGE_IT_INVENTORY (director,
    # technology coordinator, IT staff); the weekly check by Perm.CHECK_PUBLIC_COMPUTERS;
    # the patch target by the director (manage_settings).  Cresco's staff hold no IT
    # permission anywhere: 403 before any lookup.
    "devices:list": same(signed_in(403, **IT_VIEWERS, outsider=200, server_admin=404)),
    "devices:detail": same(signed_in(403, **IT_VIEWERS, outsider=404, server_admin=404)),
    "devices:checks": same(
        signed_in(403, **PUBLIC_PC_CHECKERS, outsider=200, outsider_staff=200, server_admin=404)
    ),
    **{
        key: same(signed_in(403, **IT_MANAGERS, outsider=404, server_admin=404))
        for key in ("devices:create", "devices:import", "devices:patches", "devices:edit")
    },
    "devices:settings": same(signed_in(403, director=200, outsider=404, server_admin=404)),
    **{
        key: same(signed_in(405))  # POST only
        for key in ("devices:retire", "devices:isolate", "devices:return", "devices:patched")
    },
    # --- people: leavers and account reviews (CC-1, LV-3) ---------------------------------
    # Last days: human resources and the director (manage_departures); Cresco's director
    # sees Cresco's leavers.  Account reviews: the director alone (review_accounts).
    "people:departures": same(
        signed_in(403, **NM_DEPARTURE_RECORDERS, outsider=200, server_admin=404)
    ),
    "people:departure_new": sudo_page(
        new_madrid_page(403, **NM_DEPARTURE_RECORDERS, server_admin=404)
    ),
    "people:departure": sudo_page(new_madrid_page(403, **NM_DEPARTURE_RECORDERS, server_admin=404)),
    "people:departure_cancel": sudo_page(signed_in(405)),  # POST only
    "people:reviews": same(signed_in(403, director=200, outsider=200, server_admin=404)),
    "people:review_start": same(signed_in(405)),  # POST only
    "people:review_settings": same(new_madrid_page(403, director=200, server_admin=404)),
    "people:review": same(new_madrid_page(403, director=200, server_admin=404)),
    "people:review_item": sudo_page(new_madrid_page(403, director=200, server_admin=404)),
    "people:review_confirm_unflagged": sudo_page(signed_in(405)),  # POST only
    "people:review_finish": same(signed_in(405)),  # POST only
    # --- credentials: shared logins and their rotation (IT-2, IT-3, IT-4) ------------------
    # Read by those who see the IT inventory (view_it_inventory), written by the IT staff,
    # the technology coordinator and the director (manage_it_inventory); the period by the
    # director alone (manage_settings).  Cresco's director reads Cresco's (empty) list and
    # gets 404 for New Madrid's; Cresco's staff hold neither permission anywhere: 403.
    "credentials:list": same(signed_in(403, **CREDENTIAL_READERS, outsider=200, server_admin=404)),
    "credentials:export": same(
        signed_in(403, **CREDENTIAL_READERS, outsider=404, server_admin=404)
    ),
    "credentials:detail": same(
        signed_in(403, **CREDENTIAL_READERS, outsider=404, server_admin=404)
    ),
    "credentials:create": same(
        signed_in(403, **CREDENTIAL_WRITERS, outsider=404, server_admin=404)
    ),
    "credentials:edit": same(signed_in(403, **CREDENTIAL_WRITERS, outsider=404, server_admin=404)),
    "credentials:rotation_add": same(
        signed_in(403, **CREDENTIAL_WRITERS, outsider=404, server_admin=404)
    ),
    "credentials:compromised": same(
        signed_in(403, **CREDENTIAL_WRITERS, outsider=404, server_admin=404)
    ),
    "credentials:settings": same(signed_in(403, director=200, outsider=404, server_admin=404)),
    # --- vendors: the register and the data map (NM-3, CR-5h).  Read with view_it_inventory
    # (director, designee, coordinator, IT staff, auditor), kept by the director and the
    # technology coordinator (manage_vendors); Cresco's director sees Cresco's register.
    "vendors:list": same(signed_in(403, **VENDOR_READERS, outsider=200, server_admin=404)),
    "vendors:data_map": same(signed_in(403, **VENDOR_READERS, outsider=200, server_admin=404)),
    "vendors:data_map_csv": same(signed_in(403, **VENDOR_READERS, outsider=200, server_admin=404)),
    "vendors:add": same(new_madrid_page(403, **VENDOR_KEEPERS, server_admin=404)),
    "vendors:detail": same(new_madrid_page(403, **VENDOR_READERS, server_admin=404)),
    "vendors:edit": same(new_madrid_page(403, **VENDOR_KEEPERS, server_admin=404)),
    "vendors:review": same(new_madrid_page(403, **VENDOR_KEEPERS, server_admin=404)),
    "vendors:remove": same(signed_in(405)),  # POST only
    "vendors:incident": same(signed_in(405)),  # POST only
    # The matrix's vendor has its privacy terms on file.
    "vendors:terms": same(new_madrid_page(403, **VENDOR_READERS, server_admin=404)),
    # --- api ---
    # The API answers a token only, never a session: 401 for everyone here.  What each
    # persona's token gets, and a read-only token's writes, are declared in
    # bookwarden/api/tests/test_token_matrix.py (CC-7, CC-2).
    **{key: same(everyone(401)) for key in API_ENDPOINTS},
    # The schema: a signed-in person or a token; its page: signed-in people.
    "api:schema": same(signed_in(200, anonymous=401)),
    "api:docs": same(signed_in(200)),
    # One's own tokens: made by anyone with a library role; the matrix's token is the
    # staff member's, nobody else's (404).
    "api:token_new": same(signed_in(200, server_admin=404)),
    "api:token": same(signed_in(404, staff=200)),
    "api:token_revoke": same(signed_in(405)),  # POST only
    # Alert sources (CC-9): the technology coordinator and the director.
    "api:alert_sources": same(signed_in(403, **ALERT_KEEPERS, outsider=200, server_admin=404)),
    "api:alert_source_new": same(new_madrid_page(403, **ALERT_KEEPERS, server_admin=404)),
    "api:alert_source": same(new_madrid_page(403, **ALERT_KEEPERS, server_admin=404)),
    "api:alert_source_revoke": same(signed_in(405)),  # POST only
    # --- controls: the compliance controls (CC-8).  Each person who sees the controls of one
    # library is taken to them; Cresco's director to Cresco's; the installation role is 404.
    "compliance:home": same(
        signed_in(
            403,
            **{w: TO_NM_COMPLIANCE for w in COMPLIANCE_READERS},
            outsider="302 /compliance/cresco/",
            server_admin=404,
        )
    ),
    "compliance:list": same(new_madrid_page(403, **COMPLIANCE_READERS, server_admin=404)),
    # --- reports: the dashboard, the board report and the auditor's package (CC-8, CC-6,
    # CC-11, CC-12).  Read with view_compliance (the board member or auditor too); the
    # dashboard and its numbers show each person their own libraries (Cresco's director,
    # Cresco; New Madrid's pages are 404 for them); the installation role reaches none.
    "reports:dashboard": same(signed_in(403, **COMPLIANCE_READERS, outsider=200, server_admin=404)),
    "reports:chart_csv": same(signed_in(403, **COMPLIANCE_READERS, outsider=200, server_admin=404)),
    "reports:library": same(signed_in(403, **COMPLIANCE_READERS, outsider=404, server_admin=404)),
    "reports:library_chart_csv": same(
        signed_in(403, **COMPLIANCE_READERS, outsider=404, server_admin=404)
    ),
    "reports:board": same(signed_in(403, **COMPLIANCE_READERS, outsider=404, server_admin=404)),
    "reports:board_pdf": same(signed_in(403, **COMPLIANCE_READERS, outsider=404, server_admin=404)),
    "reports:package": same(signed_in(403, **COMPLIANCE_READERS, outsider=404, server_admin=404)),
    "compliance:detail": same(new_madrid_page(403, **COMPLIANCE_READERS, server_admin=404)),
    "compliance:checklists": same(new_madrid_page(403, **COMPLIANCE_READERS, server_admin=404)),
    "compliance:own": same(new_madrid_page(403, **COMPLIANCE_MANAGERS, server_admin=404)),
    "compliance:not_applicable": same(signed_in(405)),  # POST only
    "compliance:applicable": same(signed_in(405)),  # POST only
    "compliance:answer": same(signed_in(405)),  # POST only
    # --- sso ---
    # Sign-in with the library's accounts (CC-7, docs/sso.md): the director's page of what is
    # set up and each of their libraries' trust in the provider's second factor.  allauth's
    # socialaccount pages: no provider is configured in the tests, so its sign-in URLs are
    # 404; linking outside accounts to one's own is not offered (404).
    "sso:overview": same(signed_in(403, director=200, outsider=200, server_admin=404)),
    "sso:trust": same(new_madrid_page(403, director=200, server_admin=404)),
    "sso_linking_not_offered": same(everyone(404)),
    "socialaccount_connections": same(everyone(404)),  # the same address: not offered
    "accounts/social/connections/": same(everyone("301 /accounts/3rdparty/")),  # older address
    "socialaccount_login_cancelled": same(everyone(200)),
    "socialaccount_login_error": same(everyone(401)),  # allauth: "sign-in did not work"
    "accounts/social/login/cancelled/": same(everyone("301 /accounts/3rdparty/login/cancelled/")),
    "accounts/social/login/error/": same(everyone("301 /accounts/3rdparty/login/error/")),
    "socialaccount_signup": same(everyone(TO_LOGIN)),  # no sign-up waiting
    "accounts/social/signup/": same(everyone("301 /accounts/3rdparty/signup/")),
    "openid_connect_login": same(everyone(404)),
    "openid_connect_callback": same(everyone(404)),
}


def test_every_url_has_a_declared_expectation() -> None:
    """CC-2: no page goes unchecked.  Each URL needs a line in EXPECTED."""
    routes = all_routes()
    keys = [r.key for r in routes]
    assert len(keys) == len(set(keys)), "two URL patterns share a key"
    missing = [f"  {r.key!r}  ({r.route})" for r in routes if r.key not in EXPECTED]
    assert not missing, (
        "These URLs have no declared expectation.  Add each to EXPECTED in "
        "bookwarden/core/tests/test_authorization_matrix.py with what every persona and "
        "anonymous must get for a GET (e.g. same(new_madrid_page(403, director=200))):\n"
        + "\n".join(missing)
    )
    stale = sorted(set(EXPECTED) - set(keys))
    assert not stale, f"EXPECTED names URLs that no longer exist: {stale}"
    for key, expect in EXPECTED.items():
        for mode in ("fresh", "sudo"):
            table = getattr(expect, mode)
            assert set(table) == set(EVERYONE), f"{key} ({mode}) must name everyone"


#: Every URL with a declared expectation, one test each (a URL missing from EXPECTED fails
#: test_every_url_has_a_declared_expectation).
DECLARED_ROUTES = [route for route in all_routes() if route.key in EXPECTED]


@pytest.fixture(scope="session")
def persona_logins(url_objects_snapshot, django_db_blocker) -> Snapshot:
    """One real login of every persona (its session's contents), made once per session on top
    of the objects the URLs name."""

    def log_everyone_in() -> dict[str, dict[str, Any]]:
        people = thaw(url_objects_snapshot.parents[0].result)
        logins = {}
        for who in PERSONAS:
            client = Client()
            client.force_login(
                people[who], backend="allauth.account.auth_backends.AuthenticationBackend"
            )
            logins[who] = dict(client.session.items())
        return logins

    with django_db_blocker.unblock():
        return Snapshot.build(log_everyone_in, url_objects_snapshot)


@pytest.fixture
def sign_in_as(people, ids, persona_logins) -> Callable[..., Client]:
    """``sign_in_as(client, "staff", sudo=True)``: ``client`` now sends a session of its own,
    copied from that persona's real login (and just reauthenticated: allauth's sudo mode);
    ``"anonymous"``: no session.  One client serves many personas, so that the middleware is
    loaded once."""
    logins = persona_logins.restore()

    def sign_in(client: Client, who: str, *, sudo: bool) -> Client:
        client.cookies.clear()
        if who != ANONYMOUS:
            session = SessionStore()
            session.update(logins[who])
            if sudo:
                session.update(reauthenticated_records(people[who]))
            session.save()
            client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
        return client

    return sign_in


@pytest.mark.parametrize("route", DECLARED_ROUTES, ids=lambda route: route.key)
def test_get_matrix(route: Route, ids, sign_in_as) -> None:
    """CC-2, CR-2h, CC-1: every page gives every persona exactly the declared answer, just
    logged in and in allauth's sudo mode (just reauthenticated)."""
    client = Client()
    url = url_of(route, ids)
    wrong = []
    for mode in ("fresh", "sudo"):
        table = getattr(EXPECTED[route.key], mode)
        for who in EVERYONE:
            got = outcome(sign_in_as(client, who, sudo=mode == "sudo").get(url))
            if got != table[who]:
                wrong.append(f"  GET {url} as {who} ({mode} login): got {got}, want {table[who]}")
    assert not wrong, "answers differ from EXPECTED:\n" + "\n".join(wrong)


# --- Writes: each refused for everyone but the director, and nothing written -----------


def _snapshot() -> dict[str, Any]:
    return {
        "memberships": list(Membership.objects.order_by("pk").values()),
        # last_login moves with every login of the test itself
        "users": [
            {k: v for k, v in row.items() if k != "last_login"}
            for row in User.objects.order_by("pk").values()
        ],
        "libraries": list(Library.objects.order_by("pk").values()),
        "branches": list(Branch.objects.order_by("pk").values()),
        "authenticators": list(Authenticator.objects.order_by("pk").values("pk", "user_id")),
        "patrons": list(Patron.objects.order_by("pk").values()),
        "cards": list(Card.objects.order_by("pk").values()),
        "sealed": list(SealedOpening.objects.order_by("pk").values()),
    }


def _writes_since(seq: int, allowed: str | None = None) -> list[str]:
    """Audit events other than account events (auth.*) and ``allowed`` written since ``seq``."""
    return list(
        AuditEvent.objects.filter(seq__gt=seq)
        .exclude(action__startswith="auth.")
        .exclude(action=allowed or "")
        .values_list("action", flat=True)
    )


def _future(days: int = 30) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


@dataclass(frozen=True)
class Write:
    key: str
    kwargs: Callable[[dict[str, User], Library], dict[str, Any]]
    data: Callable[[], dict[str, str]]
    #: Who may write here (not POSTed as a refusal); the first is the control.
    writers: tuple[str, ...] = ("director",)
    #: An audit event that a refusal itself writes (a refused opening of records is on
    #: record, CR-5); any other event is a write that should not have happened.
    refusal_event: str | None = None
    #: The control's answer, and whether it changes rows (opening records only reads).
    control_status: int = 302
    control_changes_rows: bool = True
    #: Answers other than the usual refusal (403, Cresco's people 404, anonymous to login).
    refusals: dict[str, str] = field(default_factory=dict)


def _software_ids(people: dict[str, User], lib: Library) -> dict[str, Any]:
    """A catalog entry and the staff member's request of :mod:`software.tests.factories`."""
    return software_factories.matrix_ids(people, lib)


def _credential_of(lib: Library) -> dict[str, int]:
    from bookwarden.credentials.tests.factories import a_credential_of

    return {"credential_id": a_credential_of(lib).pk}


def _an_incident_of_new_madrid() -> int:
    from bookwarden.operations.models import INCIDENT_KINDS, LogEntry

    found = LogEntry.objects.filter(library__slug="new-madrid", kind__in=INCIDENT_KINDS)
    return found.order_by("pk").values_list("pk", flat=True)[0]


def _patron_of(lib: Library) -> int:
    return Patron.objects.filter(library=lib).order_by("pk").values_list("pk", flat=True)[0]


def _card_of(lib: Library) -> int:
    return Card.objects.filter(library=lib).order_by("pk").values_list("pk", flat=True)[0]


def _opening_of(people: dict[str, User], lib: Library) -> int:
    """An opening of a New Madrid patron's records by staff (made once, before the test's
    snapshot), for the custodian's seal."""
    patron = Patron.objects.get(pk=_patron_of(lib))
    event = AuditEvent.objects.filter(
        patron_id=patron.pk, action="patron.records_opened", actor__isnull=False
    ).first()
    if event is None:
        event = open_records(
            actor=people["director"],
            patron=patron,
            purpose=Purpose.PATRON_REQUEST,
            note="asked at the desk",
        ).event
    assert event is not None
    return event.pk


def _patron_with_opening(people: dict[str, User], lib: Library) -> int:
    _opening_of(people, lib)
    return _patron_of(lib)


def _opening_event() -> str:
    return str(
        AuditEvent.objects.filter(action="patron.records_opened", actor__isnull=False)
        .order_by("seq")
        .values_list("pk", flat=True)[0]
    )


def _local_minutes(minutes: int) -> str:
    """A datetime-local form value, ``minutes`` from now."""
    moment = timezone.localtime() + datetime.timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M")


def _printed_letter(people: dict[str, User], lib: Library) -> dict[str, int]:
    breach = breach_factories.breach_in_state(people, lib, "printed")
    return {"breach_id": breach.pk, "affected_id": breach_factories.affected_of(breach)}


def _membership_of(people: dict[str, User], key: str, library: Library) -> int:
    return Membership.objects.get(user=people[key], library=library).pk


def _locked_out(lib: Library) -> int:
    """A person of ``lib`` whose sign-in is locked after repeated failures (made before the
    snapshot; not a persona: a persona's own login would clear the lock)."""
    from axes.models import AccessAttempt

    from bookwarden.core.actions import create_staff

    user = User.objects.filter(username="lockedout").first()
    if user is None:
        user = create_staff(
            actor=None,
            library=lib,
            username="lockedout",
            email="lockedout@example.org",
            password=None,
            role="staff",
        ).user
    AccessAttempt.objects.create(
        username=user.username,
        ip_address="203.0.113.9",
        user_agent="",
        failures_since_start=settings.LOCKOUT_FAILURES,
        attempt_time=timezone.now(),
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
    )
    return user.pk


def _ops_entry(lib: Library) -> int:
    from .helpers import an_operations_entry_of

    return an_operations_entry_of(lib)


def _ops_outside_visit(lib: Library) -> int:
    """A maintenance visit by an outside party (IT-4), recorded before the snapshot."""
    from bookwarden.operations.actions import create_entry
    from bookwarden.operations.models import LogEntry

    entry = LogEntry.objects.filter(library=lib, outside_party=True).order_by("pk").first()
    if entry is None:
        entry = create_entry(
            actor=None,
            library=lib,
            kind="maintenance",
            title="Printer serviced",
            narrative="The copier vendor updated the printer firmware.",
            occurred_at=timezone.now(),
            outside_party=True,
            outside_party_name="Vendor technician",
        )
    return entry.pk


def _failed_mail_of(lib: Library) -> int:
    """A message of ``lib`` that could not be sent, queued before the snapshot."""
    from bookwarden.mail.actions import queue_mail
    from bookwarden.mail.models import MailStatus, OutboxMessage

    message = OutboxMessage.objects.filter(library=lib, status=MailStatus.FAILED).first()
    if message is None:
        message = queue_mail(
            to=["someone@example.org"], subject="Subject", body="Body", reason="test", library=lib
        )
        assert message is not None
        OutboxMessage.objects.filter(pk=message.pk).update(status=MailStatus.FAILED)
    return message.pk


def _ops_upload() -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("forged.txt", b"forged evidence", "text/plain")}


WRITES = [
    # "Run now": every job works for the whole installation, so the installation role alone
    # runs one (issue 9); every library's people, directors included, get 403 (they hold a
    # role, not this permission) and nothing is queued.
    Write(
        "jobs:run_now",
        lambda people, lib: {},
        lambda: {"job": "retention"},
        writers=("server_admin",),
        refusals={"outsider": "403", "outsider_staff": "403"},
        control_changes_rows=False,  # it queues a JobRun (not in the snapshot) and records it
    ),
    # A new account with the highest role: the most valuable write to forge.
    Write(
        "staff_create",
        lambda people, lib: {"slug": lib.slug},
        lambda: {
            "first_name": "Ivy",
            "last_name": "Intruder",
            "username": "iintruder",
            "email": "ivy@example.org",
            "role": "director",
            "branch": "",
            "ends_on": "",
            "password": "",
        },
    ),
    Write(
        "role_add",
        lambda people, lib: {"slug": lib.slug, "user_id": people["staff"].pk},
        lambda: {"role": "director", "branch": "", "ends_on": ""},
    ),
    Write(
        "membership_edit",
        lambda people, lib: {"slug": lib.slug, "pk": _membership_of(people, "contractor", lib)},
        lambda: {"branch": "", "ends_on": _future(300)},
    ),
    Write(
        "membership_revoke",
        lambda people, lib: {"slug": lib.slug, "pk": _membership_of(people, "designee", lib)},
        lambda: {"reason": "taking over"},
    ),
    # Removing someone's second factor opens their account to a stolen password.
    Write(
        "second_factor_reset",
        lambda people, lib: {"slug": lib.slug, "user_id": people["tech_coordinator"].pk},
        lambda: {"reason": "phone lost"},
    ),
    # Lifting a sign-in lockout (LV-3): the director of the person's library only.
    Write(
        "sign_in_unlock",
        lambda people, lib: {"slug": lib.slug, "user_id": _locked_out(lib)},
        lambda: {},
        control_changes_rows=False,  # it deletes the lockout's failures (not in the snapshot)
    ),
    Write(
        "library_settings",
        lambda people, lib: {"slug": lib.slug},
        lambda: {"idle_timeout_minutes": "120", "time_zone": "America/Chicago"},
    ),
    # CR-5b: blocking a card is a desk duty; nobody else may block a patron's card.
    Write(
        "patron_report_card",
        lambda people, lib: {"patron_id": _patron_of(lib)},
        lambda: {"card": str(_card_of(Library.objects.get(slug="new-madrid"))), "status": "lost"},
        writers=NM_RECORD_OPENERS,
    ),
    # A patron registered by someone without MANAGE_PATRONS there; Cresco's people name
    # New Madrid and get 404.
    Write(
        "patron_register",
        lambda people, lib: {},
        lambda: {
            "library": "new-madrid",
            "card_number": "21999999999999",
            "first_name": "Ivy",
            "last_name": "Intruder",
            "notice_channel": "email",
        },
        writers=NM_PATRON_MANAGERS,
    ),
    # Personal information changed by someone who may not manage patrons.
    Write(
        "patron_edit",
        lambda people, lib: {"patron_id": _patron_of(lib)},
        lambda: {
            "first_name": "Ivy",
            "last_name": "Intruder",
            "email": "ivy@example.org",
            "notice_channel": "mail",
        },
        writers=NM_PATRON_MANAGERS,
    ),
    # CR-5b: a new card replaces the active one; a forged card would count as consent.
    Write(
        "patron_issue_card",
        lambda people, lib: {"patron_id": _patron_of(lib)},
        lambda: {"new-card_number": "21999999999998"},
        writers=NM_PATRON_MANAGERS,
    ),
    # CR-5: opening records reads, but a refused attempt is itself on record.
    Write(
        "patron_records",
        lambda people, lib: {"patron_id": _patron_of(lib)},
        lambda: {"purpose": "patron_request", "note": "asked", "record_types": "loans"},
        writers=NM_RECORD_OPENERS,
        refusal_event="patron.records_refused",
        # The opening's page; its RecordOpening is not in the snapshot, its event shows it.
        control_changes_rows=False,
    ),
    # A PIN set by someone else would let them read the patron's records in the portal.
    Write(
        "patron_set_pin",
        lambda people, lib: {"patron_id": _patron_of(lib)},
        lambda: {"pin-pin": "808172", "pin-pin_again": "808172"},
        writers=NM_PATRON_MANAGERS,
    ),
    Write(
        "patron_renew_card",
        lambda people, lib: {"patron_id": _patron_of(lib)},
        lambda: {
            "renew-card": str(
                Card.objects.filter(patron_id=_patron_of(Library.objects.get(slug="new-madrid")))
                .filter(status="active")
                .values_list("pk", flat=True)[0]
            ),
            "renew-reminded": "on",
        },
        writers=NM_PATRON_MANAGERS,
    ),
    # Hiding an opening from the patron: the custodian only, on a court order.
    Write(
        "patron_openings",
        lambda people, lib: {"patron_id": _patron_with_opening(people, lib)},
        lambda: {"event": _opening_event(), "order_reference": "Circuit Court 26-CV-1"},
        writers=("director", "designee"),
    ),
    # Sending failed mail again (resend_mail): each holder sends their own again, a library's
    # people their library's (the director, the technology coordinator; Cresco's director
    # Cresco's), the installation role the installation's own; IT staff and everyone else
    # are refused.  A failed message of New Madrid waits, made before the snapshot.
    Write(
        "mail:resend",
        lambda people, lib: (_failed_mail_of(lib), {})[1],
        lambda: {},
        writers=("director", "tech_coordinator", "outsider", "server_admin"),
        refusals={"outsider_staff": "403"},
        control_changes_rows=False,  # outbox rows are not in the snapshot; the event shows it
    ),
    # CR-6e: declaring a breach, its scope, the affected list, the notices, the letters and
    # the review: the director and the technology coordinator only.  The breach tables are
    # not in the snapshot: the audit events show that nothing was written.
    Write(
        "breach:declare",
        lambda people, lib: {"entry_id": breach_factories.incident(lib).pk},
        lambda: {
            "window_start": _local_minutes(-120),
            "window_end": _local_minutes(0),
            "accounts": str(User.objects.get(username="bjohnson").pk),
            "summary": "A staff password was used by someone else.",
            "library_response": "We changed it.",
            "contact": "The director.",
        },
        writers=BREACH_HANDLERS,
        control_changes_rows=False,
    ),
    Write(
        "breach:scope",
        lambda people, lib: {
            "breach_id": breach_factories.breach_in_state(people, lib, "declared").pk
        },
        lambda: {
            "scope-window_start": _local_minutes(-600),
            "scope-window_end": _local_minutes(0),
            "scope-accounts": str(User.objects.get(username="bjohnson").pk),
        },
        writers=BREACH_HANDLERS,
        control_changes_rows=False,
    ),
    Write(
        "breach:list_affected",
        lambda people, lib: {
            "breach_id": breach_factories.breach_in_state(people, lib, "declared").pk
        },
        lambda: {},
        writers=BREACH_HANDLERS,
        control_changes_rows=False,
    ),
    Write(
        "breach:add_patron",
        lambda people, lib: {"breach_id": breach_factories.breach_to_add_to(people, lib).pk},
        lambda: {"add-card_number": breach_factories.MATRIX_CARD, "add-reason": "on a list"},
        writers=BREACH_HANDLERS,
        control_changes_rows=False,
    ),
    # A notice sent by someone else would tell patrons of a breach that was never declared.
    Write(
        "breach:notify",
        lambda people, lib: {
            "breach_id": breach_factories.breach_in_state(people, lib, "pending").pk
        },
        lambda: {},
        writers=BREACH_HANDLERS,
        control_changes_rows=False,
    ),
    # The letters show patrons' names and addresses: printing them is a handler's act.
    Write(
        "breach:letters",
        lambda people, lib: {
            "breach_id": breach_factories.breach_in_state(people, lib, "letter_pending").pk
        },
        lambda: {},
        writers=BREACH_HANDLERS,
        control_status=200,
        control_changes_rows=False,
    ),
    Write(
        "breach:mark_sent",
        lambda people, lib: _printed_letter(people, lib),
        lambda: {},
        writers=BREACH_HANDLERS,
        control_changes_rows=False,
    ),
    Write(
        "breach:review",
        lambda people, lib: {
            "breach_id": breach_factories.breach_in_state(people, lib, "declared").pk
        },
        lambda: {
            "review-practice_evaluated": "Passwords only at the desk.",
            "review-procedures_changed": "Two-factor login for all staff.",
        },
        writers=BREACH_HANDLERS,
        control_changes_rows=False,
    ),
    # --- the operations log (IT-10, CC-9, IT-4, IT-7).  Its rows are not in the snapshot:
    # a write there is seen by its audit event.  Everyone of New Madrid reports a concern
    # there (CC-2); Cresco's people name New Madrid and get 404.
    Write(
        "operations:report",
        lambda people, lib: {},
        lambda: {"library": "new-madrid", "narrative": "A forged report", "kind": "concern"},
        writers=NEW_MADRID_WORKERS,
        control_changes_rows=False,
    ),
    Write(
        "operations:create",
        lambda people, lib: {},
        lambda: {
            "library": "new-madrid",
            "kind": "backup",
            "severity": "low",
            "status": "open",
            "title": "Forged backup",
            "narrative": "Never happened.",
            "occurred_at": "2025-01-02T03:04",
        },
        writers=OPS_MANAGERS,
        # Cresco's staff may not record anywhere: 403 before the library is looked up.
        refusals={"outsider_staff": "403"},
        control_changes_rows=False,
    ),
    Write(
        "operations:edit",
        lambda people, lib: {"entry_id": _ops_entry(lib)},
        lambda: {
            "kind": "intrusion",
            "severity": "low",
            "status": "in_progress",
            "title": "Nothing to see",
            "narrative": "Rewritten.",
            "occurred_at": "2025-01-02T03:04",
        },
        writers=OPS_MANAGERS,
        control_changes_rows=False,
    ),
    Write(
        "operations:step_add",
        lambda people, lib: {"entry_id": _ops_entry(lib)},
        lambda: {"text": "A forged step", "kind": "step"},
        # Human resources adds steps too: it decides on discipline (IT-9).
        writers=(*OPS_MANAGERS, "human_resources"),
        control_changes_rows=False,
    ),
    Write(
        "operations:attachment_add",
        lambda people, lib: {"entry_id": _ops_entry(lib)},
        _ops_upload,
        writers=OPS_MANAGERS,
        control_changes_rows=False,
    ),
    Write(
        "operations:close",
        lambda people, lib: {"entry_id": _ops_entry(lib)},
        lambda: {"summary": "Closed early"},
        writers=OPS_MANAGERS,
        control_changes_rows=False,
    ),
    # CC-9: only those told of the incident acknowledge it.
    Write(
        "operations:acknowledge",
        lambda people, lib: {"entry_id": _ops_entry(lib)},
        lambda: {},
        writers=("director", "assistant_director", "tech_coordinator", "human_resources"),
        control_changes_rows=False,
    ),
    # IT-4: recording that passwords were changed hides the "change them now" task.
    Write(
        "operations:outside_resolved",
        lambda people, lib: {"entry_id": _ops_outside_visit(lib)},
        lambda: {"note": "nothing changed"},
        writers=OPS_MANAGERS,
        control_changes_rows=False,
    ),
    # IT-7: the escalation time and the targets: the director.
    Write(
        "operations:settings",
        lambda people, lib: {"slug": lib.slug},
        lambda: {"escalation_minutes": "10080"},
        control_changes_rows=False,
    ),
    # --- policies (IT-1, IT-11, CC-11, CC-12): the director keeps the policy library;
    # everyone of the audience signs (the auditor, not staff, may not).  Its rows are not
    # in the snapshot: a write there is seen by its audit event.
    Write(
        "policies:create",
        lambda people, lib: {},
        lambda: {
            "library": "new-madrid",
            "title": "Forged Policy",
            "kind": "staff",
            "audience": "all_staff",
            "must_sign": "on",
            "review_every_months": "12",
        },
        # Cresco's staff may keep no policies anywhere: 403 before the library is looked up.
        refusals={"outsider_staff": "403"},
        control_changes_rows=False,
    ),
    Write(
        "policies:version_create",
        lambda people, lib: {"policy_id": policy_factories.matrix_policy(lib).pk},
        lambda: {"text": "Forged text.", "effective_on": _future(1), "days_to_sign": "30"},
        control_changes_rows=False,
    ),
    Write(
        "policies:review",
        lambda people, lib: {"policy_id": policy_factories.matrix_policy(lib).pk},
        lambda: {"note": "Forged review."},
        control_changes_rows=False,
    ),
    Write(
        "policies:sign",
        lambda people, lib: {"policy_id": policy_factories.matrix_policy(lib).pk},
        lambda: {
            "version": str(policy_factories.matrix_version_id()),
            "typed_name": "Maria Reyes",
            "confirm": "on",
        },
        writers=NEW_MADRID_WORKERS,
        control_changes_rows=False,
    ),
    # CR-5i: the custodian only.
    Write(
        "last_borrower",
        lambda people, lib: {},
        lambda: {"library": "new-madrid", "item_barcode": "31234", "note": "a letter inside"},
        writers=("director", "designee"),
        # Cresco's staff may not search for a last borrower anywhere: 403 before any lookup.
        refusals={"outsider_staff": "403"},
        control_status=200,
        control_changes_rows=False,
    ),
    # --- enforcement (IT-9, LV-12, CC-3, CC-11): each step by its own holders only --------
    # (Enforcement tables are not in the snapshot: a write shows as its audit event.)
    Write(
        "enforcement:open",
        lambda people, lib: (enforcement_factories.violation_without_case(lib), {})[1],
        enforcement_factories.open_data,
        writers=NM_ENFORCERS,
        refusals={"outsider_staff": "403"},  # no VIEW_OPERATIONS anywhere
        control_changes_rows=False,
    ),
    Write(
        "enforcement:details",
        lambda people, lib: {"case_id": enforcement_factories.case_id_at(lib, "details")},
        lambda: {"details-details": "Forged details."},
        writers=NM_ENFORCERS,
        control_changes_rows=False,
    ),
    Write(
        "enforcement:inform",
        lambda people, lib: {"case_id": enforcement_factories.case_id_at(lib, "inform")},
        enforcement_factories.inform_data,
        writers=NM_ENFORCERS,
        control_changes_rows=False,
    ),
    Write(
        "enforcement:isolate",
        lambda people, lib: {"case_id": enforcement_factories.case_id_at(lib, "isolate")},
        lambda: {"isolate-isolated": "yes"},
        writers=NM_ENFORCERS,
        control_changes_rows=False,
    ),
    # IT-9: human resources alone decides whether discipline is needed; not the director.
    Write(
        "enforcement:hr_decision",
        lambda people, lib: {"case_id": enforcement_factories.case_id_at(lib, "hr_decision")},
        lambda: {"hr-discipline_needed": "no"},
        writers=("human_resources",),
        control_changes_rows=False,
    ),
    Write(
        "enforcement:contact",
        lambda people, lib: {"case_id": enforcement_factories.case_id_at(lib, "contact")},
        lambda: {"contact-method": "email", "contact-outcome": "no_response"},
        writers=NM_ENFORCERS,
        control_changes_rows=False,
    ),
    # Locking an account turns it off: the most harmful enforcement write to forge.
    Write(
        "enforcement:lock",
        lambda people, lib: {"case_id": enforcement_factories.case_id_at(lib, "lock")},
        lambda: {"lock-reason": "Forged."},
        writers=NM_LOCKERS,
    ),
    # LV-12: the director alone refers a matter to law enforcement.
    Write(
        "enforcement:refer",
        lambda people, lib: {
            "case_id": enforcement_factories.case_id_at(lib, "refer", discipline_needed=True)
        },
        lambda: {"refer-agency": "County Sheriff"},
        control_changes_rows=False,
    ),
    Write(
        "enforcement:close",
        lambda people, lib: {"case_id": enforcement_factories.case_id_at(lib, "details")},
        lambda: {"close-note": "Forged."},
        writers=NM_ENFORCERS,
        control_changes_rows=False,
    ),
    Write(
        "enforcement:unlock",
        lambda people, lib: {"lock_id": enforcement_factories.live_lock_id(lib)},
        lambda: {"unlock-reason": "Forged."},
        writers=NM_LOCKERS,
    ),
    Write(
        "enforcement:suspensions",
        lambda people, lib: {},
        lambda: {
            "library": "new-madrid",
            "workstation": "CIRC-PC-01",
            "reason": "Forged.",
            "ends_on": _future(),
        },
        writers=NM_LOCKERS,
        refusals={"outsider_staff": "403"},  # no VIEW_OPERATIONS anywhere
        control_changes_rows=False,
    ),
    Write(
        "enforcement:suspension_end",
        lambda people, lib: {"suspension_id": enforcement_factories.live_suspension_id(lib)},
        enforcement_factories.suspension_end_data,
        writers=NM_LOCKERS,
        control_changes_rows=False,
    ),
    # CC-3, CC-11: restricting a patron's computer use.
    Write(
        "enforcement:restrict",
        lambda people, lib: {"patron_id": _patron_of(lib)},
        lambda: {"reason": "Forged.", "ends_on": _future()},
        writers=("director", "assistant_director"),
        control_changes_rows=False,
    ),
    Write(
        "enforcement:restriction_lift",
        lambda people, lib: {"restriction_id": enforcement_factories.live_restriction_id(lib)},
        enforcement_factories.restriction_lift_data,
        writers=("director", "assistant_director"),
        control_changes_rows=False,
    ),
    Write(
        "enforcement:settings",
        lambda people, lib: {"slug": lib.slug},
        lambda: {"failed_contacts_before_lock": "7"},
        control_changes_rows=False,
    ),
    # --- requests for records (CR-5a, CC-5, NM-2): intake by any staff member of the
    # library; everything after it by the custodian (director, designee) only.
    # (Disclosure tables are not in the snapshot: a write shows as its audit event.)
    Write(
        "disclosures:new",
        lambda people, lib: {},
        disclosure_factories.intake_data,
        writers=NEW_MADRID_WORKERS,
        control_changes_rows=False,
        # No library where one records requests: 403 before any library is looked up.
        refusals={"server_admin": "403"},
    ),
    Write(
        "disclosures:counsel",
        lambda people, lib: {"request_id": disclosure_factories.recorded(people, lib).pk},
        lambda: {
            "counsel-counsel_name": "Forged counsel",
            "counsel-consulted_at": _local_minutes(-60),
            "counsel-advice": "Forged advice.",
        },
        writers=("director", "designee"),
        control_changes_rows=False,
    ),
    Write(
        "disclosures:identify",
        lambda people, lib: {"request_id": disclosure_factories.recorded(people, lib).pk},
        disclosure_factories.identify_data,
        writers=("director", "designee"),
        control_changes_rows=False,
    ),
    Write(
        "disclosures:identity",
        lambda people, lib: {"request_id": disclosure_factories.recorded(people, lib).pk},
        lambda: {"identity-how": "Forged."},
        writers=("director", "designee"),
        control_changes_rows=False,
    ),
    Write(
        "disclosures:instrument",
        lambda people, lib: {"request_id": disclosure_factories.recorded(people, lib).pk},
        disclosure_factories.instrument_data,
        writers=("director", "designee"),
        control_changes_rows=False,
    ),
    Write(
        "disclosures:override",
        lambda people, lib: {"request_id": disclosure_factories.recorded(people, lib).pk},
        lambda: {"override-justification": "Forged."},
        writers=("director", "designee"),
        control_changes_rows=False,
    ),
    Write(
        "disclosures:decide",
        lambda people, lib: {"request_id": disclosure_factories.ready_to_release(people, lib).pk},
        lambda: {"decide-verdict": "release_all", "decide-reasons": "Forged."},
        writers=("director", "designee"),
        control_changes_rows=False,
    ),
    Write(
        "disclosures:fulfil",
        lambda people, lib: {
            "request_id": disclosure_factories.decided(people, lib, "release_all").pk
        },
        lambda: {},
        writers=("director", "designee"),
        control_changes_rows=False,
    ),
    Write(
        "disclosures:notify",
        lambda people, lib: {"request_id": disclosure_factories.with_held_notice(people, lib).pk},
        lambda: {},
        writers=("director", "designee"),
        control_changes_rows=False,
    ),
    Write(
        "disclosures:close",
        lambda people, lib: {"request_id": disclosure_factories.recorded(people, lib).pk},
        lambda: {"close-note": "Forged."},
        writers=("director", "designee"),
        control_changes_rows=False,
    ),
    Write(
        "disclosures:document_add",
        lambda people, lib: {"request_id": disclosure_factories.recorded(people, lib).pk},
        lambda: {"doc-document": _ops_upload()["file"]},
        writers=("director", "designee"),
        control_changes_rows=False,
    ),
    Write(
        "disclosures:policy",
        lambda people, lib: {"slug": lib.slug},
        lambda: dict(disclosure_factories.POLICY_DATA),
        writers=("director", "designee"),
        control_changes_rows=False,
    ),
    # An open-records request of Cresco (Iowa): Cresco's people write; New Madrid's people,
    # who hold no role there, get 404; the auditor records no requests anywhere (403).
    Write(
        "disclosures:open_records_new",
        lambda people, lib: {},
        disclosure_factories.open_records_data,
        writers=OUTSIDERS,
        control_changes_rows=False,
        refusals={**{p: "404" for p in NEW_MADRID_WORKERS}},
    ),
    Write(
        "disclosures:policy_rule_remove",
        lambda people, lib: {
            "slug": lib.slug,
            "rule_id": disclosure_factories.policy_rule(people, lib).pk,
        },
        lambda: {},
        writers=("director", "designee"),
        control_changes_rows=False,
    ),
    # --- onboarding (CC-1, IT-11): the settings, the director.
    Write(
        "onboarding:settings",
        lambda people, lib: {"slug": lib.slug},
        lambda: {"new_account_days": "30", "tell_hr_after_days": "7"},
        control_changes_rows=False,
    ),
    # --- software (CC-4, LV-6): a decision by anyone without Perm.APPROVE_SOFTWARE, the
    # catalog kept by anyone without Perm.MANAGE_IT_INVENTORY.
    Write(
        "software:request_new",
        lambda people, lib: {},
        lambda: {
            "kind": "install",
            "device": str(Device.objects.get(name="MATRIX-PC-01").pk),
            "new_software_name": "Forged tool",
            "reason": "Forged.",
        },
        writers=NEW_MADRID_WORKERS,
        control_changes_rows=False,
        # Cresco's people may ask at Cresco: New Madrid's device is not theirs to choose.
        refusals={"outsider": "200", "outsider_staff": "200"},
    ),
    Write(
        "software:decide",
        lambda people, lib: {
            "software_request_id": _software_ids(people, lib)["software_request_id"]
        },
        lambda: {"decision": "approve", "note": ""},
        writers=("tech_coordinator", "director"),
        control_changes_rows=False,
        refusals={"outsider_staff": "403"},
    ),
    *(
        Write(
            key,
            kwargs,
            lambda: {"name": "Forged tool", "license_kind": "free", "notes": ""},
            writers=("tech_coordinator", "director", "it_staff"),
            control_changes_rows=False,
            refusals={"outsider_staff": "403"},
        )
        for key, kwargs in (
            ("software:new", lambda people, lib: {"slug": lib.slug}),
            (
                "software:edit",
                lambda people, lib: {"software_id": _software_ids(people, lib)["software_id"]},
            ),
        )
    ),
    # --- training (CC-10): a quiz answered by someone outside its audience, attendance
    # taken by someone who is not the trainer, courses, questions, sessions, completions
    # and imports by anyone without Perm.MANAGE_TRAINING.  Their rows are not in the
    # snapshot: each refusal must write no audit event, the control one.
    Write(
        "training:quiz",
        lambda people, lib: {"course_id": _training_course(lib).pk},
        lambda: _quiz_answers(),
        writers=NEW_MADRID_WORKERS,
        control_changes_rows=False,
    ),
    Write(
        "training:attendance",
        lambda people, lib: {"session_id": _training_session(lib)},
        lambda: {"attendees": [str(User.objects.get(username="bjohnson").pk)]},
        writers=("tech_coordinator", "director"),
        control_changes_rows=False,
    ),
    *(
        Write(
            key,
            kwargs,
            data,
            writers=("tech_coordinator", "director"),
            control_changes_rows=False,
            # Perm.MANAGE_TRAINING held nowhere: 403 before any lookup (a POST-only URL
            # looks the course up first: 404).
            refusals={} if key == "training:completion_record" else {"outsider_staff": "403"},
        )
        for key, kwargs, data in (
            (
                "training:course_new",
                lambda people, lib: {"slug": lib.slug},
                lambda: {
                    "title": "Forged course",
                    "kind": "phishing",
                    "delivery": "online_here",
                    "audience": "all_staff",
                    "recurrence_months": "12",
                    "days_to_complete": "30",
                    "starts_on": _future(0),
                    "pass_mark": "80",
                    "active": "on",
                },
            ),
            (
                "training:course_edit",
                lambda people, lib: {"course_id": _training_course(lib).pk},
                lambda: {
                    "title": "Renamed course",
                    "kind": "phishing",
                    "delivery": "online_here",
                    "audience": "all_staff",
                    "recurrence_months": "24",
                    "days_to_complete": "30",
                    "starts_on": _future(0),
                    "pass_mark": "80",
                    "active": "on",
                },
            ),
            (
                "training:question_new",
                lambda people, lib: {"course_id": _training_course(lib).pk},
                lambda: {"text": "Forged?", "choice_0": "Yes", "choice_1": "No", "correct": "0"},
            ),
            (
                "training:question_edit",
                lambda people, lib: {
                    "course_id": _training_course(lib).pk,
                    "question_id": _training_course(lib).questions.order_by("pk")[0].pk,
                },
                lambda: {"text": "Changed?", "choice_0": "No", "choice_1": "Yes", "correct": "1"},
            ),
            (
                "training:session_new",
                lambda people, lib: {"course_id": _training_course(lib).pk},
                lambda: {
                    "branch": str(Branch.objects.get(slug="rhodes").pk),
                    "starts_at": _local_minutes(60 * 24),
                    "place": "Basement",
                    "trainer": str(User.objects.get(username="tpatel").pk),
                },
            ),
            (
                "training:completion_record",
                lambda people, lib: {"course_id": _training_course(lib).pk},
                lambda: {
                    "person": str(User.objects.get(username="ekim").pk),
                    "completed_on": _future(-1),
                },
            ),
            (
                "training:import",
                lambda people, lib: {"slug": lib.slug},
                lambda: _training_file(),
            ),
        )
    ),
    # --- devices (CC-7, CC-3, CR-6d): the inventory, patches, isolation by anyone without
    # Perm.MANAGE_IT_INVENTORY; the patch target by anyone but the director; the weekly
    # check by anyone without Perm.CHECK_PUBLIC_COMPUTERS (Cresco's people hold it at
    # Cresco: the form refuses New Madrid's branch).  Device tables are not in the snapshot.
    *(
        Write(
            key,
            kwargs,
            data,
            writers=("it_staff", "director", "tech_coordinator"),
            control_changes_rows=False,
            refusals={"outsider_staff": "403"},
        )
        for key, kwargs, data in (
            (
                "devices:create",
                lambda people, lib: {"slug": lib.slug},
                lambda: {"kind": "router", "name": "FORGED-RTR"},
            ),
            ("devices:import", lambda people, lib: {"slug": lib.slug}, lambda: _devices_file()),
            (
                "devices:patches",
                lambda people, lib: {"slug": lib.slug},
                lambda: _patch_of(device_factories.a_device(_nm(), "MATRIX-PC-01").pk),
            ),
            (
                "devices:edit",
                lambda people, lib: {
                    "device_id": device_factories.a_device(lib, "MATRIX-PC-01").pk
                },
                lambda: {"kind": "router", "name": "MATRIX-PC-01"},
            ),
            (
                "devices:patched",
                lambda people, lib: {
                    "device_id": device_factories.a_device(lib, "MATRIX-PC-01").pk
                },
                lambda: _patch_of(device_factories.a_device(_nm(), "MATRIX-PC-01").pk),
            ),
            (
                "devices:isolate",
                lambda people, lib: {
                    "device_id": device_factories.a_device(lib, "MATRIX-PC-01").pk
                },
                lambda: {"reason": "Forged."},
            ),
            (
                "devices:return",
                lambda people, lib: {"device_id": device_factories.isolated_device(lib).pk},
                lambda: {},
            ),
            (
                "devices:retire",
                lambda people, lib: {
                    "device_id": device_factories.a_device(lib, "MATRIX-PC-01").pk
                },
                lambda: {},
            ),
        )
    ),
    Write(
        "devices:settings",
        lambda people, lib: {"slug": lib.slug},
        lambda: {"patch_target_days": "5"},
        control_changes_rows=False,
        refusals={"outsider_staff": "403"},
    ),
    Write(
        "devices:checks",
        lambda people, lib: {},
        lambda: {
            "branch": str(Branch.objects.get(library__slug="new-madrid", slug="portageville").pk),
            "no_history": "on",
            "no_cookies": "on",
            "no_files": "on",
            "no_sessions": "on",
        },
        writers=tuple(PUBLIC_PC_CHECKERS),
        control_changes_rows=False,
        refusals={"outsider": "200", "outsider_staff": "200"},
    ),
    # --- people: leavers and account reviews (CC-1, LV-3) ---------------------------------
    # (People tables are not in the snapshot: a write shows as its audit event.)
    Write(
        "people:departure_new",
        lambda people, lib: {"slug": lib.slug},
        lambda: {"person": str(_user_id("bjohnson")), "last_day": _future(10)},
        writers=("human_resources", "director"),
        control_changes_rows=False,
    ),
    Write(
        "people:departure",
        lambda people, lib: {
            "slug": lib.slug,
            "departure_id": people_factories.pending_departure(lib).pk,
        },
        lambda: {"last_day": _future(40), "reason": "Forged."},
        writers=("human_resources", "director"),
        control_changes_rows=False,
    ),
    Write(
        "people:departure_cancel",
        lambda people, lib: {
            "slug": lib.slug,
            "departure_id": people_factories.pending_departure(lib).pk,
        },
        lambda: {},
        writers=("human_resources", "director"),
        control_changes_rows=False,
    ),
    Write(
        "people:review_start",
        lambda people, lib: people_factories.no_open_review(lib),
        lambda: {},
        control_changes_rows=False,
    ),
    Write(
        "people:review_item",
        lambda people, lib: _review_item_of(people, lib),
        lambda: {"decision": "confirmed"},
        control_changes_rows=False,
    ),
    Write(
        "people:review_confirm_unflagged",
        lambda people, lib: {
            "slug": lib.slug,
            "review_id": people_factories.open_review(lib).pk,
        },
        lambda: {},
        control_changes_rows=False,
    ),
    Write(
        "people:review_finish",
        lambda people, lib: {
            "slug": lib.slug,
            "review_id": people_factories.all_decided(people_factories.open_review(lib)).pk,
        },
        lambda: {},
        control_changes_rows=False,
    ),
    Write(
        "people:review_settings",
        lambda people, lib: {"slug": lib.slug},
        lambda: {"every_months": "6"},
        control_changes_rows=False,
    ),
    # --- credentials (IT-2, IT-4): a shared login added, changed, its change recorded or
    # marked compromised by anyone without Perm.MANAGE_IT_INVENTORY; the period by anyone
    # but the director.  Each refusal writes nothing.
    *(
        Write(
            key,
            kwargs,
            data,
            writers=("tech_coordinator", "director", "it_staff"),
            control_changes_rows=False,
            refusals={"outsider_staff": "403"},
        )
        for key, kwargs, data in (
            (
                "credentials:create",
                lambda people, lib: {"slug": lib.slug},
                lambda: {
                    "system": "Forged router",
                    "kind": "router",
                    "account_name": "admin",
                    "manager_kind": "bitwarden",
                    "manager_item": "Network / Forged",
                    "last_changed_on": _future(-1),
                },
            ),
            (
                "credentials:edit",
                lambda people, lib: _credential_of(lib),
                lambda: {
                    "system": "Renamed router",
                    "kind": "router",
                    "account_name": "admin",
                    "manager_kind": "bitwarden",
                    "manager_item": "Network / Renamed",
                },
            ),
            (
                "credentials:rotation_add",
                lambda people, lib: _credential_of(lib),
                lambda: {
                    "changed_on": _future(0),
                    "changed_by": str(User.objects.get(username="swilliams").pk),
                },
            ),
        )
    ),
    Write(
        "credentials:compromised",
        lambda people, lib: _credential_of(lib),
        lambda: {"incident": str(_an_incident_of_new_madrid())},
        writers=("tech_coordinator", "director", "it_staff"),
        control_changes_rows=False,
        refusals={"outsider_staff": "403"},
    ),
    Write(
        "credentials:settings",
        lambda people, lib: {"slug": lib.slug},
        lambda: {"rotation_days": "30"},
        control_changes_rows=False,
        refusals={"outsider_staff": "403"},
    ),
    # --- sso ---
    # The director trusts (or not) the identity provider's second factor (CC-7).
    Write(
        "sso:trust",
        lambda people, lib: {"slug": lib.slug},
        lambda: {"trust_provider_second_factor": "on"},
        control_changes_rows=False,
    ),
    # --- vendors (NM-3, CR-5h): the director and the technology coordinator keep the
    # register.  (Vendor tables are not in the snapshot: a write shows as its audit event.)
    Write(
        "vendors:add",
        lambda people, lib: {"slug": lib.slug},
        lambda: {"name": "Forged Vendor", "service": "Nothing", "all_branches": "on"},
        writers=VENDOR_WRITERS,
        control_changes_rows=False,
    ),
    Write(
        "vendors:edit",
        lambda people, lib: {"vendor_id": vendor_factories.a_vendor(lib).pk},
        lambda: {"name": "Forged name", "service": "Nothing", "all_branches": "on"},
        writers=VENDOR_WRITERS,
        control_changes_rows=False,
    ),
    Write(
        "vendors:review",
        lambda people, lib: {"vendor_id": vendor_factories.a_vendor(lib).pk},
        lambda: {"reviewed_on": _future(0), **{key: "yes" for key, _q, _w in VENDOR_CHECKLIST}},
        writers=VENDOR_WRITERS,
        control_changes_rows=False,
    ),
    Write(
        "vendors:incident",
        lambda people, lib: {"vendor_id": vendor_factories.a_vendor(lib).pk},
        lambda: {"entry": str(_ops_entry(Library.objects.get(slug="new-madrid")))},
        writers=VENDOR_WRITERS,
        control_changes_rows=False,
    ),
    Write(
        "vendors:remove",
        lambda people, lib: {"vendor_id": vendor_factories.a_vendor(lib).pk},
        lambda: {},
        writers=VENDOR_WRITERS,
        control_changes_rows=False,
    ),
    # --- api ---
    # A token for oneself (CC-7): anyone with a role there, but a role that needs a second
    # factor only from a session signed in with it (these sessions were not: 403).  Cresco's
    # people cannot choose New Madrid (400); the server's administrator holds no library
    # role (404).  (Tokens and alert sources are not in the snapshot: a write shows
    # as its audit event.)
    Write(
        "api:token_new",
        lambda people, lib: {},
        lambda: {
            "name": "Forged token",
            "scope": "write",
            "libraries": [str(_nm().pk)],
            "expires_on": _future(30),
        },
        writers=("staff", "assistant_director", "volunteer", "contractor", "auditor"),
        control_changes_rows=False,
        refusals={"outsider": "400", "outsider_staff": "400", "server_admin": "404"},
    ),
    # Only the owner revokes their token: anyone else finds no such token.
    Write(
        "api:token_revoke",
        lambda people, lib: {"token_id": _token_of(people["staff"])},
        lambda: {},
        writers=("staff",),
        control_changes_rows=False,
        refusals={who: "404" for who in PERSONAS if who != "staff"},
    ),
    # Alert sources (CC-9): the technology coordinator and the director.
    Write(
        "api:alert_source_new",
        lambda people, lib: {"slug": lib.slug},
        lambda: {"name": "Forged firewall"},
        writers=("tech_coordinator", "director"),
        control_changes_rows=False,
    ),
    Write(
        "api:alert_source_revoke",
        lambda people, lib: {"source_id": _alert_source_of(lib)},
        lambda: {},
        writers=("tech_coordinator", "director"),
        control_changes_rows=False,
    ),
    # --- reports: the grant auditor's package (CC-8) is produced by those who see the
    # compliance program, the board member or auditor included: it changes no record, its
    # audit event says who took it away.  Staff get 403, Cresco's people 404.
    Write(
        "reports:package",
        lambda people, lib: {"slug": lib.slug},
        lambda: {"first": "2026-01-01", "last": "2026-06-30"},
        writers=("auditor", *[w for w in COMPLIANCE_READERS if w != "auditor"]),
        refusals={"outsider_staff": "403"},
        control_status=200,
        control_changes_rows=False,
    ),
    # --- controls: the compliance controls (CC-8): the director and the technology
    # coordinator mark a control not applicable, add the library's own and answer items.
    Write(
        "compliance:not_applicable",
        lambda people, lib: {"slug": lib.slug, "control_id": "yearly-training"},
        lambda: {"reason": "A forged reason that the control does not apply."},
        writers=tuple(COMPLIANCE_MANAGERS),
        control_changes_rows=False,
    ),
    Write(
        "compliance:applicable",
        lambda people, lib: {
            "slug": lib.slug,
            "control_id": compliance_factories.marked_not_applicable(lib),
        },
        lambda: {},
        writers=tuple(COMPLIANCE_MANAGERS),
        control_changes_rows=False,
    ),
    Write(
        "compliance:answer",
        lambda people, lib: {"slug": lib.slug, "control_id": "card-as-consent"},
        lambda: {"answer": "yes", "note": ""},
        writers=tuple(COMPLIANCE_MANAGERS),
        control_changes_rows=False,
    ),
    Write(
        "compliance:own",
        lambda people, lib: {"slug": lib.slug},
        lambda: {"text": ""},
        writers=tuple(COMPLIANCE_MANAGERS),
        control_changes_rows=False,
    ),
]


def _token_of(user: User) -> int:
    from bookwarden.api.models import ApiToken

    return ApiToken.objects.filter(user=user).order_by("pk").values_list("pk", flat=True)[0]


def _alert_source_of(lib: Library) -> int:
    from bookwarden.api.models import AlertSource

    return AlertSource.objects.filter(library=lib).order_by("pk").values_list("pk", flat=True)[0]


def _training_course(lib: Library) -> Any:
    from bookwarden.training.tests.factories import quiz_course

    return quiz_course(lib)


def _training_session(lib: Library) -> int:
    from bookwarden.training.tests.factories import held_session

    return held_session(_training_course(lib)).pk


def _quiz_answers() -> dict[str, str]:
    from bookwarden.training.tests.factories import answers

    course = _training_course(Library.objects.get(slug="new-madrid"))
    return {f"q{q}": str(c) for q, c in answers(course, right=2).items()}


def _training_file() -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = f"username,course,completed_on\nekim,Matrix course,{_future(-2)}\n"
    return {"file": SimpleUploadedFile("completions.csv", body.encode(), "text/csv")}


def _user_id(username: str) -> int:
    return User.objects.get(username=username).pk


def _review_item_of(people: dict[str, User], lib: Library) -> dict[str, Any]:
    review = people_factories.open_review(lib)
    item = review.items.get(user=people["staff"])
    return {"slug": lib.slug, "review_id": review.pk, "item_id": item.pk}


def _nm() -> Library:
    return Library.objects.get(slug="new-madrid")


def _devices_file() -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("devices.csv", b"name,kind\nFORGED-PC,staff computer\n")}


def _patch_of(device_id: int) -> dict[str, Any]:
    return {"devices": [str(device_id)], "patched_on": str(timezone.localdate())}


def _refused(who: str) -> str:
    """Anonymous: the login page.  No role at New Madrid (Cresco's people, the server
    administrator): 404, nothing of New Madrid exists for them.  New Madrid's people: 403."""
    if who == ANONYMOUS:
        return TO_LOGIN
    return "404" if who in (*OUTSIDERS, *INSTALLATION) else "403"


@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.key)
def test_writes_refused_and_nothing_written(write: Write, people, new_madrid, sign_in_as) -> None:
    """CC-2: only the writers of each write may write (staff, roles and settings: the
    director, in sudo mode); everyone else of New Madrid gets 403, Cresco's people 404,
    anonymous the login page, and not a row changes.  The first writer's own POST (the
    control) does what it should."""
    url = reverse(write.key, kwargs=write.kwargs(people, new_madrid))
    before = _snapshot()
    head = audit_head()
    wrong = []
    client = Client()
    for who in (ANONYMOUS, *[p for p in PERSONAS if p not in write.writers]):
        got = outcome(sign_in_as(client, who, sudo=True).post(url, write.data()))
        want = write.refusals.get(who, _refused(who))
        if got != want:
            wrong.append(f"  POST {url} as {who}: got {got}, want {want}")
        if _snapshot() != before or _writes_since(head, write.refusal_event):
            wrong.append(f"  POST {url} as {who} changed data: {_writes_since(head)}")
            break
    assert not wrong, "\n".join(wrong)

    control = write.writers[0]
    response = sign_in_as(client, control, sudo=True).post(url, write.data())
    assert response.status_code == write.control_status, response.content.decode()[:2000]
    if write.control_changes_rows:
        assert _snapshot() != before, f"the {control}'s POST (the control) changed nothing"
    assert _writes_since(head, write.refusal_event), f"the {control}'s POST wrote no event"


def test_every_post_endpoint_of_the_project_is_declared(people, sudo_as, ids) -> None:
    """A later page that takes POSTs must join WRITES (or be named here as not a write)."""
    not_writes = {
        "session_locked": "the unlock form; it only clears the lock of one's own session",
        # The portal's forms act for the patron of the portal session, never for a staff
        # login (bookwarden/portal/tests prove that a staff login reaches nothing there).
        "portal:login": "the patron's card-and-PIN login",
        "portal:logout": "the patron's own logout",
        "portal:privacy_read": "the patron's own reminder, read",
        "portal:reading_history": "the patron's own consent",
        "portal:pin": "the patron's own PIN",
        # --- spanish ---
        "portal:language": "the patron's own language, or only a cookie without a portal login",
        "policies:notice": "one's own acknowledgement of the monitoring notice",
        # --- api ---
        # The API answers a token only (a session's POST is 401): who may write with a
        # token is declared in bookwarden/api/tests/test_token_matrix.py.
        **{key: "the API: a token's writes, in the token matrix" for key in API_ENDPOINTS},
    }
    declared = {w.key for w in WRITES} | set(not_writes)
    undeclared = []
    for route in all_routes():
        if not route.pattern.callback.__module__.startswith("bookwarden."):
            continue  # allauth's own pages are allauth's
        url = url_of(route, ids)
        status = sudo_as("director").post(url, {}).status_code
        if status != 405 and route.key not in declared:
            undeclared.append(f"  {route.key} ({route.route}) answered a POST with {status}")
    assert not undeclared, (
        "These URLs accept POST: add each to WRITES in test_authorization_matrix.py with "
        "data that would be a real write, so that the test proves who may not write there:\n"
        + "\n".join(undeclared)
    )
