"""The REST API filters of cases (detained persons, case events, proposed events)."""

from django_filters import rest_framework as filters

from campaigns.api.filters import CampaignRefFilter
from config.api.filters import (
    ChoiceInFilter,
    CountryFilter,
    IsoDateFilter,
    StableOrderingFilter,
    StrictBooleanFilter,
)
from tracker.cases.models import CaseEvent, CaseEventProposal, DetainedPerson
from tracker.newswatch.models import Mention


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
    publicity = filters.ChoiceFilter(
        choices=DetainedPerson.Publicity.choices,
        help_text="`public`: the family consents to naming the case; `quiet`: quiet advocacy "
        "only, never named outside the staff.",
    )
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
            "publicity",
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
