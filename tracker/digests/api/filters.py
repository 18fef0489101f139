"""The REST API filters of the email digests (subscriptions, deliveries)."""

from django_filters import rest_framework as filters

from campaigns.api.filters import CampaignRefFilter
from config.api.filters import (
    ChoiceInFilter,
    StrictBooleanFilter,
    SyncFilterSet,
)
from tracker.cases.models import DetainedPerson
from tracker.digests.models import DigestDelivery, Subscription, SuppressedAddress


class SubscriptionFilter(SyncFilterSet):
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


class DigestDeliveryFilter(SyncFilterSet):
    subscription = filters.ModelChoiceFilter(queryset=Subscription.objects.all())
    status = ChoiceInFilter(choices=DigestDelivery.Status.choices)
    feedback = ChoiceInFilter(choices=SuppressedAddress.Reason.choices)

    class Meta:
        model = DigestDelivery
        fields = ["subscription", "status", "feedback"]


class SuppressedAddressFilter(SyncFilterSet):
    email = filters.CharFilter(lookup_expr="iexact", help_text="The address, in any case.")
    reason = ChoiceInFilter(choices=SuppressedAddress.Reason.choices)
    lifted = StrictBooleanFilter(
        field_name="lifted_at",
        lookup_expr="isnull",
        exclude=True,
        help_text="true: lifted by staff; false: in force (no digest goes to the address).",
    )

    class Meta:
        model = SuppressedAddress
        fields = ["email", "reason", "lifted"]
