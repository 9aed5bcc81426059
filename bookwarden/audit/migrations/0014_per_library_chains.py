"""Per-library chains (issue 16, CC-6): each library's events chain on their own, the
installation's events (no library) in chain 0; the events written before keep no chain and
verify as the one chain they were.

The hash is no longer unique (the chain proves it; an index of random keys cost every
append), and the page's filters on action and type lose the LIKE indexes they never used.

On PostgreSQL, ``audit_append`` appends one event in one round trip: it locks the event's
chain (a transaction-level advisory lock), reads the chain's head with a snapshot taken
after the lock (each statement of a PL/pgSQL function takes its own), numbers the event,
hashes it and inserts it.  The caller sends the canonical JSON of every hashed value except
the two numbers only known under the lock (``seq`` first, the place in the chain last), so
the hash is byte for byte what :func:`bookwarden.audit.chain.event_hash` computes, and what
``audit verify`` recomputes in Python.  It runs with the caller's rights (the app role may
only SELECT and INSERT on the table).
"""

from django.conf import settings
from django.db import migrations, models

APPEND = r"""
CREATE OR REPLACE FUNCTION audit_append(
    p_chain bigint, p_canonical_middle text, p_created_at timestamptz, p_actor_id bigint,
    p_action varchar, p_target_type varchar, p_target_id varchar, p_library_id bigint,
    p_subject_user_id bigint, p_patron_id bigint, p_purpose text, p_request_id varchar,
    p_ip inet, p_before jsonb, p_after jsonb
) RETURNS TABLE (o_seq bigint, o_chain_seq bigint, o_prev_hash varchar, o_hash varchar)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_place bigint;
    v_prev varchar;
    v_seq bigint;
    v_hash varchar;
BEGIN
    -- (0x62776175 "bwau", chain): the lock of one chain.
    PERFORM pg_advisory_xact_lock(1651990901, p_chain::integer);
    SELECT e.chain_seq, e.hash INTO v_place, v_prev
        FROM audit_auditevent e WHERE e.chain = p_chain
        ORDER BY e.chain_seq DESC LIMIT 1;
    v_place := COALESCE(v_place, 0) + 1;
    v_prev := COALESCE(v_prev, repeat('0', 64));
    v_seq := nextval(pg_get_serial_sequence('audit_auditevent', 'id'));
    v_hash := encode(sha256(convert_to(
        v_prev || E'
' || '[2,' || v_seq || ',' || p_canonical_middle || ',' || v_place || ']',
        'UTF8')), 'hex');
    INSERT INTO audit_auditevent (
        id, seq, chain, chain_seq, created_at, actor_id, action, target_type, target_id,
        library_id, subject_user_id, patron_id, purpose, request_id, ip, before, after,
        prev_hash, hash
    ) VALUES (
        v_seq, v_seq, p_chain, v_place, p_created_at, p_actor_id, p_action, p_target_type,
        p_target_id, p_library_id, p_subject_user_id, p_patron_id, p_purpose, p_request_id,
        p_ip, p_before, p_after, v_prev, v_hash
    );
    RETURN QUERY SELECT v_seq, v_place, v_prev, v_hash;
END;
$$;
"""

DROP = "DROP FUNCTION IF EXISTS audit_append(bigint, text, timestamptz, bigint, varchar, varchar, varchar, bigint, bigint, bigint, text, varchar, inet, jsonb, jsonb);"  # noqa: E501


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0013_api_language_compliance_sso_and_reports_actions'),
        ('core', '0003_library_time_zone'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='chain',
            field=models.BigIntegerField(blank=True, editable=False, help_text="The chain the event belongs to: its library's id, 0 for the installation.", null=True),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='chain_seq',
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(condition=models.Q(('chain__isnull', True)), fields=['seq'], name='audit_before_chains'),
        ),
        migrations.AddConstraint(
            model_name='auditevent',
            constraint=models.UniqueConstraint(fields=('chain', 'chain_seq'), name='audit_chain_place'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('auth.login', 'Logged in'), ('auth.logout', 'Logged out'), ('auth.login_failed', 'Login failed'), ('auth.locked_out', 'Locked out after repeated failures'), ('auth.session_locked', 'Idle session locked'), ('auth.session_unlocked', 'Idle session unlocked'), ('auth.password_changed', 'Password changed'), ('auth.password_reset', 'Password reset by e-mail'), ('auth.reauthenticated', 'Confirmed password for a sensitive action'), ('mfa.added', 'Two-factor method added'), ('mfa.removed', 'Two-factor method removed'), ('mfa.reset', 'Recovery codes regenerated'), ('mfa.failed', 'Two-factor code rejected'), ('staff.created', 'Staff account created'), ('staff.sign_in_unlocked', 'Sign-in lockout lifted by a director'), ('role.assigned', 'Role assigned'), ('role.changed', 'Role changed'), ('role.revoked', 'Role revoked'), ('library.created', 'Library created'), ('library.settings_changed', 'Library settings changed'), ('branch.created', 'Branch created'), ('consortium.created', 'Consortium created'), ('installation.role_granted', 'Installation role granted'), ('installation.role_revoked', 'Installation role revoked'), ('patron.created', 'Patron registered'), ('patron.updated', 'Patron details changed'), ('patron.searched', 'Patrons searched'), ('patron.viewed', 'Patron details viewed'), ('patron.records_opened', 'Library records opened'), ('patron.records_refused', 'Opening library records refused'), ('patron.reading_history', 'Reading-history consent changed'), ('patron.language_chosen', 'Patron chose a language for the portal and mail'), ('card.issued', 'Card issued'), ('card.reported', 'Card reported lost or stolen'), ('card.renewed', 'Card renewed; privacy rights reminded'), ('patron.pin_set', 'Portal PIN set'), ('patron.access_sealed', 'Record opening hidden from the patron by court order'), ('import.run', 'Import from the ILS'), ('retention.rule_changed', 'Retention rule changed'), ('retention.run', 'Retention run'), ('retention.chunk', 'Library records unlinked or deleted by retention'), ('retention.run_abandoned', 'Retention run found stopped unfinished'), ('retention.proof', 'Retention proof taken'), ('portal.login', 'Patron logged in to the portal'), ('portal.logout', 'Patron logged out of the portal'), ('portal.login_failed', 'Portal login failed'), ('portal.locked_out', 'Portal locked after repeated failures'), ('portal.privacy_reminder_read', 'Patron read the privacy reminder'), ('job.requested', 'Job run requested'), ('mail.resent', 'Failed mail queued to be sent again'), ('ops.entry_created', 'Log entry recorded'), ('ops.entry_updated', 'Log entry changed'), ('ops.step_added', 'Step or note added to a log entry'), ('ops.entry_closed', 'Log entry closed'), ('ops.attachment_added', 'Attachment added to a log entry'), ('ops.acknowledged', 'Incident acknowledged'), ('ops.escalated', 'Unacknowledged incident escalated'), ('ops.exported', 'Operations log exported'), ('ops.settings_changed', 'Operations log settings changed'), ('ops.outside_access_resolved', 'Passwords changed after outside access'), ('enforcement.opened', 'Enforcement case opened'), ('enforcement.step', 'Enforcement step recorded'), ('enforcement.hr_decision', 'Human resources decided on discipline'), ('enforcement.contact_attempt', 'Contact attempt recorded'), ('enforcement.device_isolated', 'Device isolated from the network'), ('enforcement.account_locked', 'Staff account locked'), ('enforcement.account_unlocked', 'Staff account unlocked'), ('enforcement.suspended', 'Account or workstation suspended'), ('enforcement.suspension_ended', 'Suspension ended'), ('enforcement.referred', 'Referred to law enforcement'), ('enforcement.closed', 'Enforcement case closed'), ('patron.restricted', "Patron's computer use restricted"), ('patron.restriction_ended', 'Patron restriction ended'), ('breach.declared', 'Breach of patron information declared'), ('breach.scope_changed', 'Breach accounts or time window changed'), ('breach.affected_listed', 'Affected patrons listed from the audit log'), ('breach.patron_added', 'Affected patron added by hand'), ('breach.notice_queued', 'Breach notice e-mailed to a patron'), ('breach.letter_printed', 'Breach letter printed for a patron'), ('breach.notice_marked_sent', 'Breach letter marked as sent'), ('breach.review_recorded', 'Post-incident review recorded'), ('disclosure.request_recorded', 'Request for records recorded'), ('disclosure.document_added', 'Request document added'), ('disclosure.document_viewed', 'Request document opened'), ('disclosure.patrons_identified', 'Patrons of a request for records identified'), ('disclosure.counsel_recorded', "Counsel's advice recorded"), ('disclosure.identity_verified', "Requester's identity verified"), ('disclosure.instrument_verified', "Request's instrument verified"), ('disclosure.steps_overridden', 'Required steps overridden in an emergency'), ('disclosure.decided', 'Request for records decided'), ('disclosure.packet_produced', 'Disclosure packet produced'), ('disclosure.packet_downloaded', 'Disclosure packet downloaded'), ('disclosure.letter_produced', 'Refusal letter produced'), ('disclosure.patron_notified', 'Patron told of a disclosure'), ('disclosure.notice_held', 'Patron notice held by a gag order'), ('disclosure.closed', 'Request for records closed'), ('disclosure.policy_changed', 'Library disclosure policy changed'), ('disclosure.open_records_request', 'Open-records request for public records answered'), ('disclosure.public_records_read', 'Public records read for an open-records request'), ('disclosure.transparency_report', 'Disclosure transparency report viewed or exported'), ('audit.viewed', 'Audit log opened'), ('audit.exported', 'Audit log exported'), ('audit.anchored', 'Audit log head written to the anchor folder'), ('audit.head_mailed', 'Audit log head mailed to the directors'), ('system.demo_loaded', 'Demo data loaded'), ('onboarding.reminder_sent', 'Task reminder mailed to a person'), ('onboarding.hr_told', 'Human resources told of overdue tasks'), ('onboarding.settings_changed', 'Onboarding settings changed'), ('training.course_added', 'Training course added'), ('training.course_changed', 'Training course changed'), ('training.question_saved', 'Quiz question saved'), ('training.session_scheduled', 'Training session scheduled'), ('training.attendance_recorded', 'Training attendance recorded'), ('training.quiz_passed', 'Training quiz passed'), ('training.quiz_failed', 'Training quiz failed'), ('training.completions_imported', 'Training completions imported'), ('training.completion_recorded', 'Training completion recorded'), ('training.exported', 'Training completion report exported'), ('policy.added', 'Policy added'), ('policy.version_added', 'Policy version added'), ('policy.reviewed', 'Policy review recorded'), ('policy.signed', 'Policy signed'), ('policy.notice_acknowledged', 'Monitoring notice acknowledged'), ('policy.privacy_published', 'Privacy policy published'), ('people.departure_recorded', 'Departure recorded'), ('people.departure_changed', 'Departure changed'), ('people.departure_cancelled', 'Departure cancelled'), ('people.account_ended', 'Account ended'), ('people.review_started', 'Account review started'), ('people.review_decided', 'Account review decision recorded'), ('people.review_finished', 'Account review finished'), ('people.review_settings_changed', 'Account review period changed'), ('software.added', 'Software added to the catalog'), ('software.changed', 'Software in the catalog changed'), ('software.requested', 'Software request made'), ('software.request_approved', 'Software request approved'), ('software.request_refused', 'Software request refused'), ('software.installation_recorded', 'Software installation recorded'), ('software.installation_removed', 'Software installation removed'), ('credentials.added', 'Shared login added'), ('credentials.changed', 'Shared login changed'), ('credentials.rotated', 'Shared login change recorded'), ('credentials.due_now', 'Shared login marked to change now'), ('credentials.settings_changed', 'Rotation period changed'), ('credentials.exported', 'Shared login changes exported'), ('devices.added', 'Device added'), ('devices.changed', 'Device changed'), ('devices.retired', 'Device retired'), ('devices.imported', 'Devices imported'), ('devices.patched', 'Device patch recorded'), ('devices.isolated', 'Device marked isolated'), ('devices.returned', 'Device returned to service'), ('devices.settings_changed', 'Device settings changed'), ('devices.public_checked', 'Public computers check recorded'), ('vendor.added', 'Vendor added'), ('vendor.changed', 'Vendor changed'), ('vendor.removed', 'Vendor removed'), ('vendor.reviewed', 'Vendor review recorded'), ('vendor.named_on_incident', 'Vendor named on an incident'), ('backup.created', 'Backup made'), ('backup.checked', 'Backup checked by restoring it into a scratch database'), ('backup.deleted', 'Old backup deleted'), ('backup.restored', 'Database restored from a backup'), ('api.token_created', 'API token created'), ('api.token_revoked', 'API token revoked'), ('api.alert_source_created', 'Alert source connected'), ('api.alert_source_revoked', 'Alert source disconnected'), ('api.alert_received', 'Alert received into the operations log'), ('reports.board_report', 'Board report produced as a PDF'), ('reports.auditor_package', "Grant auditor's package produced"), ('reports.weekly_digest', 'Weekly digest mailed to a director'), ('compliance.not_applicable', 'Control marked not applicable'), ('compliance.applicable', 'Control marked applicable again'), ('compliance.own_controls_saved', "Library's own controls saved"), ('compliance.item_answered', 'Checklist item answered'), ('sso.signed_in', "Signed in with the library's accounts"), ('sso.refused', "Sign-in with the library's accounts refused"), ('sso.second_factor_trusted', 'Second factor checked by the identity provider trusted at sign-in'), ('sso.trust_changed', "Trust in the identity provider's second factor changed")], max_length=64),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='hash',
            field=models.CharField(max_length=64),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='target_type',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['action'], name='audit_action'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['target_type'], name='audit_target_type'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(condition=models.Q(('action', 'patron.records_opened')), fields=['library', 'actor', 'created_at'], name='breach_openings_window'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
