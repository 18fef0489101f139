"""The REST API filters of the access log."""

from django.contrib.auth import get_user_model
from django_filters import rest_framework as filters

from config.api.filters import (
    ChoiceInFilter,
    DateTimeBoundFilter,
    IsoMomentFilter,
    StableOrderingFilter,
    SyncFilterSet,
)
from tracker.accesslog.models import AccessRecord


class AccessRecordFilter(SyncFilterSet):
    user = filters.ModelChoiceFilter(
        queryset=get_user_model().objects.all(), help_text="What this user (id) did."
    )
    username = filters.CharFilter(
        help_text="The user name as typed at sign-in or held at the time, exactly."
    )
    action = ChoiceInFilter(choices=AccessRecord.Action.choices)
    model = filters.CharFilter(help_text='The kind of record, e.g. "campaigns.signature".')
    object_id = filters.CharFilter(help_text="The record's id (with `model`).")
    at_after = DateTimeBoundFilter(field_name="at", bound="after")
    at_before = DateTimeBoundFilter(field_name="at", bound="before")
    # A record is never changed once written: its change time is its time.
    updated_since = IsoMomentFilter(
        field_name="at",
        lookup_expr="gte",
        help_text="Records written at or after this moment (ISO 8601 date-time); a record "
        "never changes once written.",
    )
    ordering = StableOrderingFilter(
        fields=[("at", "updated_at")],
        help_text="`updated_at` (the record's time, as it never changes) or `-updated_at`.",
    )

    class Meta:
        model = AccessRecord
        fields = ["user", "username", "action", "model", "object_id", "at_after", "at_before"]
