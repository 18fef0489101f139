"""GET /api/deletions/: the records deleted, for partners who sync (`updated_since` shows what
changed; this shows what is gone).

Read from the change history (django-simple-history keeps a "-" row for each record deleted
from a model with `history = HistoricalRecords()`), through its models: one UNION query over
the history tables of the types the user may view, however many types and rows, plus the
page's count. Deletions are listed as long as the history keeps them (nothing prunes it)."""

from django.db.models import CharField, F, Value
from django_filters import rest_framework as filters
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated

from config.api.filters import (
    ChoiceInFilter,
    DateTimeBoundFilter,
    IsoMomentFilter,
    refuse_unknown_parameters,
)
from config.api.viewsets import ApiViewMixin

_ORDERINGS = ["deleted_at", "-deleted_at", "updated_at", "-updated_at"]


class DeletionSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="The endpoint the record was listed at, e.g. `letters`.")
    id = serializers.IntegerField(help_text="The record's id there.")
    deleted_at = serializers.DateTimeField()


class DeletionViewSet(viewsets.GenericViewSet):
    """Built for one router by `for_router`, which sets the types it lists."""

    permission_classes = [IsAuthenticated]  # and each type's view permission (see _list)
    filter_backends = []  # the query parameters are read by _list
    serializer_class = DeletionSerializer
    # endpoint prefix -> model, for the models of the router that keep a history
    resources: dict = {}

    @classmethod
    def for_router(cls, router) -> type["DeletionViewSet"]:
        resources = {
            prefix: viewset.queryset.model
            for prefix, viewset, _basename in router.registry
            if getattr(getattr(viewset, "queryset", None), "model", None) is not None
            and hasattr(viewset.queryset.model, "history")
        }
        types = sorted(resources)

        class Filter(filters.FilterSet):
            type = ChoiceInFilter(
                choices=[(t, t) for t in types], method="by_type", help_text="Only these types."
            )
            updated_since = IsoMomentFilter(field_name="history_date", lookup_expr="gte")
            deleted_after = DateTimeBoundFilter(field_name="history_date", bound="after")
            deleted_before = DateTimeBoundFilter(field_name="history_date", bound="before")
            ordering = filters.ChoiceFilter(choices=[(o, o) for o in _ORDERINGS], method="by_type")

            def by_type(self, queryset, name, value):
                return queryset  # chooses the history tables, not rows (see list)

        parameters = [
            OpenApiParameter(
                "type",
                OpenApiTypes.STR,
                description="One type or a comma-separated list, among: "
                + ", ".join(f"`{t}`" for t in types)
                + ". Default: every type the user may view; a type the user may not view "
                "is a 403.",
            ),
            OpenApiParameter(
                "updated_since",
                OpenApiTypes.DATETIME,
                description="Deleted at or after this moment (ISO 8601), as on every list.",
            ),
            OpenApiParameter(
                "deleted_after",
                OpenApiTypes.STR,
                description="Deleted on or after this day (YYYY-MM-DD, UTC) or moment (ISO 8601).",
            ),
            OpenApiParameter(
                "deleted_before",
                OpenApiTypes.STR,
                description="Deleted on or before this day (YYYY-MM-DD, UTC) or moment.",
            ),
            OpenApiParameter(
                "ordering",
                OpenApiTypes.STR,
                enum=_ORDERINGS,
                description="Default `-deleted_at` (the latest first); `updated_at` is the "
                "same as `deleted_at`. Ties are broken by type and id.",
            ),
        ]

        class ForRouter(ApiViewMixin, cls):
            filter_class = Filter

            @extend_schema(
                summary="List deleted records",
                description="The records deleted from the endpoints that keep a history: "
                "each with its `type` (the endpoint's name), its `id` there and when it was "
                "deleted. With `updated_since` on every list, a partner keeps a copy in "
                "step: ask each list for what changed, and this for what is gone. Only the "
                "types the user may view are listed.\n\nPermission: `<app>.view_<model>` of each "
                "type listed (the Viewer and Editor groups have them all); asking for a type "
                "without it is a 403.",
                parameters=parameters,
            )
            def list(self, request, *args, **kwargs):
                return self._list(request)

        ForRouter.resources = resources
        ForRouter.__name__ = ForRouter.__qualname__ = "DeletionViewSet"
        return ForRouter

    def get_queryset(self):
        return None  # a UNION of history tables, built by _list

    def _list(self, request):
        refuse_unknown_parameters(self.filter_class, request)
        # The queryset is only a placeholder: each history table is filtered in turn below.
        placeholder = next(iter(self.resources.values())).history.none()
        filterset = self.filter_class(request.query_params, queryset=placeholder)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        asked = filterset.form.cleaned_data.get("type") or []
        viewable = {
            name
            for name, model in self.resources.items()
            if request.user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
        }
        refused = sorted(set(asked) - viewable)
        if refused:
            raise PermissionDenied(f"You may not view these types: {', '.join(refused)}.")
        parts = [
            filterset.filter_queryset(
                self.resources[name].history.filter(history_type="-").order_by()
            )
            .annotate(type=Value(name, output_field=CharField()), deleted_at=F("history_date"))
            .values_list("type", "id", "deleted_at")
            for name in sorted(set(asked) or viewable)
        ]
        ordering = filterset.form.cleaned_data.get("ordering") or "-deleted_at"
        descending = ordering.startswith("-")
        keys = ["deleted_at", "type", "id"]
        if not parts:
            rows = []
        else:
            union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
            rows = union.order_by(*(f"-{k}" if descending else k for k in keys))
        page = self.paginate_queryset(rows)
        data = [{"type": t, "id": pk, "deleted_at": at} for t, pk, at in page]
        return self.get_paginated_response(DeletionSerializer(data, many=True).data)
