"""A real Celery worker process, against Redis, runs the news watch: send poll_due_sources and
watch items and mentions appear in the database."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from tracker.models import Mention, NewsItem, NewsSource
from tracker.newswatch.services import news_source_save

ROOT = Path(__file__).resolve().parents[3]
# A Redis database of its own, emptied before the test: no stale task can interfere.
REDIS_URL = "redis://127.0.0.1:6379/4"


def _redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("VIGIL_REQUIRE_SERVICES") == "1":
            raise
        pytest.skip(f"no Redis at {REDIS_URL}")


def _database_url() -> str:
    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


@pytest.fixture
def worker(transactional_db, allow_loopback):
    _redis_or_skip()
    if connection.vendor == "sqlite" and ":memory:" in str(settings.DATABASES["default"]["NAME"]):
        pytest.skip("the worker needs a database file it can open (see config/settings/test.py)")
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "NEWSWATCH_ALLOWED_NETWORKS": "127.0.0.0/8",
    }
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
            "-Q", "scheduler,polls,digests",
            "--without-mingle", "--without-gossip", "--loglevel", "INFO",
        ],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        yield REDIS_URL
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        print(output[-4000:])


def test_a_real_worker_polls_due_sources_and_records_items_and_mentions(
    worker, feed_server, fixture_people
):
    from config.celery import app

    broker = worker
    url = feed_server.serve_fixture("/rights.xml", "rights.xml")
    source = news_source_save(name="Rights Watch News", kind=NewsSource.Kind.FEED, url=url)

    with app.connection_for_write(broker) as conn:
        app.send_task("tracker.tasks.poll_due_sources", connection=conn)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Mention.objects.exists() and NewsSource.objects.get(pk=source.pk).last_status:
            break
        time.sleep(0.5)
    source.refresh_from_db()
    assert source.last_status == "ok", source.last_error
    assert NewsItem.objects.filter(sources=source).count() > 0
    assert Mention.objects.filter(person=fixture_people["P1"]).exists()
