"""The tamper-evident audit log (DESIGN mechanism 3; LV-3, CC-9, NM-4).

One explicit, append-only model.  Each library has a chain of its own, and the installation
one more for the events of no library (sign-ins, installation jobs): ``chain`` names it (the
library's id, or 0) and ``chain_seq`` is the event's place in it (1, 2, 3 ... with no gaps).
Each event carries the hash of the event before it in its chain and its own hash: SHA-256
over the previous hash and a canonical serialization of the event (see
:mod:`bookwarden.audit.chain`).  ``seq`` numbers the events of all chains in the order they
were written (unique; on PostgreSQL it may skip a number a rolled-back write took).  Writers
of different libraries therefore never wait for each other (issue 16, CC-6).

Events written before chains were per library have no ``chain``: they form the one chain of
those days, numbered by ``seq`` with no gaps, and are verified as such.  Rows are never
updated or deleted: the model refuses it, and on PostgreSQL a trigger refuses it too.

The log never copies record contents (titles, search terms): only ids and types.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q

from bookwarden.core.models import Library, Membership


class AuditAction(models.TextChoices):
    # Authentication (LV-3, CC-4)
    LOGIN = "auth.login", "Logged in"
    LOGOUT = "auth.logout", "Logged out"
    LOGIN_FAILED = "auth.login_failed", "Login failed"
    LOCKED_OUT = "auth.locked_out", "Locked out after repeated failures"
    SESSION_LOCKED = "auth.session_locked", "Idle session locked"
    SESSION_UNLOCKED = "auth.session_unlocked", "Idle session unlocked"
    PASSWORD_CHANGED = "auth.password_changed", "Password changed"
    PASSWORD_RESET = "auth.password_reset", "Password reset by e-mail"
    REAUTHENTICATED = "auth.reauthenticated", "Confirmed password for a sensitive action"
    MFA_ADDED = "mfa.added", "Two-factor method added"
    MFA_REMOVED = "mfa.removed", "Two-factor method removed"
    MFA_RESET = "mfa.reset", "Recovery codes regenerated"
    MFA_FAILED = "mfa.failed", "Two-factor code rejected"
    # Staff and roles (CC-1, CC-2)
    STAFF_CREATED = "staff.created", "Staff account created"
    SIGN_IN_UNLOCKED = "staff.sign_in_unlocked", "Sign-in lockout lifted by a director"
    ROLE_ASSIGNED = "role.assigned", "Role assigned"
    ROLE_CHANGED = "role.changed", "Role changed"
    ROLE_REVOKED = "role.revoked", "Role revoked"
    # Libraries
    LIBRARY_CREATED = "library.created", "Library created"
    LIBRARY_SETTINGS_CHANGED = "library.settings_changed", "Library settings changed"
    BRANCH_CREATED = "branch.created", "Branch created"
    CONSORTIUM_CREATED = "consortium.created", "Consortium created"
    # The installation role: the person who runs the server (from the command line only)
    INSTALLATION_ROLE_GRANTED = "installation.role_granted", "Installation role granted"
    INSTALLATION_ROLE_REVOKED = "installation.role_revoked", "Installation role revoked"
    # Patrons and their library records (CR-5, CR-5b, CR-6a)
    PATRON_CREATED = "patron.created", "Patron registered"
    PATRON_UPDATED = "patron.updated", "Patron details changed"
    PATRON_SEARCHED = "patron.searched", "Patrons searched"
    PATRON_VIEWED = "patron.viewed", "Patron details viewed"
    RECORDS_OPENED = "patron.records_opened", "Library records opened"
    RECORDS_REFUSED = "patron.records_refused", "Opening library records refused"
    READING_HISTORY_CHANGED = "patron.reading_history", "Reading-history consent changed"
    PATRON_LANGUAGE_CHOSEN = (
        "patron.language_chosen",
        "Patron chose a language for the portal and mail",
    )
    CARD_ISSUED = "card.issued", "Card issued"
    CARD_REPORTED = "card.reported", "Card reported lost or stolen"
    CARD_RENEWED = "card.renewed", "Card renewed; privacy rights reminded"
    PIN_SET = "patron.pin_set", "Portal PIN set"
    ACCESS_SEALED = "patron.access_sealed", "Record opening hidden from the patron by court order"
    IMPORT_RUN = "import.run", "Import from the ILS"
    RETENTION_RULE_CHANGED = "retention.rule_changed", "Retention rule changed"
    RETENTION_RUN = "retention.run", "Retention run"
    RETENTION_CHUNK = "retention.chunk", "Library records unlinked or deleted by retention"
    RETENTION_RUN_ABANDONED = "retention.run_abandoned", "Retention run found stopped unfinished"
    RETENTION_PROOF = "retention.proof", "Retention proof taken"
    # The patron portal (NM-7, CR-6b)
    PORTAL_LOGIN = "portal.login", "Patron logged in to the portal"
    PORTAL_LOGOUT = "portal.logout", "Patron logged out of the portal"
    PORTAL_LOGIN_FAILED = "portal.login_failed", "Portal login failed"
    PORTAL_LOCKED_OUT = "portal.locked_out", "Portal locked after repeated failures"
    PRIVACY_REMINDER_READ = "portal.privacy_reminder_read", "Patron read the privacy reminder"
    # Periodic jobs
    JOB_REQUESTED = "job.requested", "Job run requested"
    MAIL_RESENT = "mail.resent", "Failed mail queued to be sent again"
    # The security operations log (CC-9, IT-7, IT-10, IT-4)
    OPS_ENTRY_CREATED = "ops.entry_created", "Log entry recorded"
    OPS_ENTRY_UPDATED = "ops.entry_updated", "Log entry changed"
    OPS_STEP_ADDED = "ops.step_added", "Step or note added to a log entry"
    OPS_ENTRY_CLOSED = "ops.entry_closed", "Log entry closed"
    OPS_ATTACHMENT_ADDED = "ops.attachment_added", "Attachment added to a log entry"
    OPS_ACKNOWLEDGED = "ops.acknowledged", "Incident acknowledged"
    OPS_ESCALATED = "ops.escalated", "Unacknowledged incident escalated"
    OPS_EXPORTED = "ops.exported", "Operations log exported"
    OPS_SETTINGS_CHANGED = "ops.settings_changed", "Operations log settings changed"
    OPS_OUTSIDE_ACCESS_RESOLVED = (
        "ops.outside_access_resolved",
        "Passwords changed after outside access",
    )
    # Enforcement steps (IT-9, LV-12, CC-3, CC-11)
    CASE_OPENED = "enforcement.opened", "Enforcement case opened"
    CASE_STEP = "enforcement.step", "Enforcement step recorded"
    HR_DECISION = "enforcement.hr_decision", "Human resources decided on discipline"
    CONTACT_ATTEMPT = "enforcement.contact_attempt", "Contact attempt recorded"
    DEVICE_ISOLATED = "enforcement.device_isolated", "Device isolated from the network"
    ACCOUNT_LOCKED = "enforcement.account_locked", "Staff account locked"
    ACCOUNT_UNLOCKED = "enforcement.account_unlocked", "Staff account unlocked"
    SUSPENSION_STARTED = "enforcement.suspended", "Account or workstation suspended"
    SUSPENSION_ENDED = "enforcement.suspension_ended", "Suspension ended"
    REFERRED = "enforcement.referred", "Referred to law enforcement"
    CASE_CLOSED = "enforcement.closed", "Enforcement case closed"
    PATRON_RESTRICTED = "patron.restricted", "Patron's computer use restricted"
    PATRON_RESTRICTION_ENDED = "patron.restriction_ended", "Patron restriction ended"
    # Breach of patron information (CR-6e)
    BREACH_DECLARED = "breach.declared", "Breach of patron information declared"
    BREACH_SCOPE_CHANGED = "breach.scope_changed", "Breach accounts or time window changed"
    BREACH_AFFECTED_LISTED = "breach.affected_listed", "Affected patrons listed from the audit log"
    BREACH_PATRON_ADDED = "breach.patron_added", "Affected patron added by hand"
    BREACH_NOTICE_QUEUED = "breach.notice_queued", "Breach notice e-mailed to a patron"
    BREACH_LETTER_PRINTED = "breach.letter_printed", "Breach letter printed for a patron"
    BREACH_NOTICE_MARKED_SENT = "breach.notice_marked_sent", "Breach letter marked as sent"
    BREACH_REVIEW_RECORDED = "breach.review_recorded", "Post-incident review recorded"
    # Disclosures: requests for library records (CR-5a, CC-5, NM-1, NM-2)
    DISCLOSURE_REQUEST_RECORDED = "disclosure.request_recorded", "Request for records recorded"
    DISCLOSURE_DOCUMENT_ADDED = "disclosure.document_added", "Request document added"
    DISCLOSURE_DOCUMENT_VIEWED = "disclosure.document_viewed", "Request document opened"
    DISCLOSURE_PATRONS_IDENTIFIED = (
        "disclosure.patrons_identified",
        "Patrons of a request for records identified",
    )
    DISCLOSURE_COUNSEL_RECORDED = "disclosure.counsel_recorded", "Counsel's advice recorded"
    DISCLOSURE_IDENTITY_VERIFIED = (
        "disclosure.identity_verified",
        "Requester's identity verified",
    )
    DISCLOSURE_INSTRUMENT_VERIFIED = (
        "disclosure.instrument_verified",
        "Request's instrument verified",
    )
    DISCLOSURE_STEPS_OVERRIDDEN = (
        "disclosure.steps_overridden",
        "Required steps overridden in an emergency",
    )
    DISCLOSURE_DECIDED = "disclosure.decided", "Request for records decided"
    DISCLOSURE_PACKET_PRODUCED = "disclosure.packet_produced", "Disclosure packet produced"
    DISCLOSURE_PACKET_DOWNLOADED = "disclosure.packet_downloaded", "Disclosure packet downloaded"
    DISCLOSURE_LETTER_PRODUCED = "disclosure.letter_produced", "Refusal letter produced"
    DISCLOSURE_PATRON_NOTIFIED = "disclosure.patron_notified", "Patron told of a disclosure"
    DISCLOSURE_NOTICE_HELD = "disclosure.notice_held", "Patron notice held by a gag order"
    DISCLOSURE_CLOSED = "disclosure.closed", "Request for records closed"
    DISCLOSURE_POLICY_CHANGED = "disclosure.policy_changed", "Library disclosure policy changed"
    DISCLOSURE_OPEN_RECORDS_REQUEST = (
        "disclosure.open_records_request",
        "Open-records request for public records answered",
    )
    DISCLOSURE_PUBLIC_RECORDS_READ = (
        "disclosure.public_records_read",
        "Public records read for an open-records request",
    )
    DISCLOSURE_TRANSPARENCY_REPORT = (
        "disclosure.transparency_report",
        "Disclosure transparency report viewed or exported",
    )
    # The log itself
    AUDIT_VIEWED = "audit.viewed", "Audit log opened"
    AUDIT_EXPORTED = "audit.exported", "Audit log exported"
    AUDIT_ANCHORED = "audit.anchored", "Audit log head written to the anchor folder"
    AUDIT_HEAD_MAILED = "audit.head_mailed", "Audit log head mailed to the directors"
    DEMO_LOADED = "system.demo_loaded", "Demo data loaded"
    # Staff program: onboarding
    ONBOARDING_REMINDER_SENT = "onboarding.reminder_sent", "Task reminder mailed to a person"
    ONBOARDING_HR_TOLD = "onboarding.hr_told", "Human resources told of overdue tasks"
    ONBOARDING_SETTINGS_CHANGED = "onboarding.settings_changed", "Onboarding settings changed"
    # Staff program: training
    TRAINING_COURSE_ADDED = "training.course_added", "Training course added"
    TRAINING_COURSE_CHANGED = "training.course_changed", "Training course changed"
    TRAINING_QUESTION_SAVED = "training.question_saved", "Quiz question saved"
    TRAINING_SESSION_SCHEDULED = "training.session_scheduled", "Training session scheduled"
    TRAINING_ATTENDANCE_RECORDED = "training.attendance_recorded", "Training attendance recorded"
    TRAINING_QUIZ_PASSED = "training.quiz_passed", "Training quiz passed"
    TRAINING_QUIZ_FAILED = "training.quiz_failed", "Training quiz failed"
    TRAINING_COMPLETIONS_IMPORTED = (
        "training.completions_imported",
        "Training completions imported",
    )
    TRAINING_COMPLETION_RECORDED = "training.completion_recorded", "Training completion recorded"
    TRAINING_EXPORTED = "training.exported", "Training completion report exported"
    # Staff program: policies
    POLICY_ADDED = "policy.added", "Policy added"
    POLICY_VERSION_ADDED = "policy.version_added", "Policy version added"
    POLICY_REVIEWED = "policy.reviewed", "Policy review recorded"
    POLICY_SIGNED = "policy.signed", "Policy signed"
    POLICY_NOTICE_ACKNOWLEDGED = "policy.notice_acknowledged", "Monitoring notice acknowledged"
    PRIVACY_POLICY_PUBLISHED = "policy.privacy_published", "Privacy policy published"
    # Staff program: people
    DEPARTURE_RECORDED = "people.departure_recorded", "Departure recorded"
    DEPARTURE_CHANGED = "people.departure_changed", "Departure changed"
    DEPARTURE_CANCELLED = "people.departure_cancelled", "Departure cancelled"
    ACCOUNT_ENDED = "people.account_ended", "Account ended"
    ACCOUNT_REVIEW_STARTED = "people.review_started", "Account review started"
    ACCOUNT_REVIEW_DECIDED = "people.review_decided", "Account review decision recorded"
    ACCOUNT_REVIEW_FINISHED = "people.review_finished", "Account review finished"
    ACCOUNT_REVIEW_SETTINGS_CHANGED = (
        "people.review_settings_changed",
        "Account review period changed",
    )
    # Staff program: software
    SOFTWARE_ADDED = "software.added", "Software added to the catalog"
    SOFTWARE_CHANGED = "software.changed", "Software in the catalog changed"
    SOFTWARE_REQUESTED = "software.requested", "Software request made"
    SOFTWARE_REQUEST_APPROVED = "software.request_approved", "Software request approved"
    SOFTWARE_REQUEST_REFUSED = "software.request_refused", "Software request refused"
    SOFTWARE_INSTALLATION_RECORDED = (
        "software.installation_recorded",
        "Software installation recorded",
    )
    SOFTWARE_INSTALLATION_REMOVED = "software.installation_removed", "Software installation removed"
    # Staff program: credentials
    CREDENTIAL_ADDED = "credentials.added", "Shared login added"
    CREDENTIAL_CHANGED = "credentials.changed", "Shared login changed"
    CREDENTIAL_ROTATED = "credentials.rotated", "Shared login change recorded"
    CREDENTIAL_DUE_NOW = "credentials.due_now", "Shared login marked to change now"
    CREDENTIAL_SETTINGS_CHANGED = "credentials.settings_changed", "Rotation period changed"
    CREDENTIAL_ROTATIONS_EXPORTED = "credentials.exported", "Shared login changes exported"
    # Staff program: devices
    DEVICE_ADDED = "devices.added", "Device added"
    DEVICE_CHANGED = "devices.changed", "Device changed"
    DEVICE_RETIRED = "devices.retired", "Device retired"
    DEVICES_IMPORTED = "devices.imported", "Devices imported"
    DEVICE_PATCHED = "devices.patched", "Device patch recorded"
    DEVICE_MARKED_ISOLATED = "devices.isolated", "Device marked isolated"
    DEVICE_RETURNED = "devices.returned", "Device returned to service"
    DEVICE_SETTINGS_CHANGED = "devices.settings_changed", "Device settings changed"
    PUBLIC_COMPUTERS_CHECKED = "devices.public_checked", "Public computers check recorded"
    # Staff program: vendors
    VENDOR_ADDED = "vendor.added", "Vendor added"
    VENDOR_CHANGED = "vendor.changed", "Vendor changed"
    VENDOR_REMOVED = "vendor.removed", "Vendor removed"
    VENDOR_REVIEWED = "vendor.reviewed", "Vendor review recorded"
    VENDOR_NAMED_ON_INCIDENT = "vendor.named_on_incident", "Vendor named on an incident"
    # Backups of the installation (CR-6a, CC-8)
    BACKUP_CREATED = "backup.created", "Backup made"
    BACKUP_CHECKED = "backup.checked", "Backup checked by restoring it into a scratch database"
    BACKUP_DELETED = "backup.deleted", "Old backup deleted"
    BACKUP_RESTORED = "backup.restored", "Database restored from a backup"
    # The REST API and alerts into the operations log (LV-3, CC-7, CC-9)
    API_TOKEN_CREATED = "api.token_created", "API token created"
    API_TOKEN_REVOKED = "api.token_revoked", "API token revoked"
    API_ALERT_SOURCE_CREATED = "api.alert_source_created", "Alert source connected"
    API_ALERT_SOURCE_REVOKED = "api.alert_source_revoked", "Alert source disconnected"
    API_ALERT_RECEIVED = "api.alert_received", "Alert received into the operations log"
    # Reports of the compliance program (CC-8, CC-11, CC-12)
    REPORT_BOARD_PRODUCED = "reports.board_report", "Board report produced as a PDF"
    REPORT_PACKAGE_PRODUCED = "reports.auditor_package", "Grant auditor's package produced"
    REPORT_DIGEST_QUEUED = "reports.weekly_digest", "Weekly digest mailed to a director"
    # Compliance controls (CC-8)
    COMPLIANCE_NOT_APPLICABLE = "compliance.not_applicable", "Control marked not applicable"
    COMPLIANCE_APPLICABLE = "compliance.applicable", "Control marked applicable again"
    COMPLIANCE_OWN_CONTROLS_SAVED = "compliance.own_controls_saved", "Library's own controls saved"
    COMPLIANCE_ITEM_ANSWERED = "compliance.item_answered", "Checklist item answered"
    # Sign-in with the library's accounts (CC-7, LV-3; docs/sso.md)
    SSO_SIGNED_IN = "sso.signed_in", "Signed in with the library's accounts"
    SSO_REFUSED = "sso.refused", "Sign-in with the library's accounts refused"
    SSO_SECOND_FACTOR_TRUSTED = (
        "sso.second_factor_trusted",
        "Second factor checked by the identity provider trusted at sign-in",
    )
    SSO_TRUST_CHANGED = (
        "sso.trust_changed",
        "Trust in the identity provider's second factor changed",
    )


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def for_user(self, user: Any, perm: str = "view_audit") -> AuditEventQuerySet:
        """Events a person may read: their libraries' events, and the account events
        (logins, MFA changes; no library) of people who hold a role in those libraries."""
        from bookwarden.core.permissions import libraries_with_perm

        if not getattr(user, "is_authenticated", False):
            return self.none()
        library_ids = libraries_with_perm(user, perm)
        if not library_ids:
            return self.none()
        staff_ids = Membership.objects.for_user(user, perm).values("user_id")
        return self.filter(
            Q(library_id__in=library_ids)
            | Q(library__isnull=True, actor_id__in=staff_ids)
            | Q(library__isnull=True, subject_user_id__in=staff_ids)
        )

    def update(self, **kwargs: Any) -> int:
        raise TypeError("Audit events are append-only: they cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Audit events are append-only: they cannot be deleted.")

    delete.queryset_only = True  # type: ignore[attr-defined]


class AuditEvent(models.Model):
    seq = models.BigIntegerField(unique=True, editable=False)
    chain = models.BigIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="The chain the event belongs to: its library's id, 0 for the installation.",
    )
    chain_seq = models.BigIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        help_text="The person who acted; empty for the system or an unknown person.",
    )
    action = models.CharField(max_length=64, choices=AuditAction.choices)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    library = models.ForeignKey(
        Library,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        help_text="The staff account an account event is about (a failed login, say).",
    )
    # A plain id, not a foreign key: patrons are anonymised and deleted by retention, and
    # the log must outlive them without holding their records.
    patron_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # Null, not "": "no purpose stated" must differ from a purpose typed as blank.
    purpose = models.TextField(null=True, blank=True)  # noqa: DJ001
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    # Not unique: the chain proves each event's hash; an index of random keys on every
    # append (two on PostgreSQL, with the LIKE index) bought nothing (issue 16).
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["library", "-seq"], name="audit_library_seq"),
            # The filters of the audit log page; equality only, so no LIKE index beside.
            models.Index(fields=["action"], name="audit_action"),
            models.Index(fields=["target_type"], name="audit_target_type"),
            # The breach's "affected patrons" listing (CR-6e): the openings of patron
            # records (about 6 in 100 events) by account and time, at a library.
            models.Index(
                fields=["library", "actor", "created_at"],
                condition=Q(action="patron.records_opened"),
                name="breach_openings_window",
            ),
            # `audit verify` walks the events written before per-library chains by seq.
            models.Index(
                fields=["seq"], condition=Q(chain__isnull=True), name="audit_before_chains"
            ),
        ]
        constraints = [
            # One event per place in each chain; the index serves the head read of every
            # append and the walk of `audit verify`, chain by chain.
            models.UniqueConstraint(fields=["chain", "chain_seq"], name="audit_chain_place"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor_id or 'system'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Audit events are append-only: they cannot be changed.")
        if not self.hash:
            raise TypeError("Write audit events through bookwarden.audit.actions.record().")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Audit events are append-only: they cannot be deleted.")

    @property
    def action_label(self) -> Any:
        """What ``get_action_display`` says, from a table built once: Django's builds a
        dict of all the actions for each call, a cost on a page of 50 events (issue 16)."""
        return _ACTION_LABELS.get(self.action, self.action)

    @property
    def target_label(self) -> str:
        """ "Membership #12": the kind of object by its model's name (never its contents)."""
        if not self.target_type:
            return ""
        try:
            kind = str(apps.get_model(self.target_type)._meta.verbose_name).capitalize()
        except (LookupError, ValueError):
            kind = self.target_type
        return f"{kind} #{self.target_id}"


# The labels as declared (lazy, if they are translated): read in the language of the page.
_ACTION_LABELS: dict[str, Any] = dict(AuditAction.choices)
