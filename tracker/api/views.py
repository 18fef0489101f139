from django.db.models import Prefetch
from rest_framework import mixins, viewsets
from rest_framework.exceptions import NotFound

from campaigns.models import Campaign
from config.api.viewsets import ApiViewMixin, ServiceModelViewSet
from tracker.api import filters, serializers
from tracker.models import (
    CaseEvent,
    DetainedPerson,
    DigestDelivery,
    Mention,
    NewsItem,
    NewsSource,
    Subscription,
)
from tracker.services import (
    case_event_delete,
    case_event_save,
    detained_person_save,
    mention_review,
    news_source_save,
    subscription_save,
)


class DetainedPersonViewSet(ServiceModelViewSet):
    queryset = DetainedPerson.objects.order_by("name", "pk")
    serializer_class = serializers.DetainedPersonSerializer
    filterset_class = filters.DetainedPersonFilter
    save_service = staticmethod(detained_person_save)
    instance_kwarg = "person"

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            # A list page is read as plain rows, its campaign ids in one more query
            # (DetainedPersonListSerializer): half the time of building 200 model instances.
            queryset = queryset.values(*self.serializer_class.Meta.columns)
        return queryset


class CaseEventViewSet(ServiceModelViewSet):
    queryset = CaseEvent.objects.order_by("-date", "-pk")
    serializer_class = serializers.CaseEventSerializer
    filterset_class = filters.CaseEventFilter
    save_service = staticmethod(case_event_save)
    delete_service = staticmethod(case_event_delete)
    instance_kwarg = "event"


class NewsSourceViewSet(ServiceModelViewSet):
    queryset = NewsSource.objects.order_by("name", "pk")
    serializer_class = serializers.NewsSourceSerializer
    filterset_class = filters.NewsSourceFilter
    save_service = staticmethod(news_source_save)
    instance_kwarg = "source"


class NewsItemViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    queryset = NewsItem.objects.order_by("-published_at", "-pk").prefetch_related(
        Prefetch("sources", queryset=NewsSource.objects.only("pk"))
    )
    # No .distinct(): ?person= and ?source= take one value each and join rows unique per
    # (item, person) and per (item, source), so an item is listed once without it.
    serializer_class = serializers.NewsItemSerializer
    filterset_class = filters.NewsItemFilter


class MentionViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Read mentions; PATCH `status` to confirm or dismiss one (who and when are recorded)."""

    http_method_names = ["get", "patch", "head", "options"]
    queryset = Mention.objects.order_by("-created_at", "-pk")
    serializer_class = serializers.MentionSerializer
    filterset_class = filters.MentionFilter

    def perform_update(self, serializer):
        try:
            serializer.instance = mention_review(
                mention=serializer.instance,
                status=serializer.validated_data.get("status", serializer.instance.status),
                user=self.request.user,
            )
        except Mention.DoesNotExist:  # deleted after it was read for this request
            raise NotFound("This mention has just been deleted.") from None


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


class DigestDeliveryViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Digests made for each subscription and period: what was sent, when, and what failed."""

    queryset = DigestDelivery.objects.order_by("-period_end", "-pk").prefetch_related(
        Prefetch("mentions", queryset=Mention.objects.only("pk").order_by("pk")),
        Prefetch("events", queryset=CaseEvent.objects.only("pk").order_by("pk")),
    )
    serializer_class = serializers.DigestDeliverySerializer
    filterset_class = filters.DigestDeliveryFilter
