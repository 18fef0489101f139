"""Polling sources end to end: a real local HTTP server serves the fixture feeds; items and
mentions land in the database; failures are recorded on their source and backed off."""

import datetime
import functools
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.concurrency import at_once
from tests.tracker.newswatch.feedserver import FIXTURES, Route
from tracker.cases.services import detained_person_save
from tracker.models import Mention, NewsItem, NewsSource
from tracker.newswatch.parsing import parse_feed
from tracker.newswatch.polling import (
    FEED_CLAIM_LEASE,
    poll_cycle,
    poll_source,
    sources_claim_due,
)
from tracker.newswatch.services import news_source_save

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_loopback")]

FEEDS = {"/rights.xml": "rights.xml", "/digest.atom": "digest.atom", "/wire.rdf": "wire.rdf"}


def _feed(server, path, fixture=None, **route) -> NewsSource:
    url = server.serve_fixture(path, fixture or path.lstrip("/"), **route)
    return news_source_save(name=path, kind=NewsSource.Kind.FEED, url=url)


def _search(server, kind: str, path_and_query: str) -> NewsSource:
    """A search source of `kind` on the test server, with no wait between its requests."""
    name = NewsSource.Kind(kind).label
    url = server.url(path_and_query)
    return news_source_save(name=name, kind=kind, url=url, min_interval_seconds=0)


def _labels_by_person_key(fixture_people) -> dict[int, str]:
    return {person.pk: key for key, person in fixture_people.items()}


def _found(fixture_people) -> dict[str, set[str]]:
    keys = _labels_by_person_key(fixture_people)
    found: dict[str, set[str]] = {item.url: set() for item in NewsItem.objects.all()}
    for m in Mention.objects.select_related("news_item"):
        found[m.news_item.url].add(keys[m.person_id])
    return found


def test_polling_the_fixture_feeds_records_every_labelled_mention_and_nothing_else(
    feed_server, fixture_people, expected_mentions
):
    for path in FEEDS:
        _feed(feed_server, path)
    summary = poll_cycle()
    assert (summary.polled, summary.failed) == (3, 0)

    found = _found(fixture_people)
    # Every article of the three feeds is stored, and names exactly its labelled people.
    assert found == {url: expected_mentions[url] for url in found}
    assert (
        len(found)
        == summary.ingest.items_new
        == sum(len(parse_feed((FIXTURES / name).read_bytes())) for name in FEEDS.values())
    )
    assert summary.ingest.mentions_new == sum(len(p) for p in found.values())
    assert Mention.objects.filter(status=Mention.Status.NEW).count() == summary.ingest.mentions_new


def test_a_second_poll_is_answered_304_and_writes_nothing_but_the_poll_time(
    feed_server, fixture_people
):
    source = _feed(feed_server, "/rights.xml")
    first = poll_source(source_id=source.pk)
    assert first.status == "ok" and first.ingest.items_new > 0
    items = list(NewsItem.objects.values_list("pk", "updated_at"))
    mentions = Mention.objects.count()
    polled_before = NewsSource.objects.get(pk=source.pk).last_polled_at

    second = poll_source(source_id=source.pk)

    assert second.status == "not_modified"
    assert feed_server.hits("/rights.xml")[-1].headers.get("if-none-match")
    assert list(NewsItem.objects.values_list("pk", "updated_at")) == items
    assert Mention.objects.count() == mentions
    source.refresh_from_db()
    assert source.last_status == "not_modified"
    assert source.last_polled_at > polled_before


def test_polling_again_without_etag_adds_no_duplicates(feed_server, fixture_people):
    source = _feed(feed_server, "/rights.xml", etag=False)
    poll_source(source_id=source.pk)
    counts = (NewsItem.objects.count(), Mention.objects.count())
    again = poll_source(source_id=source.pk)
    assert again.ingest.items_new == 0 and again.ingest.mentions_new == 0
    assert (NewsItem.objects.count(), Mention.objects.count()) == counts


def test_an_article_carried_by_two_sources_is_one_item_linked_to_both(feed_server, fixture_people):
    # rights.xml and the Google News answer for P3 carry one article under two URLs that
    # differ only in tracking parameters.
    feed = _feed(feed_server, "/rights.xml")
    feed_server.serve_fixture("/gnews", "gnews/P3.xml")
    search = _search(feed_server, NewsSource.Kind.GOOGLE_NEWS, "/gnews?q={query}")
    poll_cycle()
    shared = [item for item in NewsItem.objects.all() if item.sources.count() > 1]
    assert len(shared) == 1
    assert set(shared[0].sources.all()) == {feed, search}
    assert shared[0].url == "https://rights.example.org/2016/03/nguyen-van-minh"
    assert Mention.objects.filter(news_item=shared[0]).count() == 1


def test_an_entry_whose_guid_was_seen_updates_its_item_instead_of_adding_one(
    feed_server, fixture_people
):
    source = _feed(feed_server, "/rights.xml", etag=False)
    poll_source(source_id=source.pk)
    original = (FIXTURES / "rights.xml").read_bytes()
    feed_server.routes["/rights.xml"] = Route(
        original.replace(
            b"Pianist Wang Fang opens festival", b"Pianist Wang Fang opens a festival"
        ),
        etag=False,
    )
    count = NewsItem.objects.count()
    outcome = poll_source(source_id=source.pk)
    assert outcome.ingest.items_updated == 1 and outcome.ingest.items_new == 0
    assert NewsItem.objects.count() == count
    assert NewsItem.objects.filter(title="Pianist Wang Fang opens a festival").exists()


def test_a_failing_source_is_recorded_and_backed_off_while_the_others_are_polled(
    feed_server, fixture_people
):
    broken = _feed(feed_server, "/broken.xml", "rights.xml", status=500)
    working = _feed(feed_server, "/rights.xml")
    summary = poll_cycle()
    assert (summary.polled, summary.failed) == (2, 1)

    broken.refresh_from_db()
    assert broken.last_status == "failed"
    assert "500" in broken.last_error
    assert broken.consecutive_failures == 1
    assert broken.next_poll_at > timezone.now() + datetime.timedelta(minutes=20)
    assert NewsItem.objects.filter(sources=working).exists()

    poll_source(source_id=broken.pk)
    broken.refresh_from_db()
    assert broken.consecutive_failures == 2
    assert broken.next_poll_at > timezone.now() + datetime.timedelta(minutes=45)

    feed_server.routes["/broken.xml"] = Route((FIXTURES / "rights.xml").read_bytes())
    poll_source(source_id=broken.pk)
    broken.refresh_from_db()
    assert (broken.last_status, broken.last_error, broken.consecutive_failures) == ("ok", "", 0)


def test_retry_after_on_429_is_honoured(feed_server, fixture_people):
    source = _feed(
        feed_server, "/busy.xml", "rights.xml", status=429, headers={"Retry-After": "7200"}
    )
    poll_source(source_id=source.pk)
    source.refresh_from_db()
    assert source.next_poll_at >= timezone.now() + datetime.timedelta(seconds=7100)


@pytest.mark.parametrize("fixture", ["billion-laughs.xml", "external-entity.xml"])
def test_a_feed_declaring_entities_is_refused_and_recorded(feed_server, fixture_people, fixture):
    source = _feed(feed_server, "/hostile.xml", f"hostile/{fixture}")
    outcome = poll_source(source_id=source.pk)
    assert outcome.status == "failed"
    source.refresh_from_db()
    assert source.last_status == "failed"
    assert "entit" in source.last_error.lower()
    assert NewsItem.objects.count() == 0


@pytest.mark.parametrize("fixture", ["not-a-feed.html", "garbage.bin"])
def test_something_that_is_not_a_feed_is_recorded_as_an_error(feed_server, fixture_people, fixture):
    source = _feed(feed_server, "/nonsense", f"hostile/{fixture}")
    assert poll_source(source_id=source.pk).status == "failed"
    source.refresh_from_db()
    assert source.last_error


def test_a_source_on_a_private_address_is_refused_without_a_request(
    feed_server, fixture_people, settings
):
    source = _feed(feed_server, "/rights.xml")
    settings.NEWSWATCH_ALLOWED_NETWORKS = []
    outcome = poll_source(source_id=source.pk)
    assert outcome.status == "failed"
    source.refresh_from_db()
    assert "refused" in source.last_error.lower()
    assert feed_server.hits("/rights.xml") == []


def _named_in(query: str, fixture_people) -> list[str]:
    """The keys of the fixture people whose name the query asks for, in order."""
    return [key for key, p in fixture_people.items() if f'"{p.name}"' in query]


def _gnews_answer(fixture_people):
    """Google News as it answers a batch: the fixture items of every person asked for."""

    def answer(seen):
        items = "".join(
            "".join(re.findall(r"<item>.*?</item>", path.read_text(), re.S))
            for key in _named_in(seen.query["q"][0], fixture_people)
            if (path := FIXTURES / "gnews" / f"{key}.xml").exists()
        )
        return Route(
            f'<rss version="2.0"><channel><title>G</title>{items}</channel></rss>'.encode()
        )

    return answer


def _gdelt_answer(fixture_people):
    def answer(seen):
        articles = [
            article
            for key in _named_in(seen.query["query"][0], fixture_people)
            if (path := FIXTURES / "gdelt" / f"{key}.json").exists()
            for article in json.loads(path.read_text())["articles"]
        ]
        return Route(json.dumps({"articles": articles}).encode(), content_type="application/json")

    return answer


def test_a_search_source_asks_for_its_watched_people_in_batches_of_or_queries(
    feed_server, fixture_people
):
    feed_server.routes["/gnews"] = _gnews_answer(fixture_people)
    source = _search(feed_server, NewsSource.Kind.GOOGLE_NEWS, "/gnews?q={query}&hl=en")
    news_source_save(source=source, max_people_per_query=3)

    outcome = poll_source(source_id=source.pk)

    assert (outcome.status, outcome.searched, outcome.requests) == ("ok", 8, 3)
    queries = [hit.query["q"][0] for hit in feed_server.hits("/gnews")]
    assert [_named_in(q, fixture_people) for q in queries] == [
        ["P1", "P2", "P3"],
        ["P4", "P5", "P6"],
        ["P7", "P8"],
    ]
    assert queries[0].startswith('"Wang Fang" OR "王芳" OR "Liu Jian" OR "刘坚" OR ')
    item = NewsItem.objects.get(url="https://voices.example.com/wang-fang-lawyer")
    assert item.title == "Lawyer for Wang Fang barred from court"
    assert item.publisher == "China Voices"
    assert Mention.objects.filter(news_item=item, person=fixture_people["P1"]).exists()


def test_gdelt_answers_become_items_and_an_empty_answer_is_fine(feed_server, fixture_people):
    feed_server.routes["/gdelt"] = _gdelt_answer(fixture_people)
    source = _search(
        feed_server, NewsSource.Kind.GDELT, "/gdelt?query={query}&mode=artlist&format=json"
    )
    assert poll_source(source_id=source.pk).status == "ok"
    # Every watched person fits one GDELT query, its OR in the parentheses GDELT requires.
    (query,) = [hit.query["query"][0] for hit in feed_server.hits("/gdelt")]
    assert query.startswith('("Wang Fang" OR "王芳" OR ') and query.endswith(")")
    assert len(_named_in(query, fixture_people)) == len(fixture_people)
    assert NewsItem.objects.filter(url="https://finance.example.org/liu-jianguo-bank").exists()
    assert not Mention.objects.filter(
        news_item__url="https://finance.example.org/liu-jianguo-bank"
    ).exists()


def test_a_gdelt_title_with_control_characters_is_stored_without_them(feed_server, fixture_people):
    # JSON can carry NUL as "\u0000": PostgreSQL refuses it in text, which failed the poll.
    article = {
        "url": "https://wire.example.org/wang-fang\u0000",
        "title": "Lawyer Wang\u0000 Fang\u0007 moved to \u001b[1mPrison\u009b 2",
        "seendate": "20250630T120000Z",
        "domain": "wire.\u0000example.org",
        "language": "English",
    }
    body = json.dumps({"articles": [article]}).encode()
    feed_server.routes["/gdelt"] = lambda seen: Route(body, content_type="application/json")
    source = _search(
        feed_server, NewsSource.Kind.GDELT, "/gdelt?query={query}&mode=artlist&format=json"
    )

    assert poll_source(source_id=source.pk).status == "ok"

    item = NewsItem.objects.get()
    assert item.title == "Lawyer Wang Fang moved to [1mPrison 2"
    assert item.publisher == "wire.example.org"
    assert item.url == "https://wire.example.org/wang-fang%00"
    assert Mention.objects.filter(news_item=item, person=fixture_people["P1"]).exists()


def test_due_sources_are_claimed_once(feed_server, fixture_people):
    due = _feed(feed_server, "/rights.xml")
    later = _feed(feed_server, "/wire.rdf")
    NewsSource.objects.filter(pk=later.pk).update(
        next_poll_at=timezone.now() + datetime.timedelta(hours=1)
    )
    assert sources_claim_due() == [due.pk]
    assert sources_claim_due() == []


def test_claiming_takes_due_and_never_polled_active_sources_for_the_length_of_a_lease():
    now = timezone.now()
    sources = {
        name: news_source_save(name=name, kind="feed", url=f"https://example.org/{name}.xml")
        for name in ("never", "due", "just_due", "later", "off")
    }
    states = {"due": now - datetime.timedelta(minutes=5), "just_due": now}
    states |= {"later": now + datetime.timedelta(seconds=1), "off": None}
    for name, next_poll_at in states.items():
        NewsSource.objects.filter(pk=sources[name].pk).update(next_poll_at=next_poll_at)
    NewsSource.objects.filter(pk=sources["off"].pk).update(active=False)

    claimed = sources_claim_due(now=now)

    assert claimed == sorted(sources[name].pk for name in ("never", "due", "just_due"))
    leases = set(NewsSource.objects.filter(pk__in=claimed).values_list("next_poll_at", flat=True))
    assert leases == {now + FEED_CLAIM_LEASE}  # feeds: one bounded fetch
    assert sources_claim_due(now=now + FEED_CLAIM_LEASE - datetime.timedelta(seconds=1)) == [
        sources["later"].pk
    ]
    # A poll that died: its source is due again when the lease ends.
    assert sources_claim_due(now=now + FEED_CLAIM_LEASE) == claimed


@pytest.mark.django_db(transaction=True)
def test_schedulers_claiming_at_once_claim_each_due_source_once():
    # Each scheduler in a thread with its own connection: on PostgreSQL, or on SQLite's file.
    sources = [
        news_source_save(name=f"Outlet {n}", kind="feed", url=f"https://example.org/{n}.xml")
        for n in range(40)
    ]
    claims = at_once(*[sources_claim_due] * 4)
    assert len(claims) == 4
    assert sorted(pk for claim in claims for pk in claim) == [s.pk for s in sources]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
def test_sources_carrying_one_feed_polled_at_once_store_each_item_and_mention_once(
    feed_server, fixture_people
):
    url = feed_server.serve_fixture("/rights.xml", "rights.xml")
    sources = [news_source_save(name=f"Mirror {n}", kind="feed", url=url) for n in range(4)]

    outcomes = at_once(*[functools.partial(poll_source, source_id=s.pk) for s in sources])

    assert {outcome.status for outcome in outcomes} == {"ok"}
    entries = parse_feed((FIXTURES / "rights.xml").read_bytes())
    assert NewsItem.objects.count() == len(entries) > 0
    for item in NewsItem.objects.all():
        assert set(item.sources.all()) == set(sources)
    mentions = Mention.objects.count()
    assert mentions > 0
    assert sum(outcome.ingest.mentions_new for outcome in outcomes) == mentions
    assert Mention.history.count() == mentions  # one history record each, none twice


def test_watch_news_once_prints_a_summary_and_succeeds_despite_failing_sources(
    feed_server, fixture_people, capsys
):
    _feed(feed_server, "/rights.xml")
    _feed(feed_server, "/broken.xml", "rights.xml", status=500)
    call_command("watch_news", "--once")
    out = capsys.readouterr().out
    assert "[2/2]" in out
    assert "Sources polled: 2 (0 not modified, 1 failed)" in out
    assert "Mentions:" in out


def test_a_source_polled_within_its_minimum_interval_waits_for_its_turn(
    feed_server, fixture_people
):
    source = _feed(feed_server, "/rights.xml", etag=False)
    NewsSource.objects.filter(pk=source.pk).update(min_interval_seconds=1)
    started = timezone.now()
    poll_source(source_id=source.pk)
    poll_source(source_id=source.pk)
    hits = feed_server.hits("/rights.xml")
    assert len(hits) == 2
    assert (timezone.now() - started).total_seconds() >= 1.0  # the second waited for its slot


def _rss(*titles: str) -> bytes:
    items = "".join(
        f"<item><title>{title}</title><link>https://news.example.org/{n}</link>"
        f"<guid>https://news.example.org/{n}</guid></item>"
        for n, title in enumerate(titles)
    )
    return f"<rss version='2.0'><channel><title>T</title>{items}</channel></rss>".encode()


def test_each_poll_matches_against_the_watch_list_as_it_is_now(feed_server, db):
    """Added, renamed and deleted people take effect from the next poll on, without a restart
    (the matcher is rebuilt when the watch list changed)."""
    source = news_source_save(name="T", kind="feed", url=feed_server.url("/t.xml"))
    zora = detained_person_save(name="Zora Quill")
    ilse = detained_person_save(name="Ilse Varga")
    bo = detained_person_save(name="Bo Lind")  # never named until deleted
    headlines = ["Zora Quill appeal heard", "Ilse Varga transferred"]
    feed_server.routes["/t.xml"] = Route(_rss(*headlines))
    poll_source(source_id=source.pk)
    assert set(Mention.objects.values_list("person__name", flat=True)) == {
        "Zora Quill",
        "Ilse Varga",
    }

    # Renamed, added, deleted (Ilse Varga has no mention left, so she may be deleted).
    Mention.objects.filter(person=ilse).delete()
    ilse.delete()
    detained_person_save(person=zora, name="Zora Quillon")
    detained_person_save(name="Amir Sadeh")
    headlines += ["Zora Quillon moved", "Amir Sadeh detained", "Ilse Varga released"]
    feed_server.routes["/t.xml"] = Route(_rss(*headlines))
    outcome = poll_source(source_id=source.pk)

    assert outcome.status == "ok" and outcome.ingest.items_new == 3
    named = {(m.news_item.title, m.person.name) for m in Mention.objects.select_related()}
    assert named == {
        ("Zora Quill appeal heard", "Zora Quillon"),
        ("Zora Quillon moved", "Zora Quillon"),
        ("Amir Sadeh detained", "Amir Sadeh"),
    }

    bo.delete()  # the only change: a person the current matcher still knows
    feed_server.routes["/t.xml"] = Route(_rss(*headlines, "Bo Lind speaks"))
    outcome = poll_source(source_id=source.pk)
    assert outcome.status == "ok" and outcome.ingest.items_new == 1
    assert not Mention.objects.filter(news_item__title="Bo Lind speaks").exists()


def test_mentions_the_news_watch_finds_are_in_their_history(feed_server, fixture_people):
    poll_source(source_id=_feed(feed_server, "/rights.xml").pk)
    mentions = Mention.objects.all()
    assert mentions.exists()
    records = Mention.history.filter(history_type="+")
    assert sorted(records.values_list("id", "person_id", "matched_terms")) == sorted(
        mentions.values_list("id", "person_id", "matched_terms")
    )
    assert {(r.history_change_reason, r.history_user) for r in records} == {
        ("Found by the news watch", None)
    }
    assert [r.history_date for r in records] == [r.instance.created_at for r in records]


@pytest.mark.parametrize(
    "guid",
    ["https://news.example.org/a", "tag:news.example.org,2025:a"],
    ids=["the article's address", "a tag"],
)
def test_an_entry_seen_before_under_its_guid_updates_its_item_when_its_link_changed(
    feed_server, db, guid
):
    """Found by guid whether the guid is the item's stored URL (looked up by URL) or not
    (looked up in the guid index)."""

    def feed(link: str, title: str) -> bytes:
        return (
            "<rss version='2.0'><channel><title>T</title><item>"
            f"<title>{title}</title><link>{link}</link><guid>{guid}</guid>"
            "</item></channel></rss>"
        ).encode()

    source = news_source_save(name="T", kind="feed", url=feed_server.url("/t.xml"))
    feed_server.routes["/t.xml"] = Route(feed("https://news.example.org/a", "Verdict due"))
    poll_source(source_id=source.pk)
    feed_server.routes["/t.xml"] = Route(feed("https://news.example.org/a-2", "Verdict delayed"))

    outcome = poll_source(source_id=source.pk)

    assert (outcome.ingest.items_new, outcome.ingest.items_updated) == (0, 1)
    assert list(NewsItem.objects.values_list("url", "title")) == [
        ("https://news.example.org/a", "Verdict delayed")
    ]


def test_an_item_carried_without_a_summary_is_not_rewritten_on_every_poll(feed_server, db):
    """GDELT sends no summaries: its answer for an article a feed carried keeps the feed's
    summary and is no update, however often it is polled."""
    feed = news_source_save(name="Wire", kind="feed", url=feed_server.url("/wire.xml"))
    feed_server.routes["/wire.xml"] = Route(
        b"<rss version='2.0'><channel><title>W</title><item><title>Verdict due</title>"
        b"<link>https://news.example.org/a</link><description>Full story.</description>"
        b"</item></channel></rss>"
    )
    poll_source(source_id=feed.pk)
    gdelt = _search(feed_server, NewsSource.Kind.GDELT, "/gdelt?query={query}")
    detained_person_save(name="Zora Quill")
    feed_server.routes["/gdelt"] = Route(
        b'{"articles": [{"url": "https://news.example.org/a", "title": "Verdict due", '
        b'"seendate": "20250701T100000Z", "domain": "news.example.org", "language": "English"}]}',
        content_type="application/json",
    )
    polled = [poll_source(source_id=gdelt.pk).ingest for _ in range(2)]

    assert [(i.items_new, i.items_updated) for i in polled] == [(0, 0), (0, 0)]
    item = NewsItem.objects.get()
    assert item.summary == "Full story."
    assert set(item.sources.all()) == {feed, gdelt}


def test_a_search_source_told_to_slow_down_is_backed_off_as_asked(feed_server, db):
    """A 429 ends the round and counts as a failure, whatever was asked before it, and the
    next poll waits at least as long as Retry-After says."""
    for name in ("Zora Quill", "Ilse Varga", "Amir Sadeh"):
        detained_person_save(name=name)
    feed_server.routes["/gnews"] = Route(
        b"slow down", status=429, content_type="text/plain", headers={"Retry-After": "7200"}
    )
    source = _search(feed_server, NewsSource.Kind.GOOGLE_NEWS, "/gnews?q={query}")
    before = timezone.now()

    outcome = poll_source(source_id=source.pk)

    assert outcome.status == "failed"
    assert not outcome.retryable  # the source's backoff decides, not a quick task retry
    assert len(feed_server.hits("/gnews")) == 1
    source.refresh_from_db()
    assert (source.last_status, source.consecutive_failures) == ("failed", 1)
    assert "7200 seconds" in source.last_error
    assert source.next_poll_at >= before + datetime.timedelta(seconds=7200)


# What a first poll asks of the database, in one transaction (whose BEGIN is a query on SQLite
# only, and a SAVEPOINT inside a test's transaction).
FIRST_POLL_QUERIES = [
    "SELECT",  # the source (sources.source_for_poll)
    "SELECT",  # has the watch list changed? (watchlist.current_matcher)
    "SELECT",  # stored items by URL (store.find_items)
    "SELECT",  # stored items by guid, among the source's
    "INSERT",  # the new items
    "INSERT",  # their links to the source
    "SELECT",  # the mentions already recorded of the items that name someone
    "INSERT",  # the new mentions
    "INSERT",  # their history
    "UPDATE",  # the source's state
]


def _statements(poll) -> tuple[list[str], object]:
    """The first word of each query `poll()` sends, transaction control aside, and what it
    returned."""
    with CaptureQueriesContext(connection) as captured:
        outcome = poll()
    words = [query["sql"].split(None, 1)[0] for query in captured.captured_queries]
    return [word for word in words if word not in ("BEGIN", "SAVEPOINT", "RELEASE")], outcome


def _numbered_rss(tag: str, n: int) -> bytes:
    """n items, each naming one of two watched people."""
    items = "".join(
        f"<item><title>{('Zora Quill', 'Ilse Varga')[k % 2]} appeal heard ({tag} {k})</title>"
        f"<link>https://news.example.org/{tag}/{k}</link>"
        f"<guid>https://news.example.org/{tag}/{k}</guid></item>"
        for k in range(n)
    )
    return f"<rss version='2.0'><channel><title>{tag}</title>{items}</channel></rss>".encode()


def test_a_poll_stores_its_items_in_the_same_queries_however_many_there_are(feed_server, db):
    """A fixed number of queries a poll, none per item, mention or source: a feed of 60 items
    that each name someone is stored in the queries of one of two items. (Beyond a batch, a
    statement more: store.CHUNK rows, or on SQLite as many as its limit on parameters takes,
    76 history rows.)"""
    for name in ("Zora Quill", "Ilse Varga"):
        detained_person_save(name=name)
    warm = news_source_save(name="Warm", kind="feed", url=feed_server.url("/warm.xml"))
    feed_server.routes["/warm.xml"] = Route(_numbered_rss("warm", 1))
    poll_source(source_id=warm.pk)  # the matcher is built (once per watch list) here

    for n in (2, 60):
        feed_server.routes[f"/{n}.xml"] = Route(_numbered_rss(f"f{n}", n))
        source = news_source_save(name=f"F{n}", kind="feed", url=feed_server.url(f"/{n}.xml"))

        statements, outcome = _statements(lambda: poll_source(source_id=source.pk))  # noqa: B023

        assert (outcome.ingest.items_new, outcome.ingest.mentions_new) == (n, n)
        assert statements == FIRST_POLL_QUERIES, n

        # Polled again by a server that sends no ETag: every item is found, none is new or
        # changed, and the links are written again (kept): fewer queries, just as flat.
        feed_server.routes[f"/{n}.xml"].etag = False
        NewsSource.objects.filter(pk=source.pk).update(etag="")
        statements, outcome = _statements(lambda: poll_source(source_id=source.pk))  # noqa: B023

        assert (outcome.ingest.items_new, outcome.ingest.items_updated) == (0, 0)
        assert statements == ["SELECT", "SELECT", "SELECT", "SELECT", "INSERT", "UPDATE"], n


def test_a_poll_answered_304_reads_its_source_and_writes_its_state_and_nothing_else(
    feed_server, fixture_people
):
    sources = [_feed(feed_server, path) for path in FEEDS]
    for source in sources:
        poll_source(source_id=source.pk)

    for source in sources:
        statements, outcome = _statements(lambda: poll_source(source_id=source.pk))  # noqa: B023

        assert outcome.status == "not_modified"
        assert statements == ["SELECT", "UPDATE"]
