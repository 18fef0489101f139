"""Every resource of the API, with what the role and query-count tests need to exercise it:
an existing record, a valid body to create one, and a valid change."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models

from campaigns.models import Campaign, Letter, LetterResponse, Organization, Person, Signature
from tests.campaigns.factories import (
    CampaignFactory,
    LetterFactory,
    LetterResponseFactory,
    OrganizationFactory,
    PersonFactory,
    SignatureFactory,
)
from tests.tracker.factories import CaseEventFactory, DetainedPersonFactory
from tracker.models import CaseEvent, DetainedPerson, Task


@dataclass(frozen=True)
class Resource:
    name: str
    model: type[models.Model]
    make: Callable[[], models.Model]
    payload: Callable[[], dict[str, Any]]
    change: dict[str, Any]
    # Relations a record keeps for life (an event stays with its person): a PUT repeats them.
    fixed: tuple[str, ...] = ()

    def put_payload(self, record: models.Model) -> dict[str, Any]:
        kept = {name: getattr(record, f"{name}_id") for name in self.fixed}
        return {**self.payload(), **self.change, **kept}

    @property
    def url(self) -> str:
        return f"/api/{self.name}/"

    def detail_url(self, pk: int) -> str:
        return f"/api/{self.name}/{pk}/"

    def __str__(self) -> str:
        return self.name


RESOURCES = [
    Resource(
        "campaigns",
        Campaign,
        CampaignFactory,
        lambda: {"name": "Free the Jasmine Seven", "status": "active"},
        {"status": "paused"},
    ),
    Resource(
        "organizations",
        Organization,
        OrganizationFactory,
        lambda: {"name": "Front Line Defenders", "kind": "ngo", "country": "IE"},
        {"notes": "Partner since 2019"},
    ),
    Resource(
        "people",
        Person,
        PersonFactory,
        lambda: {"full_name": "Ada Official", "email": "ada@example.org"},
        {"title": "Minister of Justice"},
    ),
    Resource(
        "letters",
        Letter,
        LetterFactory,
        lambda: {
            "title": "Release the lawyers",
            "campaign": CampaignFactory().pk,
            "recipients": [PersonFactory().pk],
        },
        {"status": "sent"},
    ),
    Resource(
        "signatures",
        Signature,
        SignatureFactory,
        lambda: {"letter": LetterFactory().pk, "organization": OrganizationFactory().pk},
        {"note": "On behalf of the board"},
    ),
    Resource(
        "letter-responses",
        LetterResponse,
        LetterResponseFactory,
        lambda: {
            "letter": LetterFactory().pk,
            "person": PersonFactory().pk,
            "received_on": "2024-03-01",
            "summary": "The ministry acknowledged the letter.",
        },
        {"url": "https://example.org/reply.pdf"},
    ),
    Resource(
        "detained-persons",
        DetainedPerson,
        DetainedPersonFactory,
        lambda: {"name": "Gao Yu", "native_name": "高瑜", "aliases": ["Kao Yu"]},
        {"summary": "Journalist, detained for the seventh time."},
    ),
    Resource(
        "case-events",
        CaseEvent,
        CaseEventFactory,
        lambda: {"person": DetainedPersonFactory().pk, "date": "2015-07-09", "kind": "hearing"},
        {"description": "Closed hearing; family barred."},
        fixed=("person",),
    ),
    Resource(
        "tasks",
        Task,
        lambda: Task.objects.create(title="Call the family", due_on="2026-12-01"),
        lambda: {"title": "Call the lawyer", "due_on": "2026-12-03", "letter": LetterFactory().pk},
        {"notes": "Ask about the hearing date."},
    ),
]
