"""The REST API of the access log: read-only, for administrators."""

from rest_framework import viewsets

from config.api.schema import described
from config.api.viewsets import ApiViewMixin
from tracker.accesslog.api import filters, serializers
from tracker.accesslog.models import AccessRecord


@described(
    list="The access log, newest first: each sign-in and failed sign-in, export (with its "
    "filters, search, columns and row count), file download and view of restricted fields, "
    "with who, when and from which address. Filter by `user` (id), `username`, `action`, "
    "`model`, `object_id`, `at_after` and `at_before` (days, UTC, or ISO 8601 moments). "
    "Read-only: records are never changed or deleted here; old ones are pruned after "
    "ACCESS_LOG_RETENTION_DAYS.",
    retrieve="One access record.",
)
class AccessRecordViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Who signed in, exported, downloaded or read restricted fields (read-only)."""

    queryset = AccessRecord.objects.order_by("-at", "-pk")
    serializer_class = serializers.AccessRecordSerializer
    filterset_class = filters.AccessRecordFilter
