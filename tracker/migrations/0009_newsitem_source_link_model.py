"""NewsItem.sources gets an explicit link model over the same table, so that the link table's
own index on the item (redundant with the unique pair, which starts with it) can be dropped."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0008_fewer_mention_indexes"),
    ]

    operations = [
        # The table exists already (Django created it for the ManyToManyField): only the
        # state learns about the model, as it is in the database today.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="NewsItemSource",
                    fields=[
                        ("id", models.BigAutoField(primary_key=True, serialize=False)),
                        (
                            "newsitem",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="tracker.newsitem",
                            ),
                        ),
                        (
                            "newssource",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="tracker.newssource",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "tracker_newsitem_sources",
                        "unique_together": {("newsitem", "newssource")},
                    },
                ),
                migrations.AlterField(
                    model_name="newsitem",
                    name="sources",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="items",
                        through="tracker.NewsItemSource",
                        to="tracker.newssource",
                    ),
                ),
            ],
        ),
        # Then the one real change: drop the index on the item column.
        migrations.AlterField(
            model_name="newsitemsource",
            name="newsitem",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="tracker.newsitem",
            ),
        ),
    ]
