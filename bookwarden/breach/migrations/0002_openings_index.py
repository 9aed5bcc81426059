# The breach's "affected patrons" listing (CR-6e, issue 16): the openings of patron records
# by the compromised accounts in the window, at the breach's library, read through a partial
# index of the record openings alone (about 6 in 100 events) instead of intersecting the
# audit log's whole indexes on the action, the library and the time.  The index is on the
# audit log's table, made here by the job it serves; the models' state is unchanged.
# IF NOT EXISTS: a large installation may build it beforehand with CREATE INDEX
# CONCURRENTLY (docs/scale.md), so that the migration does not hold the log's writes.

from django.db import migrations

INDEX = "breach_openings_window"


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0013_api_language_compliance_sso_and_reports_actions'),
        ('breach', '0001_initial'),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON audit_auditevent "
            "(library_id, actor_id, created_at) WHERE action = 'patron.records_opened'",
            f"DROP INDEX IF EXISTS {INDEX}",
        ),
    ]
