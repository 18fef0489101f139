"""How the REST API of the news watch (sources, articles, mentions) reads and writes its records."""

import dataclasses

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.serializers import (
    RecordIdsField,
    StrictModelSerializer,
    StrictSerializer,
)
from tracker.newswatch.models import Mention, NewsItem, NewsSource
from tracker.newswatch.rotation import search_coverage


class SearchCoverageSerializer(serializers.Serializer):
    watched = serializers.IntegerField(help_text="Watched people.")
    searched_last_24h = serializers.IntegerField(
        help_text="Watched people this source searched in the last 24 hours."
    )
    never_searched = serializers.IntegerField(help_text="Watched people it never searched.")
    oldest_search_at = serializers.DateTimeField(
        allow_null=True,
        help_text="The oldest last search of a watched person (null: someone never searched).",
    )
    round_requests = serializers.IntegerField(
        help_text="Requests a full round needs (answers that come back full add some)."
    )
    round_seconds = serializers.IntegerField(help_text="A full round at the source's pace.")
    round_longer_than_poll_interval = serializers.BooleanField()
    warning = serializers.CharField(help_text="Blank unless the round outlasts the interval.")


class NewsSourceListSerializer(serializers.ListSerializer):
    """A list page: the coverage of all its search sources from two queries."""

    def to_representation(self, data):
        rows = list(data.all() if hasattr(data, "all") else data)
        self.child.context["coverage"] = search_coverage(sources=rows)
        return super().to_representation(rows)


class NewsSourceSerializer(StrictModelSerializer):
    coverage = serializers.SerializerMethodField(
        help_text="Search sources: how well the source keeps up with the watch list (null for "
        "a feed)."
    )
    url = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        help_text="A feed's URL, or for a search source a template containing {query} "
        "(blank: the provider's public endpoint).",
    )

    class Meta:
        model = NewsSource
        fields = [
            "id",
            "name",
            "kind",
            "url",
            "active",
            "poll_interval_minutes",
            "min_interval_seconds",
            "max_query_chars",
            "max_people_per_query",
            "last_status",
            "last_error",
            "last_polled_at",
            "consecutive_failures",
            "next_poll_at",
            "coverage",
            "created_at",
            "updated_at",
        ]
        list_serializer_class = NewsSourceListSerializer
        read_only_fields = [
            "last_status",
            "last_error",
            "last_polled_at",
            "consecutive_failures",
        ]

    @extend_schema_field(SearchCoverageSerializer(allow_null=True))
    def get_coverage(self, source: NewsSource) -> dict | None:
        coverage = self.context.get("coverage")
        if coverage is None:  # one source
            coverage = search_coverage(sources=[source])
        found = coverage.get(source.pk)
        if found is None:
            return None
        return SearchCoverageSerializer(
            {
                **dataclasses.asdict(found),
                "round_longer_than_poll_interval": found.round_longer_than_poll_interval,
                "warning": found.warning,
            }
        ).data


class NewsItemSerializer(StrictModelSerializer):
    """One article the news watch found, with the sources that carried it (read-only)."""

    sources = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = NewsItem
        fields = [
            "id",
            "url",
            "title",
            "summary",
            "published_at",
            "language",
            "publisher",
            "sources",
            "first_seen_at",
            "updated_at",
        ]
        read_only_fields = fields


class MentionSerializer(StrictModelSerializer):
    class Meta:
        model = Mention
        fields = [
            "id",
            "news_item",
            "person",
            "matched_terms",
            "status",
            "reviewed_by",
            "reviewed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "news_item",
            "person",
            "matched_terms",
            "reviewed_by",
            "reviewed_at",
        ]


class BulkReviewSerializer(StrictSerializer):
    mentions = RecordIdsField(
        queryset=Mention.objects.all(), help_text="Ids of mentions (at most 1000)."
    )
    status = serializers.ChoiceField(choices=Mention.Status.choices)
