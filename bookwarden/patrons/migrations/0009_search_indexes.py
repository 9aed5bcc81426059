# The patron search: exact card number (a B-tree on the number, every database) and name
# words (trigram GIN indexes, PostgreSQL only: see bookwarden/patrons/search_indexes.py).

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from bookwarden.patrons.search_indexes import NAME_INDEXES, AddTrigramIndex


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_library_time_zone'),
        ('patrons', '0008_patron_preferred_language'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='card',
            index=models.Index(fields=['number'], name='card_number_search'),
        ),
        # CREATE EXTENSION IF NOT EXISTS pg_trgm, on PostgreSQL only (Django's operation
        # does nothing on another database).
        TrigramExtension(),
        *(
            AddTrigramIndex('patron', name, column)
            for name, column in NAME_INDEXES.items()
        ),
    ]
