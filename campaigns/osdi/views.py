"""Vigil's OSDI 1.1.1 API at /api/osdi/v1/: read-only HAL+JSON, for any OSDI client.

The views are thin: campaigns.osdi.selectors says what each collection holds (quiet advocacy
left out), campaigns.osdi.resources how each record reads, campaigns.osdi.filters what
`filter` means. Authentication is an ordinary Vigil API token, sent in OSDI's `OSDI-API-Token`
header (or as the REST API takes it), with the REST API's permissions: a collection needs the
permission to view its records. Writes are answered 405.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import QuerySet
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.osdi import resources, selectors
from campaigns.osdi.filters import SUPPORTED, FilterError, filter_q
from config.api.authentication import SecondFactorSessionAuthentication, TokenOrBearerAuthentication

MAX_PAGESIZE = 100
DEFAULT_PAGESIZE = 25
QUERY_PARAMETERS = ("page", "per_page", "filter")
# Names under which a client might put its token in the address, which ends up in logs.
TOKEN_IN_QUERY = {"osdi_api_token", "osdi-api-token", "token", "api_key", "api_token", "key"}


class HalJSONRenderer(JSONRenderer):
    media_type = "application/hal+json"


class OsdiTokenAuthentication(TokenAuthentication):
    """A Vigil API token in OSDI's header: `OSDI-API-Token: <key>`."""

    def authenticate(self, request):
        key = request.META.get("HTTP_OSDI_API_TOKEN", "").strip()
        if not key:
            return None
        return self.authenticate_credentials(key)

    def authenticate_header(self, request) -> str:
        return 'OSDI-API-Token realm="api"'


class OsdiView(APIView):
    authentication_classes = [
        OsdiTokenAuthentication,
        TokenOrBearerAuthentication,
        SecondFactorSessionAuthentication,
    ]
    permission_classes = [IsAuthenticated]
    renderer_classes = [HalJSONRenderer, JSONRenderer]
    # Not in the REST API's OpenAPI schema: OSDI's documents describe these resources, and the
    # README's OSDI section maps each field.
    schema = None

    def initial(self, request, *args, **kwargs):
        leaked = TOKEN_IN_QUERY & {name.lower() for name in request.query_params}
        if leaked:
            # Refused before authentication: the answer must not depend on the key's validity.
            raise ValidationError(
                {
                    "detail": "Send the token in the OSDI-API-Token header, never in the "
                    f"address (found: {', '.join(sorted(leaked))}): addresses are logged."
                }
            )
        super().initial(request, *args, **kwargs)


def curies(links: resources.Links) -> list[dict]:
    return [
        {
            "name": "osdi",
            "href": "https://opensupporter.github.io/osdi-docs/{rel}",
            "templated": True,
        },
        {
            "name": resources.NAMESPACE,
            "href": links.request.build_absolute_uri("/api/docs/") + "#{rel}",
            "templated": True,
        },
    ]


@dataclass
class Collection:
    """One OSDI collection: what it lists, how each record reads, who may list it."""

    rel: str  # "osdi:people"
    title: str
    permission: str
    records: Callable[[], QuerySet]
    represent: Callable
    ordering: tuple[str, ...] = ("pk",)
    date_prefix: str = ""  # where created_at/updated_at are (outreaches: their letter's)
    parents: dict[str, tuple[Callable[[], QuerySet], str]] = field(default_factory=dict)


PEOPLE = Collection(
    "osdi:people",
    "The people: signatories and officials (never detained persons)",
    "campaigns.view_person",
    selectors.people,
    resources.person,
)
PETITIONS = Collection(
    "osdi:petitions",
    "The letters, as petitions",
    "campaigns.view_letter",
    selectors.petitions,
    resources.petition,
)
SIGNATURES = Collection(
    "osdi:signatures",
    "Every signature of every letter",
    "campaigns.view_signature",
    selectors.signatures,
    resources.signature,
    parents={
        "person": (selectors.people, "person_id"),
        "petition": (selectors.petitions, "letter_id"),
    },
)
RESPONSES = Collection(
    f"{resources.NAMESPACE}:responses",
    "Official answers to the letters",
    "campaigns.view_letterresponse",
    selectors.responses,
    resources.response,
    parents={"petition": (selectors.petitions, "letter_id")},
)
ADVOCACY_CAMPAIGNS = Collection(
    "osdi:advocacy_campaigns",
    "The campaigns, with their letters' recipients as targets",
    "campaigns.view_campaign",
    selectors.advocacy_campaigns,
    resources.advocacy_campaign,
)
OUTREACHES = Collection(
    "osdi:outreaches", "Each sent letter to each of its recipients", "campaigns.view_letter",
    selectors.outreaches, resources.outreach, date_prefix="letter__",
    parents={"advocacy_campaign": (selectors.advocacy_campaigns, "letter__campaign_id")},
)  # fmt: skip
# The entry point's links, in this order.
TOP = {
    "people": PEOPLE,
    "petitions": PETITIONS,
    "signatures": SIGNATURES,
    "advocacy_campaigns": ADVOCACY_CAMPAIGNS,
    "outreaches": OUTREACHES,
}


def _require(request, collection: Collection) -> None:
    if not request.user.has_perm(collection.permission):
        raise PermissionDenied(f"Your token may not view these records ({collection.permission}).")


def _whole_number(request, name: str, default: int) -> int:
    raw = request.query_params.get(name, "")
    if raw == "":
        return default
    try:
        number = int(raw)
    except ValueError:
        number = 0
    if number < 1:
        raise ValidationError({name: [f"Must be a whole number of at least 1, not '{raw}'."]})
    return number


class EntryPoint(OsdiView):
    """The API entry point (OSDI's AEP): links to the collections this token may read."""

    def get(self, request):
        links = resources.Links(request)
        links_ = {"self": links.href("entry-point", title="Vigil's OSDI API entry point")}
        for name, collection in TOP.items():
            if request.user.has_perm(collection.permission):
                links_[collection.rel] = links.href(name, title=collection.title)
        links_["docs"] = {
            "href": request.build_absolute_uri("/api/docs/"),
            "title": "Vigil's REST API documentation (the README's OSDI section maps each field)",
        }
        links_["curies"] = curies(links)
        return Response(
            {
                "motd": "Vigil's records of campaigns, letters and signatures, read-only. Cases "
                "in quiet advocacy are never included.",
                "vendor_name": "Vigil",
                "product_name": "Vigil",
                "osdi_version": "1.1.1",
                "max_pagesize": MAX_PAGESIZE,
                "namespace": resources.NAMESPACE,
                "_links": links_,
            }
        )


class CollectionView(OsdiView):
    """A page of a collection (`page`, `per_page`, `filter`); under a parent record when the
    URL names one (a petition's signatures)."""

    collection: Collection = None
    parent: str | None = None

    def get(self, request, pk: int | None = None):
        collection = self.collection
        _require(request, collection)
        unknown = sorted(set(request.query_params) - set(QUERY_PARAMETERS))
        if unknown:
            raise ValidationError(
                {
                    "detail": f"Unknown parameter {', '.join(unknown)}. Supported: page, "
                    f"per_page, {SUPPORTED}."
                }
            )
        page = _whole_number(request, "page", 1)
        per_page = min(_whole_number(request, "per_page", DEFAULT_PAGESIZE), MAX_PAGESIZE)
        try:
            condition = filter_q(request.query_params.get("filter"), prefix=collection.date_prefix)
        except FilterError as error:
            raise ValidationError({"filter": [str(error)]}) from None
        records = collection.records().filter(condition)
        if self.parent:
            parent_records, key = collection.parents[self.parent]
            if not parent_records().filter(pk=pk).exists():
                raise NotFound("No such record here.")
            records = records.filter(**{key: pk})
        total = records.count()
        start = (page - 1) * per_page
        rows = (
            list(records.order_by(*collection.ordering)[start : start + per_page])
            if start < total
            else []
        )
        links = resources.Links(request)
        embedded = [collection.represent(row, links) for row in rows]
        total_pages = max(1, math.ceil(total / per_page))
        links_ = {"self": {"href": self._page_url(request, page, per_page)}}
        if page < total_pages:
            links_["next"] = {"href": self._page_url(request, page + 1, per_page)}
        if page > 1:
            links_["previous"] = {
                "href": self._page_url(request, min(page - 1, total_pages), per_page)
            }
        links_[collection.rel] = [{"href": item["_links"]["self"]["href"]} for item in embedded]
        links_["curies"] = curies(links)
        return Response(
            {
                "total_pages": total_pages,
                "per_page": per_page,
                "page": page,
                "total_records": total,
                "_links": links_,
                "_embedded": {collection.rel: embedded},
            }
        )

    @staticmethod
    def _page_url(request, page: int, per_page: int) -> str:
        query = {"page": page, "per_page": per_page}
        if request.query_params.get("filter"):
            query["filter"] = request.query_params["filter"]
        return request.build_absolute_uri(request.path) + "?" + urlencode(query)


class ItemView(OsdiView):
    """One record of a collection; absent (404) when the collection would not list it."""

    collection: Collection = None

    def get(self, request, pk: int):
        collection = self.collection
        _require(request, collection)
        record = collection.records().filter(pk=pk).first()
        if record is None:
            raise NotFound("No such record here.")
        links = resources.Links(request)
        resource = collection.represent(record, links)
        resource["_links"]["curies"] = curies(links)
        return Response(resource)


def collection_view(collection: Collection, parent: str | None = None):
    return CollectionView.as_view(collection=collection, parent=parent)


def item_view(collection: Collection):
    return ItemView.as_view(collection=collection)
