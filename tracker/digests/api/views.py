"""The REST API of the email digests: subscriptions and deliveries."""

from django.db.models import Prefetch
from rest_framework import viewsets

from campaigns.models import Campaign
from config.api.schema import described
from config.api.viewsets import ApiViewMixin, ServiceModelViewSet
from tracker.cases.models import CaseEvent, DetainedPerson
from tracker.digests.api import filters, serializers
from tracker.digests.models import DigestDelivery, Subscription
from tracker.digests.services import subscription_save
from tracker.newswatch.models import Mention


@described(
    list="Email digest subscriptions, by address. Filter by `email` (any case), `frequency`, "
    "`active`, `campaign` (id or slug) or `person` (id).",
    create="Subscribe an address to a daily or weekly digest of the news mentions and case "
    "events of the `campaigns` and `persons` it follows. One subscription per address and "
    "frequency (400 otherwise).",
    retrieve="One subscription.",
    update="Change a subscription, sending every required field; PATCH sends only what "
    "changes. `campaigns` and `persons`, when sent, replace the lists.",
    partial_update="Change only the fields sent; `campaigns` and `persons`, when sent, "
    "replace the lists.",
    destroy="Unsubscribe: delete the subscription and the record of its digests.",
)
class SubscriptionViewSet(ServiceModelViewSet):
    """Email digest subscriptions: who gets a digest of which campaigns and cases, how often."""

    queryset = Subscription.objects.order_by("email", "frequency", "pk").prefetch_related(
        Prefetch("campaigns", queryset=Campaign.objects.only("pk").order_by("pk")),
        Prefetch("persons", queryset=DetainedPerson.objects.only("pk").order_by("pk")),
    )
    serializer_class = serializers.SubscriptionSerializer
    filterset_class = filters.SubscriptionFilter
    save_service = staticmethod(subscription_save)
    instance_kwarg = "subscription"


@described(
    list="The digests made for each subscription and period, the latest period first: "
    "whether each was sent, when, and why it failed. Filter by `subscription` and `status`.",
    retrieve="One digest, with the ids of the mentions and case events it listed.",
)
class DigestDeliveryViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Digests made for each subscription and period: what was sent, when, and what failed."""

    queryset = DigestDelivery.objects.order_by("-period_end", "-pk").prefetch_related(
        Prefetch("mentions", queryset=Mention.objects.only("pk").order_by("pk")),
        Prefetch("events", queryset=CaseEvent.objects.only("pk").order_by("pk")),
    )
    serializer_class = serializers.DigestDeliverySerializer
    filterset_class = filters.DigestDeliveryFilter
