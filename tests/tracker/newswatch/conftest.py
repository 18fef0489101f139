import json

import pytest

from tests.tracker.newswatch.feedserver import FIXTURES, FeedServer
from tracker.cases.services import detained_person_save
from tracker.models import DetainedPerson


@pytest.fixture
def feed_server():
    with FeedServer() as server:
        yield server


@pytest.fixture
def allow_loopback(settings):
    """Tests fetch from their own server on 127.0.0.1, which the SSRF defence refuses by
    default; this exempts loopback, as NEWSWATCH_ALLOWED_NETWORKS=127.0.0.0/8 would."""
    settings.NEWSWATCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]


@pytest.fixture
def fixture_people(db) -> dict[str, DetainedPerson]:
    """The fictional people of tests/fixtures/news/persons.json, watched."""
    people = json.loads((FIXTURES / "persons.json").read_text())
    return {
        key: detained_person_save(
            name=p["name"],
            native_name=p["native_name"],
            aliases=p["aliases"],
            context_terms=p["context_terms"],
        )
        for key, p in people.items()
    }


@pytest.fixture
def expected_mentions() -> dict[str, set[str]]:
    labels = json.loads((FIXTURES / "expected_mentions.json").read_text())
    return {label["article_url"]: set(label["persons"]) for label in labels}
