"""A trigram index for the detained persons' admin search by a case officer, who also searches
the lawyer's name (tracker.cases.admin.RestrictedFieldsMixin): Django writes it
UPPER(lawyer::text) LIKE UPPER(%s), OR-ed with the name forms' search_names LIKE %s (whose
index is 0029's), and one OR-ed condition without an index would read every case. On
PostgreSQL only, as 0029's and for the same reasons."""

from django.db import migrations

INDEXES = {
    # Admin search of a case officer: lawyer__icontains (the cast is implicit in UPPER(lawyer)).
    # fastupdate off: a new case's entry goes into the index at once, not into a pending list
    # that every search reads through until the next VACUUM (cases are added rarely; a
    # pending list of 30,000 cases, most with no lawyer, cost each search 10 ms).
    "dp_lawyer_trgm_idx": (
        "tracker_detainedperson USING gin (UPPER(lawyer) gin_trgm_ops) WITH (fastupdate = off)"
    ),
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
    dependencies = [("tracker", "0030_list_page_indexes")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
