"""When CI runs the suite against PostgreSQL and Redis, make sure that is what it talks to."""

import os

import pytest
from django.db import connection

from config.celery import app as celery_app

require = pytest.mark.skipif(
    os.environ.get("VIGIL_REQUIRE_SERVICES") != "1",
    reason="only in CI's PostgreSQL + Redis run",
)


@require
@pytest.mark.django_db
def test_suite_runs_on_postgresql():
    assert connection.vendor == "postgresql"


@require
def test_celery_talks_to_a_live_redis():
    assert celery_app.conf.broker_url.startswith("redis://")
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        assert conn.transport_cls == "redis"
