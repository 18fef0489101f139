"""Re-scan stored news for some people, after their names changed."""

from collections.abc import Iterable
from datetime import timedelta

from django.utils import timezone

from tracker.models import DetainedPerson, NewsItem
from tracker.newswatch.ingest import record_mentions
from tracker.newswatch.matching import Matcher
from tracker.newswatch.watchlist import watched_people

_BATCH = 1000


def rematch_people(*, people: Iterable[DetainedPerson], days: int = 30) -> int:
    """Match the items first seen in the last `days` days against these people's current name
    forms, in one pass over the items however many people there are; returns how many new
    mentions were recorded (existing ones, and staff's review of them, are kept)."""
    ids = [person.pk for person in people]
    if not ids:
        return 0
    matcher = Matcher(watched_people(DetainedPerson.objects.filter(pk__in=ids)))
    since = timezone.now() - timedelta(days=days)
    items = (
        NewsItem.objects.filter(first_seen_at__gte=since)
        .order_by()  # any order will do: no sort of a month of news
        .only("id", "title", "summary")
    )
    created, batch = 0, []
    for item in items.iterator(chunk_size=_BATCH):
        batch.append(item)
        if len(batch) == _BATCH:
            created += record_mentions(items=batch, matcher=matcher)
            batch = []
    return created + record_mentions(items=batch, matcher=matcher)
