"""The news watch under real faults: a whole worker killed in the middle of a poll, Redis (the
broker and the cache) killed while polls are queued and running. The end state staff notice:
every source polled again soon, its news stored once, no source left waiting on a claim."""

import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from tests.faults.conftest import LEASES
from tests.faults.processes import wait_until
from tests.tracker.newswatch.feedserver import FeedServer, Route

pytestmark = pytest.mark.faults

ITEMS_PER_FEED = 3
POLL_INTERVAL = timedelta(minutes=60)  # the seeded sources' (tests/faults/driver.py)


def rss(feed: int) -> bytes:
    items = "".join(
        f"<item><title>Story {k} of feed {feed}</title>"
        f"<link>https://news.example.org/feed{feed}/{k}</link>"
        f"<pubDate>Mon, 02 Mar 2026 0{k}:00:00 GMT</pubDate></item>"
        for k in range(ITEMS_PER_FEED)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {feed}</title>'
        f"<link>https://news.example.org/</link>{items}</channel></rss>"
    ).encode()


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


def _assert_every_source_polled_once_and_none_left_claimed(state: dict, n: int) -> None:
    sources = state["sources"]
    assert len(sources) == n
    assert {s["last_status"] for s in sources} == {"ok"}, [s for s in sources if s["last_error"]]
    assert state["items"] == n * ITEMS_PER_FEED  # each story stored once
    links = [tuple(link) for link in state["links"]]
    assert len(links) == len(set(links)) == n * ITEMS_PER_FEED
    for source in sources:
        # Next poll set by a successful poll (the interval, jittered by 10%), not a claim's
        # few seconds: no source waits on a claim nobody will finish.
        polled = datetime.fromisoformat(source["last_polled_at"])
        next_poll = datetime.fromisoformat(source["next_poll_at"])
        assert next_poll - polled >= POLL_INTERVAL * 0.85, source


def test_a_source_whose_worker_is_killed_mid_poll_is_polled_again_by_another_worker_after_the_lease(
    driver, workers, ticker, feeds
):
    requested: list[float] = []
    release = threading.Event()

    def slow_the_first_time(received) -> Route:
        requested.append(time.monotonic())
        if len(requested) == 1:
            release.wait(30)  # the first worker to ask waits here until it is killed
        return Route(rss(0))

    feeds.route("/feed/0.xml", slow_the_first_time)
    driver("seed-feeds", feeds.url(""), 1)
    first = workers("a", queues="scheduler,polls")
    assert ticker.send("tracker.tasks.poll_due_sources")
    wait_until(lambda: requested, timeout=30, what="the feed requested")
    workers("b", queues="scheduler,polls")
    first.kill()
    ticker.start("tracker.tasks.poll_due_sources", every=1)
    try:
        state = driver("sources", 60)
    finally:
        release.set()

    _assert_every_source_polled_once_and_none_left_claimed(state, 1)
    assert len(requested) == 2
    lease = float(LEASES["NEWSWATCH_CLAIM_LEASE_SECONDS"])
    waited = requested[1] - requested[0]
    print(f"polled again {waited:.1f} s after the first request (lease {lease:.0f} s)")
    assert waited <= lease + 1 + 3  # the lease, a scheduler tick, a little slack


def test_every_source_is_polled_when_redis_is_killed_for_eight_seconds_while_polls_are_queued(
    driver, workers, ticker, feeds, redis_server
):
    n = 40

    def feed(i: int):
        def answer(received) -> Route:
            time.sleep(0.1)
            return Route(rss(i))

        return answer

    for i in range(n):
        feeds.route(f"/feed/{i}.xml", feed(i))
    driver("seed-feeds", feeds.url(""), n)
    workers("a")
    ticker.start("tracker.tasks.poll_due_sources", every=1)

    wait_until(lambda: len(feeds.requests) >= 8, timeout=60, what="polls under way")
    redis_server.kill()  # the queued polls are lost with it (it keeps nothing on disk)
    polled_before = len({r.route for r in feeds.requests})
    time.sleep(8)
    redis_server.start()

    state = driver("sources", 90)
    print(f"{polled_before} of {n} sources polled before Redis was killed")
    assert polled_before < n
    _assert_every_source_polled_once_and_none_left_claimed(state, n)
