"""The access log: who signed in (or failed to), exported, downloaded, or read restricted
fields, when and from which address. Append-only: nothing but the retention prune
(tracker.accesslog.services.access_records_prune) deletes a record, and no page or endpoint
changes one. Not kept by django-simple-history: a record never changes, so it has no history."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from config.formats import staff_datetime


class AccessRecord(models.Model):
    """One sign-in, failed sign-in, export, download or view of restricted fields."""

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", "Sign-in"
        SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
        EXPORT = "export", "Export"
        RESTRICTED_VIEW = "restricted_view", "View of restricted fields"
        DOWNLOAD = "download", "Download"

    class Interface(models.TextChoices):
        ADMIN = "admin", "Admin"
        API = "api", "API"

    at = models.DateTimeField(default=timezone.now, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="access_records",
        null=True,
        blank=True,
        # Served by accessrecord_user_at_idx, which leads with the user.
        db_index=False,
        help_text="The user, while the account exists (none for a refused user name or password).",
    )
    username = models.CharField(
        max_length=150,
        blank=True,
        help_text="The user name as typed at sign-in, or the user's at the time; kept when the "
        "account is deleted.",
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    ip_address = models.GenericIPAddressField(
        null=True, blank=True, help_text="The client's address (API_NUM_PROXIES applies)."
    )
    interface = models.CharField(max_length=10, choices=Interface.choices)
    model = models.CharField(
        max_length=100, blank=True, help_text='The kind of record, "app_label.model_name".'
    )
    object_id = models.CharField(max_length=64, blank=True, help_text="The record's id.")
    object_repr = models.CharField(
        max_length=200, blank=True, help_text="The record as it was named at the time."
    )
    details = models.JSONField(
        default=dict,
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text='Exports: {"format", "filters", "search", "columns", "rows"}; views of '
        'restricted fields: {"fields"}; downloads: {"file"}; sign-ins: {"step"} and, for '
        'a password refused, {"locked_out"}.',
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "access record"
        indexes = [
            # The admin's and the API's lists (newest first), their date filters, and the
            # retention prune (at < cutoff).
            models.Index(fields=["-at"], name="accessrecord_at_idx"),
            # What one user did, newest first (filter by user).
            models.Index(fields=["user", "-at"], name="accessrecord_user_at_idx"),
            # Who read or exported one record, newest first (filter by model and object id).
            models.Index(fields=["model", "object_id", "-at"], name="accessrecord_object_at_idx"),
        ]

    def __str__(self) -> str:
        who = self.username or "(unknown)"
        what = self.get_action_display()
        target = self.object_repr or self.model
        when = staff_datetime(self.at)
        return f"{when} {who}: {what}" + (f" of {target}" if target else "")
