"""A real HTTP server on 127.0.0.1 answering as Action Network's API v2 does for a petition's
signatures (OSDI 1.1.1): pages of `_embedded.osdi:signatures`, each with its person embedded
(or only linked, and served at /api/v2/people/<uuid>),
`_links.next`, the `OSDI-API-Token` header checked and `filter=modified_date gt '...'` applied.
"""

import datetime
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

from tests.tracker.newswatch.servers import LocalServer, ReceivedRequest, reply

API_KEY = "test-action-network-key"
PETITION = "/api/v2/petitions/1a2b3c4d-petition"
SIGNATURES = PETITION + "/signatures"
PEOPLE = "/api/v2/people/"
_FILTER = re.compile(r"^modified_date gt '([^']+)'$")


def stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


LONG_AGO = "2026-03-01T10:00:00Z"


@dataclass
class Signer:
    """One signature on the petition and the person who made it, as Action Network keeps them."""

    uuid: str
    person_uuid: str
    given_name: str
    family_name: str
    email: str | None
    country: str = "FR"
    created_date: str = LONG_AGO
    modified_date: str = LONG_AGO
    comments: str = ""
    embedded: bool = True  # else only linked (`_links.osdi:person`), read on its own
    gone: bool = False  # the person, at their link, answers 404 (deleted)

    def person_osdi(self, base: str) -> dict:
        return {
            "identifiers": [f"action_network:{self.person_uuid}"],
            "given_name": self.given_name,
            "family_name": self.family_name,
            "email_addresses": (
                [{"primary": True, "address": self.email, "status": "subscribed"}]
                if self.email
                else []
            ),
            "postal_addresses": [{"primary": True, "locality": "Paris", "country": self.country}],
            "created_date": self.created_date,
            "modified_date": self.modified_date,
            "_links": {"self": {"href": f"{base}/api/v2/people/{self.person_uuid}"}},
        }

    def as_osdi(self, base: str) -> dict:
        signature = {
            "identifiers": [f"action_network:{self.uuid}"],
            "created_date": self.created_date,
            "modified_date": self.modified_date,
            "comments": self.comments,
            "action_network:person_id": self.person_uuid,
            "_links": {
                "self": {"href": f"{base}{SIGNATURES}/{self.uuid}"},
                "osdi:person": {"href": f"{base}/api/v2/people/{self.person_uuid}"},
                "osdi:petition": {"href": f"{base}{PETITION}"},
            },
        }
        if self.embedded:
            signature["_embedded"] = {"osdi:person": self.person_osdi(base)}
        return signature


class ActionNetwork(LocalServer):
    """`signers` are served `page_size` a page, oldest first. `answers[page]` lists handlers
    that answer that page's next requests instead (a 429, a page that is not JSON), one each."""

    def __init__(self, signers: list[Signer], *, page_size: int = 2) -> None:
        super().__init__()
        self.signers = signers
        self.page_size = page_size
        self.answers: dict[int, list[Callable[[BaseHTTPRequestHandler], None]]] = {}
        self.page_times: list[float] = []  # time.monotonic() of each request for a page
        self.route(SIGNATURES, self._signatures)

    def answer(self, request: BaseHTTPRequestHandler, received: ReceivedRequest) -> None:
        """A person, at /api/v2/people/<uuid>; the rest as routed."""
        if not received.route.startswith(PEOPLE):
            super().answer(request, received)
        elif request.headers.get("OSDI-API-Token") != API_KEY:
            reply(401, b'{"error": "API Key invalid or not present"}')(request)
        else:
            uuid = received.route.removeprefix(PEOPLE)
            signer = next((s for s in self.signers if s.person_uuid == uuid and not s.gone), None)
            if signer is None:
                reply(404, b'{"error": "Not found"}')(request)
                return
            data = json.dumps(signer.person_osdi(self.url("").rstrip("/"))).encode()
            reply(200, data, {"Content-Type": "application/hal+json"})(request)

    @property
    def petition_url(self) -> str:
        return self.url(PETITION)

    def page_requests(self) -> list[ReceivedRequest]:
        return self.hits(SIGNATURES)

    def _signatures(self, request: BaseHTTPRequestHandler) -> None:
        self.page_times.append(time.monotonic())
        received = ReceivedRequest(request.command, request.path, {})
        if request.headers.get("OSDI-API-Token") != API_KEY:
            reply(401, b'{"error": "API Key invalid or not present"}')(request)
            return
        page = int(received.query.get("page", ["1"])[0])
        if self.answers.get(page):
            self.answers[page].pop(0)(request)
            return
        signers = self.signers
        if "filter" in received.query:
            since = _FILTER.match(received.query["filter"][0])
            assert since, received.query["filter"]
            signers = [s for s in signers if s.modified_date > since.group(1)]
        pages = max(1, -(-len(signers) // self.page_size))
        shown = signers[(page - 1) * self.page_size : page * self.page_size]
        base = self.url("").rstrip("/")
        links = {"self": {"href": f"{base}{SIGNATURES}?page={page}"}}
        if page < pages:  # Action Network's next link names the page alone
            links["next"] = {"href": f"{base}{SIGNATURES}?page={page + 1}"}
        body = {
            "total_pages": pages,
            "per_page": self.page_size,
            "page": page,
            "total_records": len(signers),
            "_links": links,
            "_embedded": {"osdi:signatures": [s.as_osdi(base) for s in shown]},
        }
        data = json.dumps(body).encode()
        reply(200, data, {"Content-Type": "application/hal+json; charset=utf-8"})(request)
