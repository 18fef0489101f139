"""The REST API filters of the access log."""

from django.contrib.auth import get_user_model
from django_filters import rest_framework as filters

from config.api.filters import ChoiceInFilter, IsoDateFilter
from tracker.accesslog.models import AccessRecord


class AccessRecordFilter(filters.FilterSet):
    user = filters.ModelChoiceFilter(
        queryset=get_user_model().objects.all(), help_text="What this user (id) did."
    )
    username = filters.CharFilter(
        help_text="The user name as typed at sign-in or held at the time, exactly."
    )
    action = ChoiceInFilter(choices=AccessRecord.Action.choices)
    model = filters.CharFilter(help_text='The kind of record, e.g. "campaigns.signature".')
    object_id = filters.CharFilter(help_text="The record's id (with `model`).")
    at_after = IsoDateFilter(
        field_name="at", lookup_expr="date__gte", help_text="On or after this day (UTC)."
    )
    at_before = IsoDateFilter(
        field_name="at", lookup_expr="date__lte", help_text="On or before this day (UTC)."
    )

    class Meta:
        model = AccessRecord
        fields = ["user", "username", "action", "model", "object_id", "at_after", "at_before"]
