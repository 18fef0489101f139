"""What the dashboard reads instead of every case: CaseCount (cases by status and country) and
CaseDates (each case's clock), both written by triggers on the tables of cases, events and
limits (tracker/cases/summaries.py, which this migration runs), and an index of events by date
for the events of the next 30 days."""

import django.db.models.deletion
from django.db import migrations, models

from tracker.cases import summaries


def install(apps, schema_editor):
    summaries.install(schema_editor)


def uninstall(apps, schema_editor):
    summaries.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0031_lawyer_search_trigram_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("detained", "Detained"),
                            ("disappeared", "Disappeared"),
                            ("rsdl", "Residential surveillance at a designated location (RSDL)"),
                            ("arrested", "Formally arrested"),
                            ("indicted", "Indicted"),
                            ("on_trial", "On trial"),
                            ("sentenced", "Sentenced"),
                            ("released", "Released"),
                            ("released_on_bail", "Released on bail"),
                            ("exit_ban", "Exit ban"),
                            ("deceased", "Deceased"),
                        ],
                        max_length=20,
                    ),
                ),
                ("country", models.CharField(blank=True, max_length=2)),
                ("cases", models.IntegerField(default=0)),
            ],
            options={
                "default_permissions": (),
            },
        ),
        migrations.CreateModel(
            name="CaseDates",
            fields=[
                (
                    "person",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="dates",
                        serialize=False,
                        to="tracker.detainedperson",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("detained", "Detained"),
                            ("disappeared", "Disappeared"),
                            ("rsdl", "Residential surveillance at a designated location (RSDL)"),
                            ("arrested", "Formally arrested"),
                            ("indicted", "Indicted"),
                            ("on_trial", "On trial"),
                            ("sentenced", "Sentenced"),
                            ("released", "Released"),
                            ("released_on_bail", "Released on bail"),
                            ("exit_ban", "Exit ban"),
                            ("deceased", "Deceased"),
                        ],
                        max_length=20,
                    ),
                ),
                ("country", models.CharField(blank=True, max_length=2)),
                ("held", models.BooleanField()),
                ("held_since", models.DateField(null=True)),
                ("status_since", models.DateField(null=True)),
                ("limit_ends_on", models.DateField(null=True)),
            ],
            options={
                "default_permissions": (),
            },
        ),
        migrations.AddConstraint(
            model_name="casecount",
            constraint=models.UniqueConstraint(
                fields=("status", "country"), name="casecount_status_country"
            ),
        ),
        migrations.AddField(
            model_name="casedates",
            name="limit",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="tracker.legallimit",
            ),
        ),
        migrations.AddIndex(
            model_name="casedates",
            index=models.Index(fields=["held", "held_since"], name="casedates_held_since_idx"),
        ),
        migrations.AddIndex(
            model_name="casedates",
            index=models.Index(fields=["limit_ends_on"], name="casedates_limit_ends_idx"),
        ),
        # After the tables: the triggers, and both tables written from the cases there are.
        migrations.RunPython(install, uninstall, elidable=False),
    ]
