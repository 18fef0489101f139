"""The REST API filters of the news watch (sources, articles, mentions)."""

from django.db.models import Q
from django_filters import rest_framework as filters

from campaigns.api.filters import CampaignRefFilter
from config.api.filters import (
    ChoiceInFilter,
    DateTimeBoundFilter,
    IsoMomentFilter,
    StrictBooleanFilter,
    SyncFilterSet,
    deprecated_alias,
)
from tracker.cases.models import DetainedPerson
from tracker.newswatch.models import Mention, NewsItem, NewsSource


class NewsSourceFilter(SyncFilterSet):
    kind = ChoiceInFilter(choices=NewsSource.Kind.choices)
    active = StrictBooleanFilter()
    last_status = ChoiceInFilter(choices=NewsSource.LastStatus.choices[1:])

    class Meta:
        model = NewsSource
        fields = ["kind", "active", "last_status"]


class NewsItemFilter(SyncFilterSet):
    source = filters.ModelChoiceFilter(field_name="sources", queryset=NewsSource.objects.all())
    person = filters.ModelChoiceFilter(
        field_name="mentions__person",
        queryset=DetainedPerson.objects.all(),
        help_text="Items that mention this detained person (id).",
    )
    published_after = DateTimeBoundFilter(field_name="published_at", bound="after")
    published_before = DateTimeBoundFilter(field_name="published_at", bound="before")
    search = filters.CharFilter(method="filter_search", help_text="Title or summary.")

    class Meta:
        model = NewsItem
        fields = ["source", "person", "published_after", "published_before", "search"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(summary__icontains=value))


class MentionFilter(SyncFilterSet):
    person = filters.ModelChoiceFilter(queryset=DetainedPerson.objects.all())
    campaign = CampaignRefFilter(field_name="person__campaigns", help_text="Campaign id or slug.")
    status = ChoiceInFilter(choices=Mention.Status.choices)
    created_after = DateTimeBoundFilter(
        field_name="created_at",
        bound="after",
        help_text="Recorded on or after this day (YYYY-MM-DD, UTC) or this moment (ISO 8601).",
    )
    created_before = DateTimeBoundFilter(
        field_name="created_at",
        bound="before",
        help_text="Recorded on or before this day (YYYY-MM-DD, UTC) or this moment (ISO 8601).",
    )
    since = deprecated_alias(
        IsoMomentFilter(field_name="created_at", lookup_expr="gte"), of="created_after"
    )

    class Meta:
        model = Mention
        fields = ["person", "campaign", "status", "created_after", "created_before", "since"]
