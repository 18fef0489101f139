"""The REST API filters of cases (detained persons, case events, proposed events)."""

from django.db.models import Q
from django_filters import rest_framework as filters

from campaigns.api.filters import CampaignRefFilter
from config.api.filters import (
    ChoiceInFilter,
    CountryFilter,
    IsoDateFilter,
    StableOrderingFilter,
    StrictBooleanFilter,
    SyncFilterSet,
    deprecated_alias,
)
from tracker.cases.models import (
    CaseDocument,
    CaseEvent,
    CaseEventProposal,
    CaseNote,
    DetainedPerson,
)
from tracker.newswatch.models import Mention


class DetainedPersonFilter(SyncFilterSet):
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


class CaseEventFilter(SyncFilterSet):
    kind = ChoiceInFilter(choices=CaseEvent.Kind.choices)
    date_after = IsoDateFilter(field_name="date", lookup_expr="gte")
    date_before = IsoDateFilter(field_name="date", lookup_expr="lte")
    after = deprecated_alias(IsoDateFilter(field_name="date", lookup_expr="gte"), of="date_after")
    before = deprecated_alias(IsoDateFilter(field_name="date", lookup_expr="lte"), of="date_before")

    class Meta:
        model = CaseEvent
        fields = ["person", "kind", "date_after", "date_before", "after", "before"]


class CaseEventProposalFilter(SyncFilterSet):
    person = filters.ModelChoiceFilter(queryset=DetainedPerson.objects.all())
    mention = filters.ModelChoiceFilter(
        queryset=Mention.objects.all(),
        method="filter_mention",
        help_text="Proposals this mention's article is a source of (the first or another).",
    )
    status = ChoiceInFilter(
        choices=CaseEventProposal.Status.choices, help_text="One status or a comma-separated list."
    )
    kind = ChoiceInFilter(
        choices=CaseEvent.Kind.choices, help_text="One kind or a comma-separated list."
    )

    class Meta:
        model = CaseEventProposal
        fields = ["person", "mention", "status", "kind"]

    def filter_mention(self, queryset, name, value):
        return queryset.filter(Q(mention=value) | Q(other_sources__mention=value)).distinct()


class CaseNoteFilter(SyncFilterSet):
    written_after = IsoDateFilter(field_name="written_on", lookup_expr="gte")
    written_before = IsoDateFilter(field_name="written_on", lookup_expr="lte")

    class Meta:
        model = CaseNote
        fields = ["person", "author", "written_after", "written_before"]


class CaseDocumentFilter(SyncFilterSet):
    kind = ChoiceInFilter(
        choices=CaseDocument.Kind.choices, help_text="One kind or a comma-separated list."
    )

    class Meta:
        model = CaseDocument
        fields = ["person", "kind"]
