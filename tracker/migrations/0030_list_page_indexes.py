"""Indexes for the admin lists (issue 21): the detained persons' order (and so the case
events', ordered by their person's name), the order of the tasks', reminders', digest
deliveries' and mentions' lists, and the first and last dates of every dated list and which
years have records (config/admin_dates.py)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0029_search_trigram_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="caseevent",
            index=models.Index(fields=["date"], name="caseevent_date_idx"),
        ),
        migrations.AddIndex(
            model_name="caseeventproposal",
            index=models.Index(fields=["date"], name="proposal_date_idx"),
        ),
        migrations.AddIndex(
            model_name="casenote",
            index=models.Index(fields=["written_on"], name="casenote_written_on_idx"),
        ),
        migrations.AddIndex(
            model_name="detainedperson",
            index=models.Index(fields=["name", "-id"], name="dp_name_idx"),
        ),
        migrations.AddIndex(
            model_name="detainedperson",
            index=models.Index(fields=["detained_on"], name="dp_detained_on_idx"),
        ),
        migrations.AddIndex(
            model_name="digestdelivery",
            index=models.Index(fields=["-period_end", "-id"], name="digest_period_end_idx"),
        ),
        migrations.AddIndex(
            model_name="mention",
            index=models.Index(fields=["-created_at", "-id"], name="mention_created_idx"),
        ),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(fields=["due_on", "id"], name="task_due_idx"),
        ),
        migrations.AddIndex(
            model_name="taskreminder",
            index=models.Index(fields=["-day", "user"], name="taskreminder_day_idx"),
        ),
    ]
