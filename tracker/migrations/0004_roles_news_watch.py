from django.db import migrations

from config.roles import sync_roles


class Migration(migrations.Migration):
    """The Viewer and Editor roles cover the news watch's records too."""

    dependencies = [("tracker", "0003_news_watch")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
