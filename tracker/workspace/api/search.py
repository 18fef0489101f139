"""GET /api/search/?q=: the admin's search for everything, as JSON (tracker/workspace/search.py).
Its own module: tracker/workspace/api/views.py is the tasks' API."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.reverse import reverse

from config.api.viewsets import ApiViewMixin
from tracker.workspace.search import (
    COUNT_LIMIT,
    KINDS,
    MAX_QUERY_LENGTH,
    search_everything,
    searchable_kinds,
)


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=MAX_QUERY_LENGTH,
        help_text="What to look for: any part of a name or title. Cases are found by any form "
        "of their names (romanised, native script, aliases) ignoring case and accents; the "
        "other kinds ignoring case.",
    )


class SearchItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(help_text="The record as the admin names it.")
    detail = serializers.CharField(help_text="A line about it (status, country, date...).")
    url = serializers.URLField(help_text="The record in the API.")
    admin_url = serializers.CharField(help_text="The record's page in the admin (a path).")


class SearchGroupSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[kind.key for kind in KINDS])
    label = serializers.CharField()
    count = serializers.IntegerField(
        help_text=f"How many records of this kind match, counted up to {COUNT_LIMIT}."
    )
    capped = serializers.BooleanField(help_text=f"More than {COUNT_LIMIT} match.")
    items = SearchItemSerializer(many=True, help_text="The first matches (at most 10).")


class SearchResultSerializer(serializers.Serializer):
    q = serializers.CharField(help_text="The query, as searched (trimmed).")
    results = SearchGroupSerializer(
        many=True,
        help_text="One group per kind the user may view, in a fixed order (cases, "
        "organizations, people, campaigns, letters, news_items), empty ones included.",
    )


ALLOWED_PARAMETERS = frozenset({"q", "format"})


class SearchView(ApiViewMixin, generics.GenericAPIView):
    permission_classes = [IsAuthenticated]  # and the view permission of each kind (below)
    filter_backends = []
    pagination_class = None
    serializer_class = SearchResultSerializer

    @extend_schema(
        summary="Search everything",
        description="Cases, organizations, people, campaigns, letters and news items whose "
        "name or title contains `q`: cases by any form of their names (romanised, native "
        "script, aliases) ignoring case, accents and hyphens; letters by title and by their "
        "recipients' names; the other kinds ignoring case. Results come grouped by kind, at "
        "most 10 a kind, with how many match; restricted case fields are never searched.\n\n"
        "Permission: `<app>.view_<model>` of each kind searched (`tracker.view_detainedperson`, "
        "`campaigns.view_organization`, `campaigns.view_person`, `campaigns.view_campaign`, "
        "`campaigns.view_letter`, `tracker.view_newsitem`; the Viewer and Editor groups have "
        "them all): only the kinds the user may view are searched, and a user who may view "
        "none of them gets a 403.",
        parameters=[SearchQuerySerializer],
        responses=SearchResultSerializer,
    )
    def get(self, request, *args, **kwargs):
        unknown = sorted(set(request.query_params) - ALLOWED_PARAMETERS)
        if unknown:
            raise ValidationError({name: ["Unknown query parameter."] for name in unknown})
        if not searchable_kinds(request.user):
            raise PermissionDenied("You may view none of the kinds of records search covers.")
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data["q"]
        groups = [
            {
                "kind": found.kind.key,
                "label": found.kind.label,
                "count": found.count,
                "capped": found.capped,
                "items": [
                    {
                        "id": hit.id,
                        "title": hit.title,
                        "detail": hit.detail,
                        "url": reverse(
                            f"{found.kind.api_basename}-detail", args=[hit.id], request=request
                        ),
                        "admin_url": hit.admin_url,
                    }
                    for hit in found.hits
                ],
            }
            for found in search_everything(user=request.user, q=q).values()
        ]
        return Response(SearchResultSerializer({"q": q, "results": groups}).data)
