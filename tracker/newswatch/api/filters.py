"""The REST API filters of the news watch (sources, articles, mentions)."""

from django.db.models import Q
from django_filters import rest_framework as filters

from campaigns.api.filters import CampaignRefFilter
from config.api.filters import (
    ChoiceInFilter,
    IsoDateFilter,
    StrictBooleanFilter,
)
from tracker.cases.models import DetainedPerson
from tracker.newswatch.models import Mention, NewsItem, NewsSource


class NewsSourceFilter(filters.FilterSet):
    kind = ChoiceInFilter(choices=NewsSource.Kind.choices)
    active = StrictBooleanFilter()
    last_status = ChoiceInFilter(choices=NewsSource.LastStatus.choices[1:])

    class Meta:
        model = NewsSource
        fields = ["kind", "active", "last_status"]


class NewsItemFilter(filters.FilterSet):
    source = filters.ModelChoiceFilter(field_name="sources", queryset=NewsSource.objects.all())
    person = filters.ModelChoiceFilter(
        field_name="mentions__person",
        queryset=DetainedPerson.objects.all(),
        help_text="Items that mention this detained person (id).",
    )
    published_after = IsoDateFilter(field_name="published_at", lookup_expr="date__gte")
    published_before = IsoDateFilter(field_name="published_at", lookup_expr="date__lte")
    search = filters.CharFilter(method="filter_search", help_text="Title or summary.")

    class Meta:
        model = NewsItem
        fields = ["source", "person", "published_after", "published_before", "search"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(summary__icontains=value))


class MentionFilter(filters.FilterSet):
    person = filters.ModelChoiceFilter(queryset=DetainedPerson.objects.all())
    campaign = CampaignRefFilter(field_name="person__campaigns", help_text="Campaign id or slug.")
    status = ChoiceInFilter(choices=Mention.Status.choices)
    since = filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", help_text="Recorded at or after (ISO 8601)."
    )

    class Meta:
        model = Mention
        fields = ["person", "campaign", "status", "since"]
