"""The REST API of the email digests: subscriptions and deliveries."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from campaigns.models import Campaign
from config.api.permissions import require_permissions
from config.api.schema import described
from config.api.viewsets import ApiViewMixin, ServiceModelViewSet
from tracker.cases.models import CaseEvent, DetainedPerson
from tracker.digests.api import filters, serializers
from tracker.digests.models import DigestDelivery, Subscription, SuppressedAddress
from tracker.digests.services import subscription_save
from tracker.digests.suppression import suppression_lift
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
    "whether each was sent, when, why it failed, and what the mail provider reported after "
    "(`feedback`: a hard bounce, a spam complaint, an unsubscribe there). Filter by "
    "`subscription`, `status` and `feedback`.",
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


@described(
    list="Addresses no digest goes to, whatever their subscriptions: the mail provider reported "
    "a hard bounce, a spam complaint or an unsubscribe. The latest first; lifted ones stay "
    "listed. Filter by `email` (any case), `reason` and `lifted`.",
    retrieve="One suppressed address: why, when, which digest the report was about, and who "
    "lifted it.",
    lift="Lift the suppression: the address gets digests again from the next run, and the "
    "suppression stays listed with who lifted it and when. Lifting a lifted one changes "
    "nothing.\n\nPermission: `tracker.change_suppressedaddress` (the Editor group has it; "
    "403 otherwise).",
)
class SuppressedAddressViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Suppressed addresses, and lifting them (tracker/digests/suppression.py)."""

    queryset = SuppressedAddress.objects.order_by("-created_at", "-pk")
    serializer_class = serializers.SuppressedAddressSerializer
    filterset_class = filters.SuppressedAddressFilter

    @extend_schema(
        summary="Lift a suppression",
        request=None,
        responses={200: serializers.SuppressedAddressSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def lift(self, request, pk=None):
        require_permissions(
            request,
            ["tracker.view_suppressedaddress", "tracker.change_suppressedaddress"],
            "Lifting a suppression needs permission to change suppressed addresses.",
        )
        suppression = suppression_lift(suppression=self.get_object(), user=request.user)
        return Response(self.get_serializer(suppression).data)
