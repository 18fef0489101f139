"""Re-scan stored news for some people, after their names changed."""

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from tracker.cases.models import DetainedPerson
from tracker.newswatch.ingest import record_mentions
from tracker.newswatch.matching import Matcher
from tracker.newswatch.models import NewsItem
from tracker.newswatch.watchlist import watched_people

_BATCH = 1000


def rematch_people(*, people: QuerySet[DetainedPerson], days: int = 30) -> int:
    """Match the items first seen in the last `days` days against the current name forms of
    `people` (read with one query), in one pass over the items however many people there are;
    returns how many new mentions were recorded (existing ones, and staff's review of them,
    are kept)."""
    forms = watched_people(people)
    if not forms:
        return 0
    matcher = Matcher(forms)
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
