"""A search source's round: batches within its limits, full answers split, the least
recently searched first, tasks of bounded length, GDELT asked only for what is new, and the
coverage staff see. Served by a real local HTTP server."""

import datetime
import json

import pytest
from django.utils import timezone

from tests.tracker.newswatch.feedserver import Route
from tracker.cases.services import detained_person_save
from tracker.models import DetainedPerson, NewsItem, NewsSource, SearchCoverage
from tracker.newswatch import polling
from tracker.newswatch.batches import batch_query, pack_batches
from tracker.newswatch.kinds import GDELT_OVERLAP
from tracker.newswatch.matching import WatchedPerson
from tracker.newswatch.polling import poll_source
from tracker.newswatch.rotation import search_coverage
from tracker.newswatch.services import news_source_save

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_loopback")]

NAMES = ["Zora Quill", "Ilse Varga", "Amir Sadeh", "Wang Fang", "Tomas Reyes", "Lena Holt"]


def _gdelt(server, path="/gdelt?query={query}&format=json", **fields) -> NewsSource:
    return news_source_save(
        name="GDELT", kind="gdelt", url=server.url(path), min_interval_seconds=0, **fields
    )


def _articles(*urls: str) -> Route:
    articles = [
        {"url": u, "title": u.rsplit("/", 1)[1], "seendate": "20250701T100000Z"} for u in urls
    ]
    return Route(json.dumps({"articles": articles}).encode(), content_type="application/json")


def _people(*names: str) -> list[DetainedPerson]:
    return [detained_person_save(name=name) for name in names]


def _asked(server) -> list[list[str]]:
    """For each GDELT request, the watched names it asked for."""
    return [
        [n for n in NAMES if f'"{n}"' in hit.query["query"][0]] for hit in server.hits("/gdelt")
    ]


def test_batches_keep_within_the_query_length_and_the_people_per_query():
    people = [WatchedPerson(i, (f"Person Number {i}", "王芳"), ()) for i in range(30)]
    batches = list(pack_batches(people, max_chars=200, max_people=4, grouped=True))

    assert [p.id for b in batches for p in b] == list(range(30))  # all, once, in order
    for batch in batches:
        assert len(batch) <= 4
        assert len(json.dumps(batch_query(batch, grouped=True))) > 0
        from urllib.parse import quote_plus

        assert len(quote_plus(batch_query(batch, grouped=True))) <= 200
    # A name form two people share is asked once.
    assert batch_query(batches[0], grouped=True).count('"王芳"') == 1


def test_a_person_recorded_in_simplified_characters_is_also_asked_for_in_traditional():
    feng = WatchedPerson(1, ("Feng Jie", "冯洁"), ())
    tang = WatchedPerson(2, ("Tang Wenbo", "唐文博"), ())  # alike in both scripts
    assert batch_query([feng, tang], grouped=True) == (
        '("Feng Jie" OR "冯洁" OR "馮潔" OR "Tang Wenbo" OR "唐文博")'
    )


def test_the_traditional_form_counts_in_the_query_length():
    from urllib.parse import quote_plus

    people = [WatchedPerson(i, (f"Person {i}", f"冯洁{i}"), ()) for i in range(12)]
    one = len(quote_plus(batch_query(people[:1], grouped=True)))
    assert '"馮潔0"' in batch_query(people[:1], grouped=True)
    batches = list(pack_batches(people, max_chars=one * 3, max_people=10, grouped=True))
    assert [p.id for b in batches for p in b] == list(range(12))
    for batch in batches:
        query = batch_query(batch, grouped=True)
        assert len(quote_plus(query)) <= one * 3
        assert all(f'"馮潔{p.id}"' in query for p in batch)
    assert len(batches) > 12 // 3


def test_a_person_whose_names_alone_exceed_the_query_length_is_asked_for_alone():
    long = WatchedPerson(1, ("A" * 300,), ())
    short = WatchedPerson(2, ("Zora Quill",), ())
    batches = list(pack_batches([short, long, short], max_chars=100, max_people=5, grouped=True))
    assert [[p.id for p in b] for b in batches] == [[2], [1], [2]]


def test_a_batch_whose_answer_is_full_is_split_and_asked_again_down_to_one_person(feed_server):
    _people(*NAMES)

    def answer(seen):
        # Wang Fang fills every answer she is in; nobody else is in the news.
        if '"Wang Fang"' in seen.query["query"][0]:
            return _articles("https://news.example.org/wf-1", "https://news.example.org/wf-2")
        return _articles()

    feed_server.routes["/gdelt"] = answer
    source = _gdelt(feed_server, "/gdelt?query={query}&maxrecords=2", max_people_per_query=4)

    outcome = poll_source(source_id=source.pk)

    assert (outcome.status, outcome.searched) == ("ok", 6)
    assert (
        _asked(feed_server)
        == [
            NAMES[:4],
            NAMES[:2],  # the full batch in halves
            NAMES[2:4],
            ["Amir Sadeh"],  # the full half in halves, down to one person
            ["Wang Fang"],
            NAMES[4:],
        ]
    )
    assert NewsItem.objects.count() == 2
    assert SearchCoverage.objects.filter(source=source).count() == 6


def test_a_round_asks_for_the_never_searched_first_then_the_least_recently_searched(
    feed_server,
):
    zora, ilse, _ = _people("Zora Quill", "Ilse Varga", "Amir Sadeh")
    feed_server.routes["/gdelt"] = _articles()
    source = _gdelt(feed_server, max_people_per_query=1)
    now = timezone.now()
    SearchCoverage.objects.bulk_create(
        [
            SearchCoverage(
                source=source, person=zora, last_searched_at=now - datetime.timedelta(hours=1)
            ),
            SearchCoverage(
                source=source, person=ilse, last_searched_at=now - datetime.timedelta(hours=3)
            ),
        ]
    )

    poll_source(source_id=source.pk)

    assert _asked(feed_server) == [["Amir Sadeh"], ["Ilse Varga"], ["Zora Quill"]]
    assert all(c.last_searched_at >= now for c in SearchCoverage.objects.filter(source=source))


def test_a_task_out_of_time_leaves_the_rest_of_its_round_to_the_next_and_a_new_case_joins_it(
    feed_server, settings
):
    settings.NEWSWATCH_SEARCH_TASK_BUDGET_SECONDS = 0  # one request a task
    _people("Zora Quill", "Ilse Varga")
    feed_server.routes["/gdelt"] = _articles()
    source = _gdelt(feed_server, max_people_per_query=1)
    before = timezone.now()

    first = poll_source(source_id=source.pk)

    assert (first.status, first.searched, first.more) == ("ok", 1, True)
    source.refresh_from_db()
    assert source.round_started_at is not None
    # Claimed for the task that continues the round, not released to the scheduler.
    assert source.next_poll_at >= before + polling.CLAIM_LEASE

    _people("Amir Sadeh")  # a case added mid-round is in this round
    outcomes = [poll_source(source_id=source.pk) for _ in range(2)]

    assert [(o.searched, o.more) for o in outcomes] == [(1, True), (1, False)]
    assert _asked(feed_server) == [["Zora Quill"], ["Ilse Varga"], ["Amir Sadeh"]]
    source.refresh_from_db()
    assert source.round_started_at is None
    # The next round comes a poll interval after this one began.
    assert source.next_poll_at >= before + datetime.timedelta(minutes=27)


def test_a_429_mid_round_stops_the_task_and_the_round_resumes_with_who_was_not_searched(
    feed_server,
):
    _people("Zora Quill", "Ilse Varga", "Amir Sadeh")
    answers = iter([_articles(), Route(b"slow down", status=429, content_type="text/plain")])
    feed_server.routes["/gdelt"] = lambda seen: next(answers, _articles())
    source = _gdelt(feed_server, max_people_per_query=1)

    throttled = poll_source(source_id=source.pk)
    NewsSource.objects.filter(pk=source.pk).update(next_poll_at=timezone.now())
    resumed = poll_source(source_id=source.pk)

    assert (throttled.status, throttled.searched) == ("failed", 1)
    assert (resumed.status, resumed.searched, resumed.more) == ("ok", 2, False)
    assert _asked(feed_server) == [["Zora Quill"], ["Ilse Varga"], ["Ilse Varga"], ["Amir Sadeh"]]


def test_gdelt_is_asked_only_for_articles_since_the_batchs_oldest_search(feed_server):
    zora, _ = _people("Zora Quill", "Ilse Varga")
    feed_server.routes["/gdelt"] = _articles()
    source = _gdelt(feed_server)
    poll_source(source_id=source.pk)  # the first round: never searched, no limit
    searched = {
        c.person_id: c.last_searched_at for c in SearchCoverage.objects.filter(source=source)
    }
    SearchCoverage.objects.filter(person=zora).update(
        last_searched_at=searched[zora.pk] - datetime.timedelta(hours=2)
    )
    NewsSource.objects.filter(pk=source.pk).update(next_poll_at=timezone.now())

    poll_source(source_id=source.pk)

    first, second = feed_server.hits("/gdelt")
    assert "startdatetime" not in first.query
    since = searched[zora.pk] - datetime.timedelta(hours=2) - GDELT_OVERLAP
    assert second.query["startdatetime"] == [
        since.astimezone(datetime.UTC).strftime("%Y%m%d%H%M%S")
    ]


def test_coverage_says_who_was_searched_today_the_oldest_search_and_a_round_too_long(
    feed_server, django_assert_num_queries
):
    zora, ilse, amir = _people("Zora Quill", "Ilse Varga", "Amir Sadeh")
    fast = _gdelt(feed_server, max_people_per_query=10)
    slow = news_source_save(
        name="Slow",
        kind="gdelt",
        url="",
        min_interval_seconds=600,
        max_people_per_query=1,
        poll_interval_minutes=20,
    )
    feed = news_source_save(name="Feed", kind="feed", url="https://example.org/f.xml")
    now = timezone.now()
    for source in (fast, slow):
        SearchCoverage.objects.bulk_create(
            [
                SearchCoverage(
                    source=source, person=zora, last_searched_at=now - datetime.timedelta(hours=2)
                ),
                SearchCoverage(
                    source=source, person=ilse, last_searched_at=now - datetime.timedelta(hours=30)
                ),
            ]
        )
    SearchCoverage.objects.create(
        source=fast,
        person=amir,
        last_searched_at=now - datetime.timedelta(hours=1),
    )

    with django_assert_num_queries(2):
        coverage = search_coverage(sources=[fast, slow, feed], now=now)

    assert feed.pk not in coverage
    assert coverage[fast.pk].watched == 3
    assert coverage[fast.pk].searched_last_24h == 2
    assert coverage[fast.pk].oldest_search_at == now - datetime.timedelta(hours=30)
    assert (coverage[fast.pk].round_requests, coverage[fast.pk].round_seconds) == (1, 0)
    assert coverage[fast.pk].warning == ""
    assert coverage[slow.pk].never_searched == 1
    assert coverage[slow.pk].oldest_search_at is None  # someone was never searched
    assert (coverage[slow.pk].round_requests, coverage[slow.pk].round_seconds) == (3, 1800)
    assert coverage[slow.pk].round_longer_than_poll_interval
    assert "30 minutes" in coverage[slow.pk].warning and "20 minutes" in coverage[slow.pk].warning
