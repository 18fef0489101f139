"""tracker.tasks.poll_source: which failures the task itself retries (run eagerly: Celery
executes the retries at once, ignoring their countdown)."""

import datetime
import logging
import socket

import kombu.exceptions
import pytest
from celery.exceptions import Retry
from django.utils import timezone

from tests.tracker.newswatch.feedserver import Route
from tracker import tasks
from tracker.cases.services import detained_person_save
from tracker.models import NewsSource, SearchCoverage
from tracker.newswatch import polling
from tracker.newswatch.services import news_source_save

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_loopback")]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


def test_a_network_failure_is_retried_a_bounded_number_of_times():
    source = news_source_save(
        name="Down", kind="feed", url=f"http://127.0.0.1:{_closed_port()}/feed.xml"
    )

    tasks.poll_source.apply(args=[source.pk])

    source.refresh_from_db()
    assert source.consecutive_failures == 1 + tasks.POLL_RETRIES
    assert "Could not connect" in source.last_error


def test_an_http_error_is_left_to_the_sources_backoff(feed_server):
    feed_server.routes["/busy.xml"] = Route(
        b"busy", status=503, content_type="text/plain", headers={"Retry-After": "600"}
    )
    source = news_source_save(name="Busy", kind="feed", url=feed_server.url("/busy.xml"))

    tasks.poll_source.apply(args=[source.pk])

    assert len(feed_server.hits("/busy.xml")) == 1
    source.refresh_from_db()
    assert (source.last_status, source.consecutive_failures) == (
        NewsSource.LastStatus.FAILED,
        1,
    )


def test_a_poll_queued_for_a_source_deleted_since_logs_one_line_and_ends(caplog):
    source = news_source_save(name="Soon gone", kind="feed", url="https://example.org/f.xml")
    source_id = source.pk
    source.delete()

    with caplog.at_level(logging.DEBUG):
        result = tasks.poll_source.apply(args=[source_id])

    assert result.successful()
    assert result.result == {"source": source_id, "status": "gone"}
    assert [r.levelname for r in caplog.records if r.levelno >= logging.WARNING] == []
    gone = [r for r in caplog.records if f"News source {source_id} was deleted" in r.message]
    assert [r.levelname for r in gone] == ["INFO"]


@pytest.fixture
def broker_down(monkeypatch):
    """The broker is a Redis server that is not running (a closed loopback port)."""
    from config.celery import app

    def use(url):
        # Celery reads CELERY_BROKER_URL from the environment before its configuration; a new
        # connection pool for the new URL (the old one is left to the garbage collector).
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        app._pool = None
        app.amqp._producer_pool = None

    before = app.conf.broker_url
    use(f"redis://127.0.0.1:{_closed_port()}/0")
    try:
        yield
    finally:
        use(before)


def test_claims_whose_polls_could_not_be_queued_are_released(broker_down):
    now = timezone.now()
    sources = [
        news_source_save(name=f"Feed {n}", kind="feed", url=f"https://example.org/{n}.xml")
        for n in range(3)
    ]
    NewsSource.objects.update(next_poll_at=now - datetime.timedelta(minutes=1))

    with pytest.raises(Retry) as retry:  # backed off, as every task does for the broker
        tasks.poll_due_sources.apply(throw=True)
    assert isinstance(retry.value.exc, kombu.exceptions.OperationalError)

    # Due again at once (not an hour later, when the claim's lease ends): the next scheduler
    # run, once the broker is back, queues them.
    for source in sources:
        source.refresh_from_db()
        assert source.next_poll_at <= timezone.now()


def test_no_task_outlasts_the_brokers_visibility_timeout():
    # Every task is acknowledged late (CELERY_TASK_ACKS_LATE): one still running when the
    # timeout passes would be delivered to a second worker.
    from config.celery import app

    visibility = app.conf.broker_transport_options["visibility_timeout"]
    ours = [task for name, task in app.tasks.items() if name.startswith("tracker.")]
    assert {task.name.rsplit(".", 1)[1] for task in ours} == {
        "poll_due_sources",
        "poll_source",
        "send_due_digests",
        "send_digest",
        "send_digest_batch",
        "sweep",
        "prune_access_log",
        "create_follow_ups",
        "send_task_reminders",
        "send_task_reminder",
    }
    for task in ours:
        assert task.acks_late
        assert task.time_limit < visibility, task.name


def test_feeds_and_search_sources_are_claimed_for_one_task_and_polled_again_within_5_minutes():
    now = timezone.now()
    feed = news_source_save(name="Feed", kind="feed", url="https://example.org/f.xml")
    search = news_source_save(name="GDELT", kind="gdelt", url="")
    NewsSource.objects.update(next_poll_at=now - datetime.timedelta(minutes=1))

    assert polling.sources_claim_due(now=now) == sorted([feed.pk, search.pk])

    feed.refresh_from_db()
    search.refresh_from_db()
    assert feed.next_poll_at - now + datetime.timedelta(minutes=1) < datetime.timedelta(minutes=5)
    assert feed.next_poll_at - now > datetime.timedelta(seconds=tasks.POLL_TIME_LIMIT)
    # A round runs as a chain of bounded tasks: the claim outlasts one task, not a round, and
    # with the scheduler's minute a source whose worker died is polled again within 5 minutes.
    lease = search.next_poll_at - now
    assert datetime.timedelta(seconds=tasks.POLL_TIME_LIMIT) < lease
    assert lease + datetime.timedelta(minutes=1) < datetime.timedelta(minutes=5)


def test_a_search_round_longer_than_one_task_queues_the_task_that_continues_it(
    feed_server, settings, monkeypatch
):
    settings.NEWSWATCH_SEARCH_TASK_BUDGET_SECONDS = 0  # one request a task
    for name in ("Zora Quill", "Ilse Varga", "Amir Sadeh"):
        detained_person_save(name=name)
    feed_server.routes["/gdelt"] = Route(b'{"articles": []}', content_type="application/json")
    source = news_source_save(
        name="GDELT",
        kind="gdelt",
        url=feed_server.url("/gdelt?query={query}"),
        min_interval_seconds=0,
        max_people_per_query=1,
    )

    queued: list[int] = []
    monkeypatch.setattr(tasks.poll_source, "delay", queued.append)

    results = [tasks.poll_source.apply(args=[source.pk]).get()]
    while queued:
        results.append(tasks.poll_source.apply(args=[queued.pop()]).get())

    assert [(r["status"], r["searched"], r["more"]) for r in results] == [
        ("ok", 1, True),
        ("ok", 1, True),
        ("ok", 1, False),
    ]
    assert len(feed_server.hits("/gdelt")) == 3
    assert SearchCoverage.objects.filter(source=source).count() == 3
    source.refresh_from_db()
    assert source.round_started_at is None  # the round is complete


def test_a_search_round_whose_next_task_cannot_be_queued_is_due_again_at_once(
    feed_server, settings, broker_down
):
    settings.NEWSWATCH_SEARCH_TASK_BUDGET_SECONDS = 0  # one request a task
    for name in ("Zora Quill", "Ilse Varga"):
        detained_person_save(name=name)
    feed_server.routes["/gdelt"] = Route(b'{"articles": []}', content_type="application/json")
    source = news_source_save(
        name="GDELT",
        kind="gdelt",
        url=feed_server.url("/gdelt?query={query}"),
        min_interval_seconds=0,
        max_people_per_query=1,
    )

    result = tasks.poll_source.apply(args=[source.pk]).get()

    assert (result["searched"], result["more"]) == (1, True)
    source.refresh_from_db()
    # Released rather than held for its lease: the next scheduler run resumes the round.
    assert source.next_poll_at <= timezone.now()
    assert source.round_started_at is not None
