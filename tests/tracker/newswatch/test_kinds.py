"""Every kind of news source is declared once (tracker/newswatch/kinds.py), and what it declares
works: its parser reads its answers, and its defaults are ones a source may have."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from tests.tracker.newswatch.feedserver import FIXTURES
from tracker.models import NewsSource
from tracker.newswatch import kinds
from tracker.newswatch.matching import WatchedPerson

# For each kind, an answer of its own in tests/fixtures/news/ and the title its parser reads
# first. A new kind needs its fixture here.
FIXTURE_OF_KIND = {
    "feed": ("rights.xml", "Activist Wang Fang detained after protest"),
    # The Google News parser moves the title's " - Publisher" into `publisher`.
    "google_news": ("gnews/P1.xml", "Lawyer for Wang Fang barred from court"),
    "gdelt": ("gdelt/P2.json", "Liu Jianguo joins bank board"),
}


def test_every_kind_a_source_can_have_is_declared():
    assert set(kinds.KINDS) == set(NewsSource.Kind.values)
    for value, declared in kinds.KINDS.items():
        assert declared.kind == value
    assert set(NewsSource.Kind.values) == kinds.FEEDS | kinds.SEARCHES
    assert not kinds.FEEDS & kinds.SEARCHES


@pytest.mark.parametrize("kind", NewsSource.Kind.values)
def test_each_kinds_parser_reads_an_answer_of_that_kind(kind):
    assert kind in FIXTURE_OF_KIND, f"add a fixture of the {kind!r} kind to FIXTURE_OF_KIND"
    name, first_title = FIXTURE_OF_KIND[kind]
    url = f"https://news.example.org/{name}"

    entries = kinds.for_kind(kind).parse((FIXTURES / name).read_bytes(), base_url=url)

    assert entries[0].title == first_title
    assert all(entry.url.startswith("https://") for entry in entries)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(kinds.SEARCHES))
def test_a_search_kind_has_an_endpoint_to_fill_in_and_limits_a_source_may_have(kind):
    declared = kinds.for_kind(kind)
    source = NewsSource(name=kind, kind=kind)

    source.full_clean()  # blank URL: the provider's endpoint

    assert source.url == declared.default_url
    assert "{query}" in source.url
    assert source.is_search
    low, high = NewsSource.QUERY_CHARS_BOUNDS
    assert low <= source.query_chars_limit <= high
    assert 1 <= source.people_per_query_limit <= NewsSource.PEOPLE_PER_QUERY_MAX
    assert 0 <= source.request_interval <= NewsSource.MIN_INTERVAL_MAX_SECONDS
    assert source.max_records > 0


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(kinds.FEEDS))
def test_a_feed_kind_needs_its_url_and_is_not_searched_per_person(kind):
    source = NewsSource(name=kind, kind=kind)

    with pytest.raises(ValidationError) as caught:
        source.full_clean()

    assert "url" in caught.value.message_dict
    assert not source.is_search


def test_a_search_kind_asks_only_for_what_is_new_where_the_provider_allows_it():
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    people = [WatchedPerson(1, ("Zora Quill",), ()), WatchedPerson(2, ("Amir Sadeh",), ())]
    gdelt, google = kinds.for_kind("gdelt"), kinds.for_kind("google_news")

    asked = gdelt.search_url(
        "https://gdelt.example/doc?query={query}", people, oldest_search=now, now=now
    )
    never = gdelt.search_url(
        "https://gdelt.example/doc?query={query}", people, oldest_search=None, now=now
    )
    too_old = gdelt.search_url(
        "https://gdelt.example/doc?query={query}",
        people,
        oldest_search=now - timedelta(days=100),
        now=now,
    )
    plain = google.search_url(
        "https://gnews.example/rss?q={query}", people, oldest_search=now, now=now
    )

    assert asked.endswith("&startdatetime=20260601113000")  # 30 minutes of indexing delay
    assert "query=%28%22Zora+Quill%22+OR+%22Amir+Sadeh%22%29&" in asked  # in parentheses
    assert "startdatetime" not in never and "startdatetime" not in too_old
    assert plain == "https://gnews.example/rss?q=%22Zora+Quill%22+OR+%22Amir+Sadeh%22"
