"""GET /api/search/?q=: the admin's search for everything, as JSON (tracker/workspace/search.py)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.reverse import reverse

from config.api.viewsets import ApiViewMixin
from tracker.workspace.api.serializers import SearchQuerySerializer, SearchResultSerializer
from tracker.workspace.search import search_everything, searchable_kinds

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
