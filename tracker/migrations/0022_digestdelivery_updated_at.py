from django.db import migrations, models
from django.db.models.functions import Coalesce
from django.utils import timezone


def from_what_is_known(apps, schema_editor):
    # Deliveries made before this field existed: changed last when sent, else when made.
    DigestDelivery = apps.get_model("tracker", "DigestDelivery")
    DigestDelivery.objects.update(updated_at=Coalesce("sent_at", "created_at"))


class Migration(migrations.Migration):
    dependencies = [("tracker", "0021_access_log")]

    operations = [
        migrations.AddField(
            model_name="digestdelivery",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=timezone.now),
            preserve_default=False,
        ),
        migrations.RunPython(from_what_is_known, migrations.RunPython.noop),
    ]
