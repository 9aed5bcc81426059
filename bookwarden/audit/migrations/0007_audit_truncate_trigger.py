"""On PostgreSQL the audit table refuses TRUNCATE too (DESIGN mechanism 3; LV-3, CC-9).

The row triggers of 0002 refuse UPDATE and DELETE; TRUNCATE fires no row trigger, so a
statement-level BEFORE TRUNCATE trigger refuses it.  A session that means it (emptying a
test copy: the test suite's database reset) first runs
``SET bookwarden.allow_audit_truncate = 'on'``.  That switch is no privilege: only a role
holding TRUNCATE on the table can use it, and the documented app role holds none
(docs/deployment-database.md); the table's owner could drop the trigger anyway.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_event_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('bookwarden.allow_audit_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: TRUNCATE refused'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_no_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_no_truncate();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_disclosure_actions")]
    operations = [migrations.RunPython(forwards, backwards)]
