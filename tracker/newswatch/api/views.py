"""The REST API of the news watch: sources, articles and mentions."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from config.api.permissions import require_permissions
from config.api.schema import described
from config.api.viewsets import ApiViewMixin, ServiceModelViewSet
from tracker.newswatch.api import filters, serializers
from tracker.newswatch.models import Mention, NewsItem, NewsSource
from tracker.newswatch.services import mention_review, mentions_review, news_source_save

# Reviewing mentions is changing them (one at a time with PATCH, or many at once).
REVIEW_PERMISSIONS = ("tracker.change_mention",)


@described(
    list="Where the news watch looks, by name: RSS or Atom feeds, and search providers "
    "asked about the watched people, several in one query; with how each poll went. Filter by "
    "`kind`, `active` and `last_status`.",
    create="Add a news source. A feed needs its `url`; a search source may leave it out (the "
    "provider's public endpoint) or give a template containing `{query}`. Addresses that "
    "are not public are refused.",
    retrieve="One news source, with the state of its last poll.",
    update="Change a news source, sending every required field; PATCH sends only what "
    "changes. A new URL is a new resource: its ETag and Last-Modified are forgotten.",
    partial_update="Change only the fields sent. A new URL starts afresh.",
    destroy="Delete a news source. The news items it found stay.",
)
class NewsSourceViewSet(ServiceModelViewSet):
    queryset = NewsSource.objects.order_by("name", "pk")
    serializer_class = serializers.NewsSourceSerializer
    filterset_class = filters.NewsSourceFilter
    save_service = staticmethod(news_source_save)
    instance_kwarg = "source"


@described(
    list="Articles the news watch found, the most recently published first. Filter by "
    "`source`, `person` (items that mention this detained person), "
    "`published_after`/`published_before` (YYYY-MM-DD), or `search` the title and summary.",
    retrieve="One article, with the ids of the sources that carried it.",
)
class NewsItemViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    queryset = NewsItem.objects.order_by("-published_at", "-pk").prefetch_related(
        Prefetch("sources", queryset=NewsSource.objects.only("pk"))
    )
    # No .distinct(): ?person= and ?source= take one value each and join rows unique per
    # (item, person) and per (item, source), so an item is listed once without it.
    serializer_class = serializers.NewsItemSerializer
    filterset_class = filters.NewsItemFilter


@described(
    list="News items that name a watched person, waiting for review, the most recent first. "
    "Filter by `person`, `campaign` (id or slug), `status` and `created_after`/"
    "`created_before` (a day, YYYY-MM-DD, or an ISO 8601 moment; `since` is a deprecated name "
    "of `created_after`).",
    retrieve="One mention: the news item, the person and the terms that matched.",
    partial_update="Review a mention: send `status` (`confirmed`, `dismissed`, or `new` to "
    "undo). Who reviewed it and when are recorded; setting the status it already has keeps "
    "the first review.",
    bulk_review="Review many mentions at once, all or none: `mentions` (ids, at most 1000) "
    "and `status` (`confirmed`, `dismissed`, or `new`). Each is reviewed exactly as with "
    "PATCH: confirming proposes the case events its article reports, dismissing withdraws "
    "those still pending. The same service as the review queue's actions; each change is in "
    "the mention's history under your name. Answers the mentions as stored.\n\nPermission: "
    "`tracker.change_mention` (the Editor group has it).",
)
class MentionViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Read mentions; PATCH `status` to confirm or dismiss one (who and when are recorded)."""

    http_method_names = ["get", "patch", "post", "head", "options"]  # POST: bulk/review only
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

    @extend_schema(
        summary="Review many mentions",
        request=serializers.BulkReviewSerializer,
        responses={200: serializers.MentionSerializer(many=True)},
    )
    @action(
        detail=False,
        methods=["post"],
        # Not a list: no filters, no pages (nor in the schema).
        filter_backends=[],
        pagination_class=None,
        url_path="bulk/review",
        permission_classes=[IsAuthenticated],
    )
    def bulk_review(self, request):
        require_permissions(
            request, REVIEW_PERMISSIONS, "Reviewing mentions needs permission to change them."
        )
        given = serializers.BulkReviewSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        reviewed = mentions_review(
            mentions=given.validated_data["mentions"],
            status=given.validated_data["status"],
            user=request.user,
        )
        return Response(serializers.MentionSerializer(reviewed, many=True).data)
