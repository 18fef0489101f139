from django.db import migrations

from config.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0022_digestdelivery_updated_at"),
        ("campaigns", "0005_export_permission_campaigns_letters"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="caseevent",
            options={
                "ordering": ["person", "-date", "-id"],
                "permissions": [("export_caseevent", "Can export case events")],
            },
        ),
        migrations.AlterModelOptions(
            name="legallimit",
            options={
                "ordering": ["country", "status"],
                "permissions": [("export_legallimit", "Can export legal limits")],
            },
        ),
        # Editors and Case officers may export these too; Viewers may not.
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
