from django.db import migrations

from config.roles import sync_roles


class Migration(migrations.Migration):
    """The Viewer and Editor roles cover letter responses too."""

    # After the tracker's latest: sync_roles sets each role's permissions to those that exist.
    dependencies = [
        ("campaigns", "0002_letter_responses"),
        ("tracker", "0019_case_event_proposals"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
