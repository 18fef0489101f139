"""The REST API filters of tasks."""

from django import forms
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from campaigns.api.filters import CampaignRefFilter
from config.api.filters import (
    ChoiceInFilter,
    IsoDateFilter,
    StableOrderingFilter,
    StrictBooleanFilter,
    SyncFilterSet,
)
from tracker.workspace.models import Task


class _AssigneeField(forms.CharField):
    """A user id, or `me`."""

    def clean(self, value):
        value = (super().clean(value) or "").strip()
        if value and value != "me" and not value.isdigit():
            raise forms.ValidationError("Enter a user id or `me`.", code="invalid")
        return value


@extend_schema_field(OpenApiTypes.STR)
class AssigneeFilter(filters.Filter):
    field_class = _AssigneeField

    def filter(self, qs, value):
        if not value:
            return qs
        if value == "me":
            return qs.filter(assignee=self.parent.request.user)
        return qs.filter(assignee_id=int(value))


class TaskFilter(SyncFilterSet):
    assignee = AssigneeFilter(help_text="The assignee's user id, or `me`.")
    done = StrictBooleanFilter(
        field_name="done_at", lookup_expr="isnull", exclude=True, help_text="Done or open."
    )
    due_after = IsoDateFilter(field_name="due_on", lookup_expr="gte")
    due_before = IsoDateFilter(field_name="due_on", lookup_expr="lte")
    campaign = CampaignRefFilter(field_name="campaign", help_text="Campaign id or slug.")
    origin = ChoiceInFilter(
        choices=Task.Origin.choices,
        help_text="`manual`, or the kind of follow-up Vigil made: one or a comma-separated list.",
    )
    ordering = StableOrderingFilter(fields=["due_on", "created_at", "updated_at", "done_at"])

    class Meta:
        model = Task
        fields = [
            "assignee",
            "done",
            "due_after",
            "due_before",
            "person",
            "letter",
            "campaign",
            "origin",
        ]
