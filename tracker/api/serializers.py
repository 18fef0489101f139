import dataclasses

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaigns.models import Campaign
from config.api.serializers import (
    CountryCodeField,
    StrictModelSerializer,
    StringListField,
)
from tracker.models import (
    CaseEvent,
    CaseEventProposal,
    DetainedPerson,
    DigestDelivery,
    Mention,
    NewsItem,
    NewsSource,
    Subscription,
)
from tracker.newswatch.rotation import search_coverage
from tracker.selectors import detained_person_campaign_ids


class CampaignIdsField(serializers.ManyRelatedField):
    """`campaigns` as ids, ascending. A list page's rows carry `campaign_ids`, filled for the
    whole page in one query (DetainedPersonListSerializer); a single record asks for its own."""

    def __init__(self, **kwargs):
        super().__init__(
            child_relation=serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.all()),
            **kwargs,
        )

    def get_attribute(self, instance):
        if isinstance(instance, dict):  # a row of a list page
            return instance["campaign_ids"]
        return list(instance.campaigns.order_by("pk").values_list("pk", flat=True))

    def to_representation(self, value):
        return list(value)


class DetainedPersonListSerializer(serializers.ListSerializer):
    """A list page: rows (dicts from `.values()`, see DetainedPersonViewSet) with their
    campaign ids added from one query."""

    def to_representation(self, data):
        rows = list(data.all() if hasattr(data, "all") else data)
        campaign_ids = detained_person_campaign_ids(person_ids=[row["id"] for row in rows])
        for row in rows:
            row["campaign_ids"] = campaign_ids.get(row["id"], [])
        return super().to_representation(rows)


class DetainedPersonSerializer(StrictModelSerializer):
    aliases = StringListField(required=False)
    context_terms = StringListField(required=False)
    country = CountryCodeField(required=False, allow_blank=True)
    campaigns = CampaignIdsField(required=False)
    status_date = serializers.DateField(
        write_only=True,
        required=False,
        help_text="With a new `status`: the date it took effect (default: today; for a new "
        "person, `detained_on` if given). A new status is recorded as a case event of that "
        "date; it cannot be after today, nor before the latest status event.",
    )

    class Meta:
        model = DetainedPerson
        list_serializer_class = DetainedPersonListSerializer
        fields = [
            "id",
            "name",
            "native_name",
            "aliases",
            "context_terms",
            "gender",
            "birth_year",
            "country",
            "occupation",
            "affiliation",
            "status",
            "status_date",
            "detained_on",
            "place_of_detention",
            "charges",
            "sentence",
            "summary",
            "watch_enabled",
            "campaigns",
            "created_at",
            "updated_at",
        ]
        # Read as columns by a list page (DetainedPersonViewSet); `status_date` is not one.
        columns = [f for f in fields if f not in ("status_date", "campaigns")]


class CaseEventSerializer(StrictModelSerializer):
    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "person",
            "date",
            "kind",
            "description",
            "source_url",
            "created_at",
            "updated_at",
        ]

    def validate_person(self, person):
        if self.instance is not None and person.pk != self.instance.person_id:
            raise serializers.ValidationError(
                "An event cannot move to another person; delete it and record a new one."
            )
        return person


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


class CaseEventProposalSerializer(StrictModelSerializer):
    """Read only: a proposal is decided with the `accept` and `reject` actions."""

    class Meta:
        model = CaseEventProposal
        fields = [
            "id",
            "mention",
            "person",
            "kind",
            "date",
            "evidence",
            "source_url",
            "status",
            "decided_by",
            "decided_at",
            "event",
            "created_at",
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


class SubscriptionSerializer(StrictModelSerializer):
    campaigns = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=Campaign.objects.all(),
        help_text="Campaign ids. Following a campaign covers every person in it, including "
        "people added later.",
    )
    persons = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=DetainedPerson.objects.all(),
        help_text="Detained person ids.",
    )

    class Meta:
        model = Subscription
        fields = [
            "id",
            "email",
            "frequency",
            "campaigns",
            "persons",
            "include_unreviewed",
            "active",
            "created_at",
            "updated_at",
        ]
        # One subscription per address and frequency is a database constraint, checked by the
        # service's full_clean() once the address is lower-cased, and reported as a 400.
        validators = []


class DigestDeliverySerializer(StrictModelSerializer):
    """One digest for one subscription and period, and what became of it (read-only)."""

    mentions = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="The mentions the digest listed (once sent)."
    )
    events = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="The case events the digest listed (once sent)."
    )

    class Meta:
        model = DigestDelivery
        fields = [
            "id",
            "subscription",
            "period_start",
            "period_end",
            "status",
            "attempts",
            "sent_at",
            "message_id",
            "last_error",
            "mentions",
            "events",
        ]
        read_only_fields = fields
