"""tracker.newswatch.store: the ingest's own SQL writes what the ORM would, on either backend."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone as dj_timezone

from tracker.cases.services import detained_person_save
from tracker.models import Mention, NewsItem, NewsSource
from tracker.newswatch import store
from tracker.newswatch.services import news_source_save
from tracker.newswatch.store import ItemRow

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "value",
    [
        None,
        datetime(2025, 6, 30, 12, 0, tzinfo=UTC),
        datetime(2025, 6, 30, 12, 0, 0, 123456, tzinfo=UTC),
        datetime(2016, 3, 1, 23, 59, 59, 1, tzinfo=ZoneInfo("Asia/Shanghai")),
        datetime(1999, 12, 31, 22, 30, tzinfo=timezone(timedelta(hours=-9, minutes=-30))),
        datetime(2024, 10, 27, 1, 30, fold=1, tzinfo=ZoneInfo("Europe/London")),
        datetime(2025, 1, 1, 12, 0),  # naive: left to the backend, whatever it does with it
    ],
)
def test_datetimes_are_adapted_as_the_backend_adapts_them(value):
    assert store._datetime_adapter()(value) == connection.ops.adapt_datetimefield_value(value)


def _source() -> NewsSource:
    return news_source_save(name="Wire", kind="feed", url="https://example.org/feed.xml")


def _row(n: int, **fields) -> ItemRow:
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
    return ItemRow(**values)


def test_inserted_items_read_back_through_the_orm_as_written():
    now = dj_timezone.now()
    inserted = store.insert_items([_row(1), _row(2, published_at=None)], now=now)

    assert set(inserted) == {"https://news.example.org/1", "https://news.example.org/2"}
    first = NewsItem.objects.get(pk=inserted["https://news.example.org/1"])
    assert (first.title, first.summary, first.language, first.guid) == (
        "Story 1",
        "Relatives were turned away — again.",
        "en",
        "tag:news.example.org,2025:1",
    )
    assert first.published_at == datetime(2025, 6, 30, 12, 1, 5, 250, tzinfo=UTC)
    assert first.first_seen_at == first.updated_at == now
    assert NewsItem.objects.get(pk=inserted["https://news.example.org/2"]).published_at is None


def test_rows_whose_text_needs_escaping_and_that_have_no_dates_are_stored_as_given():
    # PostgreSQL gets the rows as arrays: quotes, braces, backslashes, commas and the word
    # NULL inside values must come back as sent, and a batch without a single date still
    # stores (an array of nothing but NULLs).
    awkward = 'He said "free {them}", C:\\path\\, NULL; it\'s {"a": 1}'
    rows = [_row(n, title=f"{awkward} {n}", summary=awkward, published_at=None) for n in (1, 2)]

    inserted = store.insert_items(rows, now=dj_timezone.now())

    stored = NewsItem.objects.filter(pk__in=inserted.values()).order_by("url")
    assert [(i.title, i.summary, i.published_at) for i in stored] == [
        (f"{awkward} 1", awkward, None),
        (f"{awkward} 2", awkward, None),
    ]


def test_more_rows_than_one_statement_holds_are_all_stored_and_found():
    dated = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
    rows = [_row(0, url=f"https://news.example.org/{n}", guid=f"g{n}") for n in range(1203)]
    for n, row in enumerate(rows):
        row.published_at = None if n % 7 else dated
    source = _source()

    inserted = store.insert_items(rows, now=dj_timezone.now())
    store.link_items(source_id=source.pk, item_ids=inserted.values())
    by_url, by_guid, by_key = store.find_items(
        source_id=source.pk,
        urls=[r.url for r in rows],
        guids=[r.guid for r in rows],
        title_keys=[],
        keys_since=dj_timezone.now(),
    )

    assert len(inserted) == 1203 == NewsItem.objects.count()
    assert {i.url for i in by_url} == {r.url for r in rows}
    assert {i.guid for i in by_guid} == {r.guid for r in rows}
    assert by_key == []


def test_a_url_stored_already_is_left_alone_and_not_reported():
    now = dj_timezone.now()
    store.insert_items([_row(1)], now=now)

    again = store.insert_items([_row(1, title="Changed"), _row(3)], now=now)

    assert set(again) == {"https://news.example.org/3"}
    assert NewsItem.objects.get(url="https://news.example.org/1").title == "Story 1"


def test_updating_keeps_the_stored_value_where_the_new_version_has_none():
    now = dj_timezone.now()
    pk = store.insert_items([_row(1, publisher="Wire")], now=now)["https://news.example.org/1"]
    later = now + timedelta(minutes=5)

    store.update_items([_row(1, pk=pk, title="Story 1, updated", published_at=None)], now=later)

    item = NewsItem.objects.get(pk=pk)
    assert (item.title, item.publisher, item.updated_at) == ("Story 1, updated", "Wire", later)
    assert item.published_at == datetime(2025, 6, 30, 12, 1, 5, 250, tzinfo=UTC)


def test_links_and_mentions_are_written_once_however_often_they_are_recorded():
    source = _source()
    person = detained_person_save(name="Zora Quill")
    now = dj_timezone.now()
    pk = store.insert_items([_row(1)], now=now)["https://news.example.org/1"]

    for _ in range(2):
        store.link_items(source_id=source.pk, item_ids=[pk, pk])
    first = store.insert_mentions({(pk, person.pk): ["Zora Quill"]}, now=now)
    second = store.insert_mentions({(pk, person.pk): ["Zora Quill"]}, now=now)

    assert list(NewsItem.objects.get(pk=pk).sources.all()) == [source]
    assert (first, second) == (1, 0)
    mention = Mention.objects.get()
    assert (mention.matched_terms, mention.status) == (["Zora Quill"], Mention.Status.NEW)
    assert mention.history.count() == 1
    assert store.mentioned_pairs([pk]) == {(pk, person.pk)}


def test_a_source_is_loaded_with_what_a_poll_reads():
    source = _source()
    news_source_save(source=source, etag='"abc"', last_modified="Tue, 01 Jul 2025 10:00:00 GMT")

    loaded = store.load_source(source.pk)

    for field in ("id", "name", "kind", "url", "etag", "last_modified", "poll_interval_minutes"):
        assert getattr(loaded, field) == getattr(source, field), field
    assert loaded.request_interval == source.request_interval
    assert loaded.get_deferred_fields() >= {"active", "created_at"}
    assert (loaded.active, loaded.created_at) == (source.active, source.created_at)  # read late
    with pytest.raises(NewsSource.DoesNotExist):
        store.load_source(source.pk + 1000)


def test_recording_a_poll_clears_the_failure_and_keeps_or_replaces_the_validators():
    source = _source()
    NewsSource.objects.filter(pk=source.pk).update(
        etag='"old"', last_error="It failed.", consecutive_failures=3
    )
    polled = dj_timezone.now()

    store.record_poll(
        source.pk, polled_at=polled, status="not_modified", next_poll_at=polled + timedelta(hours=1)
    )
    source.refresh_from_db()
    assert (source.last_status, source.last_error, source.consecutive_failures) == (
        "not_modified",
        "",
        0,
    )
    assert (source.etag, source.last_polled_at) == ('"old"', polled)
    assert source.next_poll_at == polled + timedelta(hours=1)

    store.record_poll(source.pk, polled_at=polled, status="ok", next_poll_at=polled, etag='"new"')
    source.refresh_from_db()
    assert (source.etag, source.last_modified) == ('"new"', "")
