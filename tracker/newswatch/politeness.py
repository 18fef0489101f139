"""The least time between two requests to one source, across every worker.

With a Redis cache the token is a key set with NX and an expiry (atomic across processes and
machines); without one, a compare-and-set update of NewsSource.last_request_at does the same
job through the database.
"""

import time
from datetime import timedelta

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db.models import Q
from django.utils import timezone

from tracker.newswatch.models import NewsSource


def _take_in_redis(cache: RedisCache, source: NewsSource, interval: int) -> float:
    # SET key NX EX interval: only one worker gets it until it expires.
    if cache.add(f"newswatch:slot:{source.pk}", 1, timeout=interval):
        return 0.0
    return max(interval / 4, 0.1)


def _take_in_database(source: NewsSource, interval: int) -> float:
    now = timezone.now()
    earliest = now - timedelta(seconds=interval)
    taken = NewsSource.objects.filter(
        Q(last_request_at__isnull=True) | Q(last_request_at__lte=earliest), pk=source.pk
    ).update(last_request_at=now)
    if taken:
        return 0.0
    last = NewsSource.objects.filter(pk=source.pk).values_list("last_request_at", flat=True)[0]
    return max((last + timedelta(seconds=interval) - now).total_seconds(), 0.05)


def try_take_request_slot(source: NewsSource) -> float:
    """Take the right to send one request to `source` now: 0.0 when taken, otherwise how many
    seconds to wait before trying again."""
    interval = source.request_interval
    if interval <= 0:
        return 0.0
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        return _take_in_redis(cache, source, interval)
    return _take_in_database(source, interval)


def wait_for_request_slot(source: NewsSource, *, give_up_after: float = 60.0) -> bool:
    """Block until a slot is taken (True) or `give_up_after` seconds pass (False)."""
    deadline = time.monotonic() + give_up_after
    while True:
        wait = try_take_request_slot(source)
        if wait == 0.0:
            return True
        if time.monotonic() + wait > deadline:
            return False
        time.sleep(wait)
