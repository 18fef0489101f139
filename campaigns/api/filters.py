from django import forms
from django.db.models import Case, Q, When
from django_filters import rest_framework as filters
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from campaigns.models import Campaign, Letter, LetterResponse, Organization, Person, Signature
from config.api.filters import (
    ChoiceInFilter,
    CountryFilter,
    IsoDateFilter,
    StrictBooleanFilter,
    SyncFilterSet,
    UserRefFilter,
)


class CampaignRefField(forms.CharField):
    """A campaign named by id or by slug."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        match = Q(slug=value)
        if value.isascii() and value.isdigit():
            match |= Q(pk=int(value))
        # An id wins over a slug that happens to be the same digits.
        campaign = (
            Campaign.objects.filter(match)
            .order_by(Case(When(slug=value, then=1), default=0))
            .first()
        )
        if campaign is None:
            raise forms.ValidationError("No campaign with this id or slug.", code="invalid_choice")
        return campaign


@extend_schema_field(OpenApiTypes.STR)
class CampaignRefFilter(filters.Filter):
    field_class = CampaignRefField


class CampaignFilter(SyncFilterSet):
    status = ChoiceInFilter(choices=Campaign.Status.choices)
    search = filters.CharFilter(method="filter_search", help_text="Name, slug or summary.")

    class Meta:
        model = Campaign
        fields = ["status", "search"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(slug__icontains=value) | Q(summary__icontains=value)
        )


class OrganizationFilter(SyncFilterSet):
    search = filters.CharFilter(field_name="name", lookup_expr="icontains")
    country = CountryFilter(field_name="country")
    kind = ChoiceInFilter(choices=Organization.Kind.choices)

    class Meta:
        model = Organization
        fields = ["search", "country", "kind"]


class PersonFilter(SyncFilterSet):
    search = filters.CharFilter(method="filter_search", help_text="Name, title or email.")
    country = CountryFilter(field_name="country")
    kind = ChoiceInFilter(
        field_name="organization__kind",
        choices=Organization.Kind.choices,
        help_text="The kind of the person's organization.",
    )

    class Meta:
        model = Person
        fields = ["search", "country", "kind"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(full_name__icontains=value) | Q(title__icontains=value) | Q(email__icontains=value)
        )


class LetterFilter(SyncFilterSet):
    campaign = CampaignRefFilter(field_name="campaign", help_text="Campaign id or slug.")
    status = ChoiceInFilter(choices=Letter.Status.choices)
    kind = ChoiceInFilter(choices=Letter.Kind.choices)
    recipient = filters.ModelChoiceFilter(
        field_name="recipients", queryset=Person.objects.all(), help_text="Person id."
    )
    signed_by_organization = filters.ModelChoiceFilter(
        field_name="signatures__organization",
        queryset=Organization.objects.all(),
        help_text="Organization id.",
    )
    sent_after = IsoDateFilter(field_name="sent_on", lookup_expr="gte")
    sent_before = IsoDateFilter(field_name="sent_on", lookup_expr="lte")
    search = filters.CharFilter(method="filter_search", help_text="Title, body or demands.")
    owner = UserRefFilter(
        field_name="owner", help_text="The letters this staff member owns: a user id, or `me`."
    )

    class Meta:
        model = Letter
        fields = [
            "campaign",
            "status",
            "kind",
            "recipient",
            "signed_by_organization",
            "sent_after",
            "sent_before",
            "search",
            "owner",
        ]

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value) | Q(body__icontains=value) | Q(demands__icontains=value)
        )


class SignatureFilter(SyncFilterSet):
    class Meta:
        model = Signature
        fields = ["letter", "organization", "person"]


class LetterResponseFilter(SyncFilterSet):
    letter = filters.ModelChoiceFilter(queryset=Letter.objects.all(), help_text="Letter id.")
    campaign = CampaignRefFilter(
        field_name="letter__campaign", help_text="The letter's campaign: id or slug."
    )
    person = filters.ModelChoiceFilter(
        queryset=Person.objects.all(), help_text="Id of the person who answered."
    )
    organization = filters.ModelChoiceFilter(
        queryset=Organization.objects.all(), help_text="Id of the organization that answered."
    )
    received_after = IsoDateFilter(field_name="received_on", lookup_expr="gte")
    received_before = IsoDateFilter(field_name="received_on", lookup_expr="lte")

    class Meta:
        model = LetterResponse
        fields = [
            "letter",
            "campaign",
            "person",
            "organization",
            "received_after",
            "received_before",
        ]


class SignatureImportParams(filters.FilterSet):
    """The query parameters of POST /api/letters/{id}/signatures/import/. Set as the action's
    filterset, so that the strict backend refuses an unknown parameter or a `partial` that is
    not a boolean with the same 400s as the lists; it filters nothing."""

    partial = StrictBooleanFilter(method="keep_all")

    def keep_all(self, queryset, name, value):
        return queryset

    def partial_requested(self) -> bool:
        if not self.is_valid():  # as the filter backend answers it: 400 naming the parameter
            raise translate_validation(self.errors)
        return bool(self.form.cleaned_data["partial"])
