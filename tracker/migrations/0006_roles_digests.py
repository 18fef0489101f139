from django.db import migrations

from config.roles import sync_roles


class Migration(migrations.Migration):
    """The Viewer and Editor roles cover subscriptions and digest deliveries too."""

    dependencies = [("tracker", "0005_digests")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
