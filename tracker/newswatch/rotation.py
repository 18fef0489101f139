"""Which watched people a search source asks about next, and how well it keeps up.

Each (source, person) pair records when it was last searched (SearchCoverage). A round asks
about everyone watched when it began, the least recently searched first (never searched
first), so a case added today is searched in the next round and a round cut short is picked up
where it stopped.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, FilteredRelation, Min, Q
from django.template.defaultfilters import pluralize
from django.utils import timezone

from tracker.cases.models import DetainedPerson
from tracker.newswatch.matching import WatchedPerson
from tracker.newswatch.models import NewsSource, SearchCoverage
from tracker.newswatch.watchlist import WATCHED_COLUMNS, watched_people, watched_person

COVERAGE_WINDOW = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Pending:
    person: WatchedPerson
    last_searched_at: datetime | None


def people_to_search(*, source_id: int, round_started_at: datetime) -> list[Pending]:
    """Watched people this source has not searched since its round began, the least recently
    searched first (never searched before all others), then by id."""
    rows = (
        DetainedPerson.objects.watched()
        .annotate(
            coverage=FilteredRelation(
                "search_coverage", condition=Q(search_coverage__source_id=source_id)
            ),
            last_searched=F("coverage__last_searched_at"),
        )
        .filter(Q(last_searched__isnull=True) | Q(last_searched__lt=round_started_at))
        .order_by(F("last_searched").asc(nulls_first=True), "pk")
        .values_list(*WATCHED_COLUMNS, "last_searched")
    )
    return [Pending(watched_person(*row[:-1]), row[-1]) for row in rows]


def mark_searched(*, source_id: int, person_ids: Iterable[int], at: datetime) -> None:
    """Record that `source` searched these people at `at` (one statement)."""
    SearchCoverage.objects.bulk_create(
        [
            SearchCoverage(source_id=source_id, person_id=pk, last_searched_at=at)
            for pk in person_ids
        ],
        update_conflicts=True,
        unique_fields=["source", "person"],
        update_fields=["last_searched_at"],
    )


@dataclass(frozen=True, slots=True)
class Coverage:
    """How well a search source keeps up with the watch list."""

    watched: int
    searched_last_24h: int
    never_searched: int
    oldest_search_at: datetime | None  # None when someone was never searched
    round_requests: int  # the requests a full round needs (answers that come back full add some)
    round_seconds: int  # a full round at the source's pace
    poll_interval_seconds: int

    @property
    def round_longer_than_poll_interval(self) -> bool:
        return self.round_seconds > self.poll_interval_seconds

    @property
    def warning(self) -> str:
        if not self.round_longer_than_poll_interval:
            return ""
        round_minutes = math.ceil(self.round_seconds / 60)
        interval = self.poll_interval_seconds // 60
        return (
            f"A full round takes about {round_minutes} minute{pluralize(round_minutes)} at this "
            f"source's pace, longer than its poll interval of {interval} "
            f"minute{pluralize(interval)}: each watched person is searched less often than the "
            "interval says."
        )


def round_requests(*, source: NewsSource, people: Sequence[WatchedPerson]) -> int:
    """How many queries a round of `people` needs at this source's limits (before splits)."""
    return sum(
        1
        for _ in source.source_kind.batches(
            people,
            max_chars=source.query_chars_limit,
            max_people=source.people_per_query_limit,
        )
    )


def search_coverage(
    *, sources: Sequence[NewsSource], now: datetime | None = None
) -> dict[int, Coverage]:
    """The coverage of each search source among `sources`, in two queries however many there
    are: the watch list, and one aggregate of the sources' SearchCoverage rows."""
    search = [s for s in sources if s.is_search]
    if not search:
        return {}
    now = now or timezone.now()
    people = watched_people()
    since = now - COVERAGE_WINDOW
    rows = {
        row["source_id"]: row
        for row in SearchCoverage.objects.filter(
            source_id__in=[s.pk for s in search], person__watch_enabled=True
        )
        .values("source_id")
        .annotate(
            searched=Count("pk", filter=Q(last_searched_at__gte=since)),
            rows=Count("pk"),
            oldest=Min("last_searched_at"),
        )
    }
    requests: dict[tuple, int] = {}
    coverage = {}
    for source in search:
        row = rows.get(source.pk, {"searched": 0, "rows": 0, "oldest": None})
        limits = (source.kind, source.query_chars_limit, source.people_per_query_limit)
        if limits not in requests:
            requests[limits] = round_requests(source=source, people=people)
        never = len(people) - row["rows"]
        coverage[source.pk] = Coverage(
            watched=len(people),
            searched_last_24h=row["searched"],
            never_searched=never,
            oldest_search_at=None if never else row["oldest"],
            round_requests=requests[limits],
            round_seconds=requests[limits] * source.request_interval,
            poll_interval_seconds=source.poll_interval_minutes * 60,
        )
    return coverage
