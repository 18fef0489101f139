from django.db.models import Q
from django_filters import rest_framework as filters

from campaigns.api.filters import CampaignRefFilter
from config.api.filters import (
    ChoiceInFilter,
    CountryFilter,
    IsoDateFilter,
    StableOrderingFilter,
    StrictBooleanFilter,
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


class DetainedPersonFilter(filters.FilterSet):
    status = ChoiceInFilter(
        choices=DetainedPerson.Status.choices, help_text="One status or a comma-separated list."
    )
    country = CountryFilter(field_name="country")
    campaign = CampaignRefFilter(field_name="campaigns", help_text="Campaign id or slug.")
    gender = filters.ChoiceFilter(choices=DetainedPerson.Gender.choices)
    detained_after = IsoDateFilter(field_name="detained_on", lookup_expr="gte")
    detained_before = IsoDateFilter(field_name="detained_on", lookup_expr="lte")
    watch_enabled = StrictBooleanFilter()
    search = filters.CharFilter(
        method="filter_search",
        help_text="Name, native name and aliases; case- and accent-insensitive.",
    )
    ordering = StableOrderingFilter(fields=["name", "detained_on", "updated_at"])

    class Meta:
        model = DetainedPerson
        fields = [
            "status",
            "country",
            "campaign",
            "gender",
            "detained_after",
            "detained_before",
            "watch_enabled",
            "search",
        ]

    def filter_search(self, queryset, name, value):
        return queryset.search(value)


class CaseEventFilter(filters.FilterSet):
    kind = ChoiceInFilter(choices=CaseEvent.Kind.choices)
    after = IsoDateFilter(field_name="date", lookup_expr="gte")
    before = IsoDateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = CaseEvent
        fields = ["person", "kind", "after", "before"]


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


class CaseEventProposalFilter(filters.FilterSet):
    person = filters.ModelChoiceFilter(queryset=DetainedPerson.objects.all())
    mention = filters.ModelChoiceFilter(queryset=Mention.objects.all())
    status = ChoiceInFilter(
        choices=CaseEventProposal.Status.choices, help_text="One status or a comma-separated list."
    )
    kind = ChoiceInFilter(
        choices=CaseEvent.Kind.choices, help_text="One kind or a comma-separated list."
    )

    class Meta:
        model = CaseEventProposal
        fields = ["person", "mention", "status", "kind"]


class SubscriptionFilter(filters.FilterSet):
    email = filters.CharFilter(lookup_expr="iexact", help_text="The address, in any case.")
    frequency = ChoiceInFilter(choices=Subscription.Frequency.choices)
    active = StrictBooleanFilter()
    campaign = CampaignRefFilter(
        field_name="campaigns", help_text="Subscriptions following this campaign (id or slug)."
    )
    person = filters.ModelChoiceFilter(
        field_name="persons",
        queryset=DetainedPerson.objects.all(),
        help_text="Subscriptions following this detained person (id).",
    )

    class Meta:
        model = Subscription
        fields = ["email", "frequency", "active", "campaign", "person"]


class DigestDeliveryFilter(filters.FilterSet):
    subscription = filters.ModelChoiceFilter(queryset=Subscription.objects.all())
    status = ChoiceInFilter(choices=DigestDelivery.Status.choices)

    class Meta:
        model = DigestDelivery
        fields = ["subscription", "status"]
