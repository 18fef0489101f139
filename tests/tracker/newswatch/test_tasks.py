"""tracker.tasks.poll_source: which failures the task itself retries (run eagerly: Celery
executes the retries at once, ignoring their countdown)."""

import logging
import socket

import pytest

from tests.tracker.newswatch.feedserver import Route
from tracker import tasks
from tracker.models import NewsSource
from tracker.services import news_source_save

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
