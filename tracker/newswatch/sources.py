"""A news source's poll state, written one way: one function per change of state.

The scheduler claims due sources here, and a poll records here how it went (a success with the
server's validators, a failure with its backoff, a deferral, a search poll with no one to
search, a search round begun or ended).
Each is one ORM `update()` of the source's row, so the state columns are written nowhere else
(staff edit the source itself through `tracker.services.news_source_save`; the request slot's
token is `politeness`'s own).
"""

from datetime import datetime

from django.db.models import Q

from tracker.newswatch import kinds
from tracker.newswatch.models import NewsSource

# What a poll reads of its source: the rest is deferred (and read on first access).
POLL_FIELDS = (
    "id",
    "name",
    "kind",
    "url",
    "etag",
    "last_modified",
    "poll_interval_minutes",
    "min_interval_seconds",
    "max_query_chars",
    "max_people_per_query",
    "consecutive_failures",
)


def _due(now: datetime) -> Q:
    return Q(active=True) & (Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))


def source_for_poll(source_id: int) -> NewsSource:
    """The source with the fields a poll reads (raises NewsSource.DoesNotExist)."""
    return NewsSource.objects.only(*POLL_FIELDS).get(pk=source_id)


def sources_claim(*, now: datetime, feed_until: datetime, search_until: datetime) -> list[int]:
    """Claim every active source whose next poll is not after `now` (or was never set): move
    its next_poll_at to `feed_until` (feeds) or `search_until` (search sources). Returns the ids
    claimed, in order.

    A compare-and-set per source: the update applies only while the source is still due, and
    its row count says whether this caller won it. A source another scheduler claimed between
    the read and the update is no longer due (its next poll is a lease ahead), so it is claimed
    by one caller only, however many run at once, on SQLite as on PostgreSQL."""
    candidates = NewsSource.objects.filter(_due(now)).order_by("pk").values_list("pk", "kind")
    claimed = []
    for pk, kind in candidates:
        until = search_until if kinds.for_kind(kind).per_person else feed_until
        if NewsSource.objects.filter(_due(now), pk=pk).update(next_poll_at=until):
            claimed.append(pk)
    return claimed


def sources_unclaim(*, source_ids: list[int], now: datetime) -> None:
    """Give up claims whose poll could not be queued: the sources are due again at once."""
    NewsSource.objects.filter(pk__in=source_ids, next_poll_at__gt=now).update(next_poll_at=now)


def source_record_success(
    *,
    source_id: int,
    polled_at: datetime,
    status: str,
    next_poll_at: datetime,
    error: str = "",
    etag: str | None = None,
    last_modified: str | None = None,
) -> None:
    """A successful poll: its status and time, the next poll, no failure count, `error` (a note
    on a partial failure, or none); and the validators the server sent, when given (a 304 or a
    search keeps the stored ones)."""
    state = {
        "last_polled_at": polled_at,
        "last_status": status,
        "last_error": error[:2000],
        "consecutive_failures": 0,
        "next_poll_at": next_poll_at,
    }
    if etag is not None:
        state |= {"etag": etag[:500], "last_modified": (last_modified or "")[:100]}
    NewsSource.objects.filter(pk=source_id).update(**state)


def source_record_failure(
    *, source_id: int, polled_at: datetime, error: str, failures: int, next_poll_at: datetime
) -> None:
    """A failed poll: its error, the failures in a row, and the backed-off next poll."""
    NewsSource.objects.filter(pk=source_id).update(
        last_polled_at=polled_at,
        last_status=NewsSource.LastStatus.FAILED,
        last_error=error[:2000],
        consecutive_failures=failures,
        next_poll_at=next_poll_at,
    )


def source_record_idle(*, source_id: int, next_poll_at: datetime) -> None:
    """A search poll that found no one to search: the next poll, and nothing else. Nothing was
    asked, so the last status, error and failures stay as the last request left them."""
    NewsSource.objects.filter(pk=source_id).update(next_poll_at=next_poll_at)


def source_defer(*, source_id: int, until: datetime) -> None:
    """Poll again at `until`, without counting a failure (another worker held the slot)."""
    NewsSource.objects.filter(pk=source_id).update(next_poll_at=until)


def source_round_start(*, source_id: int, now: datetime) -> datetime:
    """When the search round under way began, starting one at `now` if none is."""
    NewsSource.objects.filter(pk=source_id, round_started_at__isnull=True).update(
        round_started_at=now
    )
    return NewsSource.objects.filter(pk=source_id).values_list("round_started_at", flat=True)[0]


def source_round_end(*, source_id: int) -> None:
    """The search round is complete: the next poll starts a new one."""
    NewsSource.objects.filter(pk=source_id).update(round_started_at=None)
