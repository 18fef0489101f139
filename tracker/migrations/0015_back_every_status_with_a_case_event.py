"""Every person's status becomes the kind of their latest status event, as the services now
keep it: a person whose status no status event backs (none at all, or a latest one of another
kind) gets one. Data only; the schema is unchanged."""

from django.db import migrations
from django.db.models import OuterRef, Subquery

# The status values as they are at this migration (tracker.models.CaseStatus may change later).
STATUSES = [
    "detained",
    "disappeared",
    "rsdl",
    "arrested",
    "indicted",
    "on_trial",
    "sentenced",
    "released",
    "released_on_bail",
    "exit_ban",
    "deceased",
]

DESCRIPTION = (
    "The status this record had when its status began to follow the timeline; the date is "
    "approximate (the detention date, else the day the record was created)."
)


def back_statuses(apps, schema_editor):
    DetainedPerson = apps.get_model("tracker", "DetainedPerson")
    CaseEvent = apps.get_model("tracker", "CaseEvent")
    latest = {}  # person id -> (date, kind) of their latest status event
    rows = (
        CaseEvent.objects.filter(kind__in=STATUSES)
        .order_by("person_id", "-date", "-id")
        .values_list("person_id", "date", "kind")
    )
    for person_id, on, kind in rows.iterator():
        latest.setdefault(person_id, (on, kind))
    missing = []
    people = DetainedPerson.objects.values_list("pk", "status", "detained_on", "created_at")
    for pk, status, detained_on, created_at in people.iterator():
        backing = latest.get(pk)
        if backing is not None and backing[1] == status:
            continue
        on = detained_on or created_at.date()
        if backing is not None:
            on = max(on, backing[0])  # same day: the newer event is the latest
        missing.append(CaseEvent(person_id=pk, date=on, kind=status, description=DESCRIPTION))
    created = [e.pk for e in CaseEvent.objects.bulk_create(missing, batch_size=500)]
    # Known since the person's last edit, not news: digests list the case events created in
    # their period, and these would all fall in the next one.
    edited = Subquery(
        DetainedPerson.objects.filter(pk=OuterRef("person_id")).values("updated_at")[:1]
    )
    for start in range(0, len(created), 500):
        CaseEvent.objects.filter(pk__in=created[start : start + 500]).update(
            created_at=edited, updated_at=edited
        )


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0014_case_event_kinds_share_status_labels"),
    ]

    operations = [
        # Irreversible in effect: once recorded, the events are the timeline, edited like any.
        migrations.RunPython(back_statuses, migrations.RunPython.noop),
    ]
