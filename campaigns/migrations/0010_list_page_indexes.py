"""Indexes for the admin lists (issue 21): the order of the campaigns' and letters' lists, the
first and last dates of every dated list and which years have records (config/admin_dates.py),
and the countries the organisations' and people's filters offer (config/admin_filters.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0009_letter_url_verbose_name"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="campaign",
            index=models.Index(fields=["-started_on", "name"], name="campaign_started_idx"),
        ),
        migrations.AddIndex(
            model_name="letter",
            index=models.Index(fields=["-sent_on", "title"], name="letter_sent_idx"),
        ),
        migrations.AddIndex(
            model_name="letterresponse",
            index=models.Index(fields=["received_on"], name="letterresponse_received_idx"),
        ),
        migrations.AddIndex(
            model_name="organization",
            index=models.Index(fields=["country"], name="organization_country_idx"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["country"], name="person_country_idx"),
        ),
        migrations.AddIndex(
            model_name="signature",
            index=models.Index(fields=["signed_on"], name="signature_signed_on_idx"),
        ),
    ]
