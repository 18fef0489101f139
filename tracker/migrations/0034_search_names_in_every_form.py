"""search_names again for every case, now that it holds every form a name is found in
(tracker.names: traditional Chinese folded to simplified, a name's dots dropped, romanisation
variants such as `tang wen bo` and `wenbo tang`).

The column is derived (DetainedPerson.clean), so this computes it from the name fields with the
current rules, and writes only the rows whose value changes: running it twice changes nothing
the second time. Going back leaves the column as it is (search still finds every name under its
plain folded form, which is the first line of each).
"""

from django.db import migrations

from tracker.cases.models import name_forms, search_names

_BATCH = 500


def recompute(apps, schema_editor):
    DetainedPerson = apps.get_model("tracker", "DetainedPerson")
    rows = DetainedPerson.objects.order_by("pk").values_list(
        "pk", "name", "native_name", "aliases", "search_names"
    )
    changed = []
    for pk, name, native_name, aliases, stored in rows.iterator(chunk_size=_BATCH):
        value = search_names(name_forms(name, native_name, aliases))
        if value != stored:
            changed.append(DetainedPerson(pk=pk, search_names=value))
        if len(changed) == _BATCH:
            DetainedPerson.objects.bulk_update(changed, ["search_names"])
            changed = []
    DetainedPerson.objects.bulk_update(changed, ["search_names"])


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0033_suppressed_addresses_and_random_message_ids"),
    ]

    operations = [
        migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True),
    ]
