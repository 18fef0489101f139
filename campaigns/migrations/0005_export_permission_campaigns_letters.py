from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0004_restricted_fields_and_export_permission"),
    ]

    # The roles are given these permissions by tracker 0023 (config.roles.sync_roles).
    operations = [
        migrations.AlterModelOptions(
            name="campaign",
            options={
                "ordering": ["-started_on", "name"],
                "permissions": [("export_campaign", "Can export campaigns")],
            },
        ),
        migrations.AlterModelOptions(
            name="letter",
            options={
                "ordering": ["-sent_on", "title"],
                "permissions": [("export_letter", "Can export letters")],
            },
        ),
    ]
