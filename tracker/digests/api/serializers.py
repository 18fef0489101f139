"""How the REST API of the email digests reads and writes subscriptions and deliveries."""

from rest_framework import serializers

from campaigns.models import Campaign
from config.api.serializers import (
    StrictModelSerializer,
)
from tracker.cases.models import DetainedPerson
from tracker.digests.models import DigestDelivery, Subscription, SuppressedAddress


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
            "feedback",
            "feedback_at",
            "feedback_detail",
            "last_error",
            "mentions",
            "events",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SuppressedAddressSerializer(StrictModelSerializer):
    """An address no digest goes to, why, and whether staff lifted it (read-only; lift with
    POST .../lift/)."""

    class Meta:
        model = SuppressedAddress
        fields = [
            "id",
            "email",
            "reason",
            "detail",
            "provider",
            "delivery",
            "created_at",
            "lifted_at",
            "lifted_by",
            "updated_at",
        ]
        read_only_fields = fields
