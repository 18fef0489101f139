"""Re-scan stored news for one person, after their names changed."""

from datetime import timedelta

from django.utils import timezone

from tracker.models import DetainedPerson, NewsItem
from tracker.newswatch.ingest import record_mentions
from tracker.newswatch.matching import Matcher
from tracker.newswatch.watchlist import watched_people

_BATCH = 1000


def rematch_person(*, person: DetainedPerson, days: int = 30) -> int:
    """Match the items first seen in the last `days` days against this person's current
    name forms; returns how many new mentions were recorded (existing ones are kept)."""
    matcher = Matcher(watched_people(DetainedPerson.objects.filter(pk=person.pk)))
    since = timezone.now() - timedelta(days=days)
    items = NewsItem.objects.filter(first_seen_at__gte=since).only("id", "title", "summary")
    created, batch = 0, []
    for item in items.iterator(chunk_size=_BATCH):
        batch.append(item)
        if len(batch) == _BATCH:
            created += record_mentions(items=batch, matcher=matcher)
            batch = []
    return created + record_mentions(items=batch, matcher=matcher)
