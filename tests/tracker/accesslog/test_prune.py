"""Issue 18 §6: a retention setting prunes old access records on beat; pruning is the only
way a record leaves the log, and running it twice is harmless."""

import datetime

import pytest
from django.conf import settings as django_settings

from config.celery import app
from tracker import tasks
from tracker.accesslog.models import AccessRecord
from tracker.accesslog.services import access_records_prune

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 1, 3, 30, tzinfo=datetime.UTC)


def _record_aged(days: float) -> AccessRecord:
    return AccessRecord.objects.create(
        at=NOW - datetime.timedelta(days=days),
        username=f"aged {days}",
        action=AccessRecord.Action.SIGN_IN,
        interface=AccessRecord.Interface.ADMIN,
    )


def test_pruning_deletes_only_the_records_older_than_the_retention(settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 30
    old = [_record_aged(31), _record_aged(30.01), _record_aged(400)]
    kept = [_record_aged(29.99), _record_aged(0)]
    assert access_records_prune(now=NOW) == len(old)
    assert set(AccessRecord.objects.all()) == set(kept)


def test_pruning_twice_deletes_nothing_more(settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 30
    _record_aged(45)
    kept = _record_aged(1)
    assert access_records_prune(now=NOW) == 1
    assert access_records_prune(now=NOW) == 0
    assert list(AccessRecord.objects.all()) == [kept]


def test_the_retention_is_two_years_unless_set():
    assert django_settings.ACCESS_LOG_RETENTION_DAYS == 730


def test_the_task_prunes_and_beat_runs_it_daily_on_the_scheduler_queue(settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 730
    _record_aged(365 * 3)
    recent = AccessRecord.objects.create(
        username="today", action=AccessRecord.Action.SIGN_IN, interface="admin"
    )
    assert tasks.prune_access_log.apply().get() == 1
    assert tasks.prune_access_log.apply().get() == 0
    assert list(AccessRecord.objects.all()) == [recent]
    [entry] = [
        e
        for e in django_settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "tracker.tasks.prune_access_log"
    ]
    assert entry["schedule"].hour == {3} and entry["schedule"].day_of_week == set(range(7))
    assert app.amqp.router.route({}, "tracker.tasks.prune_access_log")["queue"].name == "scheduler"
