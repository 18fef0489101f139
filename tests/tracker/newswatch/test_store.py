"""tracker.newswatch.store and .sources: what the ingest and a poll write, on either backend."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone as dj_timezone

from tracker.cases.services import detained_person_save
from tracker.newswatch import sources, store
from tracker.newswatch.models import Mention, NewsItem, NewsSource
from tracker.newswatch.services import news_source_save

pytestmark = pytest.mark.django_db


def _source() -> NewsSource:
    return news_source_save(name="Wire", kind="feed", url="https://example.org/feed.xml")


def _row(n: int, **fields) -> NewsItem:
    values = {
        "url": f"https://news.example.org/{n}",
        "title": f"Story {n}",
        "summary": "Relatives were turned away — again.",
        "published_at": datetime(2025, 6, 30, 12, n, 5, 250, tzinfo=UTC),
        "language": "en",
        "guid": f"tag:news.example.org,2025:{n}",
        "publisher": "",
        "title_key": "",
        **fields,
    }
    return NewsItem(**values)


def _insert(*rows: NewsItem) -> dict[str, int]:
    """{url: pk} of the rows, once stored."""
    store.insert_items(rows)
    return {row.url: row.pk for row in rows}


def test_inserted_items_read_back_as_written():
    before = dj_timezone.now()
    inserted = _insert(_row(1), _row(2, published_at=None))

    first = NewsItem.objects.get(pk=inserted["https://news.example.org/1"])
    assert (first.title, first.summary, first.language, first.guid) == (
        "Story 1",
        "Relatives were turned away — again.",
        "en",
        "tag:news.example.org,2025:1",
    )
    assert first.published_at == datetime(2025, 6, 30, 12, 1, 5, 250, tzinfo=UTC)
    assert before <= first.first_seen_at <= first.updated_at <= dj_timezone.now()
    assert NewsItem.objects.get(pk=inserted["https://news.example.org/2"]).published_at is None


def test_rows_whose_text_needs_escaping_and_that_have_no_dates_are_stored_as_given():
    # Quotes, braces, backslashes, commas and the word NULL inside values must come back as
    # sent, and a batch without a single date still stores.
    awkward = 'He said "free {them}", C:\\path\\, NULL; it\'s {"a": 1}'
    rows = [_row(n, title=f"{awkward} {n}", summary=awkward, published_at=None) for n in (1, 2)]

    inserted = _insert(*rows)

    stored = NewsItem.objects.filter(pk__in=inserted.values()).order_by("url")
    assert [(i.title, i.summary, i.published_at) for i in stored] == [
        (f"{awkward} 1", awkward, None),
        (f"{awkward} 2", awkward, None),
    ]


def test_more_rows_than_one_look_up_holds_are_all_stored_and_found():
    dated = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
    rows = [_row(0, url=f"https://news.example.org/{n}", guid=f"g{n}") for n in range(1203)]
    for n, row in enumerate(rows):
        row.published_at = None if n % 7 else dated
    source = _source()

    inserted = _insert(*rows)
    store.link_items(source_id=source.pk, item_ids=inserted.values())
    by_url, by_guid, by_key = store.find_items(
        source_id=source.pk,
        urls=[r.url for r in rows],
        guids=[r.guid for r in rows],
        title_keys=[],
        keys_since=dj_timezone.now(),
    )

    assert len(set(inserted.values())) == 1203 == NewsItem.objects.count()
    assert {i.url for i in by_url} == {r.url for r in rows}
    assert {i.guid for i in by_guid} == {r.guid for r in rows}
    assert by_key == []


def test_a_url_stored_already_keeps_its_item_and_gives_back_its_id():
    stored = _insert(_row(1))["https://news.example.org/1"]

    again = _insert(_row(1, title="Changed"), _row(3))

    assert again["https://news.example.org/1"] == stored
    assert NewsItem.objects.get(pk=stored).title == "Story 1"
    assert NewsItem.objects.filter(pk=again["https://news.example.org/3"]).exists()
    assert NewsItem.objects.count() == 2


def test_updating_keeps_the_stored_value_where_the_new_version_has_none():
    pk = _insert(_row(1, publisher="Wire"))["https://news.example.org/1"]
    later = dj_timezone.now() + timedelta(minutes=5)
    (found,), _, _ = store.find_items(
        source_id=_source().pk, urls=[_row(1).url], guids=[], title_keys=[], keys_since=later
    )

    new = _row(1, title="Story 1, updated", summary="", published_at=None)
    store.update_items([(found, new)], now=later)

    item = NewsItem.objects.get(pk=pk)
    assert (item.title, item.publisher, item.updated_at) == ("Story 1, updated", "Wire", later)
    assert item.summary == "Relatives were turned away — again."
    assert item.published_at == datetime(2025, 6, 30, 12, 1, 5, 250, tzinfo=UTC)


def test_links_and_mentions_are_written_once_however_often_they_are_recorded():
    source = _source()
    person = detained_person_save(name="Zora Quill")
    pk = _insert(_row(1))["https://news.example.org/1"]

    for _ in range(2):
        store.link_items(source_id=source.pk, item_ids=[pk, pk])
    first = store.insert_mentions({(pk, person.pk): ["Zora Quill"]})
    second = store.insert_mentions({(pk, person.pk): ["Zora Quill"]})

    assert list(NewsItem.objects.get(pk=pk).sources.all()) == [source]
    assert (first, second) == (1, 0)
    mention = Mention.objects.get()
    assert (mention.matched_terms, mention.status) == (["Zora Quill"], Mention.Status.NEW)
    assert mention.history.count() == 1


def test_a_reviewed_mention_is_never_overwritten_by_finding_it_again():
    person = detained_person_save(name="Zora Quill")
    other = detained_person_save(name="Ilse Varga")
    pk = _insert(_row(1))["https://news.example.org/1"]
    store.insert_mentions({(pk, person.pk): ["Zora Quill"]})
    Mention.objects.update(status=Mention.Status.DISMISSED, matched_terms=["reviewed"])

    added = store.insert_mentions({(pk, person.pk): ["Quill"], (pk, other.pk): ["Ilse Varga"]})

    assert added == 1
    kept = Mention.objects.get(person=person)
    assert (kept.status, kept.matched_terms) == (Mention.Status.DISMISSED, ["reviewed"])
    assert kept.history.count() == 1
    assert Mention.objects.get(person=other).history.get().history_type == "+"


def test_a_source_is_loaded_with_what_a_poll_reads():
    source = _source()
    news_source_save(source=source, etag='"abc"', last_modified="Tue, 01 Jul 2025 10:00:00 GMT")

    loaded = sources.source_for_poll(source.pk)

    for field in ("id", "name", "kind", "url", "etag", "last_modified", "poll_interval_minutes"):
        assert getattr(loaded, field) == getattr(source, field), field
    assert loaded.request_interval == source.request_interval
    assert loaded.get_deferred_fields() >= {"active", "created_at"}
    assert (loaded.active, loaded.created_at) == (source.active, source.created_at)  # read late
    with pytest.raises(NewsSource.DoesNotExist):
        sources.source_for_poll(source.pk + 1000)


def test_recording_a_poll_clears_the_failure_and_keeps_or_replaces_the_validators():
    source = _source()
    NewsSource.objects.filter(pk=source.pk).update(
        etag='"old"', last_error="It failed.", consecutive_failures=3
    )
    polled = dj_timezone.now()

    sources.source_record_success(
        source_id=source.pk,
        polled_at=polled,
        status="not_modified",
        next_poll_at=polled + timedelta(hours=1),
    )
    source.refresh_from_db()
    assert (source.last_status, source.last_error, source.consecutive_failures) == (
        "not_modified",
        "",
        0,
    )
    assert (source.etag, source.last_polled_at) == ('"old"', polled)
    assert source.next_poll_at == polled + timedelta(hours=1)

    sources.source_record_success(
        source_id=source.pk, polled_at=polled, status="ok", next_poll_at=polled, etag='"new"'
    )
    source.refresh_from_db()
    assert (source.etag, source.last_modified) == ('"new"', "")
