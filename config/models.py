"""Abstract building blocks shared by the apps' models."""

from django.db import models


class TimeStampedModel(models.Model):
    """`created_at` / `updated_at` for every record people edit."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
