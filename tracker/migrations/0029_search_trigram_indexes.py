"""Trigram indexes for the search for everything (tracker/workspace/search.py), on PostgreSQL
only: SQLite has no such index (nor needs one at its sizes), so they are not declared in the
models' Meta, where Django would build them on SQLite too (a table rebuilt by a later
migration included). pg_trgm is a trusted extension: the database's owner may create it."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    # Search: NewsItem title__icontains, which Django writes UPPER(title::text) LIKE UPPER(%s)
    # (the cast is implicit in the index's UPPER(title)); 100,000s of rows.
    "newsitem_title_trgm_idx": "tracker_newsitem USING gin (UPPER(title) gin_trgm_ops)",
    # Search: DetainedPerson.objects.search, search_names__contains (LIKE %s, already folded).
    "dp_search_names_trgm_idx": "tracker_detainedperson USING gin (search_names gin_trgm_ops)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, target in INDEXES.items():
            # Raw SQL: a GinIndex in Meta would be built on SQLite too, which has no GIN.
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")  # (as above)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0028_tasks")]

    operations = [
        # Does nothing on other databases.
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
