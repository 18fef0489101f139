"""One poll of one source: fetch, parse, store, match, and record how it went.

A failure (network, HTTP status, not a feed, hostile XML) never raises out of here: it is
recorded on the source (last_status, last_error, consecutive_failures) with an exponential,
capped, jittered backoff of next_poll_at, honouring Retry-After; the next success clears it.
"""

import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import quote_plus

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tracker.models import NewsSource
from tracker.newswatch.http import FetchError, fetch
from tracker.newswatch.ingest import IngestResult, ingest_entries
from tracker.newswatch.matching import search_query
from tracker.newswatch.parsing import ParseError, parse_feed, parse_gdelt, parse_google_news
from tracker.newswatch.politeness import wait_for_request_slot
from tracker.newswatch.store import claim_due_sources, load_source, record_poll
from tracker.newswatch.watchlist import current_matcher, watched_people

logger = logging.getLogger(__name__)

BACKOFF_CAP = timedelta(hours=24)
# The longest a poll may run (the task's hard time limit): search sources ask once per
# watched person at the provider's pace (GDELT: 5 s each).
POLL_TIME_LIMIT = 3400
# A claimed source becomes due again after this long if its poll never finished (worker died),
# never while a poll of it may still be running.
# A search source's round asks once per watched person at the provider's pace: its claim lasts
# as long as its task may run.
CLAIM_LEASE = timedelta(seconds=settings.NEWSWATCH_CLAIM_LEASE_SECONDS)
# A feed's poll is bounded by its request slot's wait (a minute), the fetch deadline and the
# storing: its claim lasts minutes, so a feed whose worker died is polled again soon.
FEED_CLAIM_LEASE = min(CLAIM_LEASE, timedelta(seconds=settings.NEWSWATCH_FEED_CLAIM_LEASE_SECONDS))
_SEARCH_PARSERS = {
    NewsSource.Kind.GOOGLE_NEWS: parse_google_news,
    NewsSource.Kind.GDELT: parse_gdelt,
}


@dataclass
class PollOutcome:
    source_id: int
    status: str  # a NewsSource.LastStatus value, or "deferred" (slot busy: polled later)
    ingest: IngestResult = field(default_factory=IngestResult)
    error: str = ""
    retryable: bool = False


def sources_claim_due(*, now: datetime | None = None) -> list[int]:
    """Claim every active source whose next poll has passed, by moving its next_poll_at a
    lease ahead in one statement: a source is claimed by one scheduler run only, and one whose
    poll died becomes due again when the lease ends."""
    now = now or timezone.now()
    return claim_due_sources(
        now=now, feed_until=now + FEED_CLAIM_LEASE, search_until=now + CLAIM_LEASE
    )


def sources_release(*, source_ids: list[int], now: datetime | None = None) -> None:
    """Give up claims whose poll could not be queued: the sources are due again at once."""
    now = now or timezone.now()
    NewsSource.objects.filter(pk__in=source_ids, next_poll_at__gt=now).update(next_poll_at=now)


def _jitter(seconds: float, spread: float = 0.2) -> timedelta:
    return timedelta(seconds=seconds * random.uniform(1 - spread, 1 + spread))  # noqa: S311


def _record_success(source: NewsSource, status: str, **state) -> None:
    now = timezone.now()
    record_poll(
        source.pk,
        polled_at=now,
        status=status,
        next_poll_at=now + _jitter(source.poll_interval_minutes * 60, spread=0.1),
        **state,
    )


def _record_failure(source: NewsSource, message: str, retry_after: float | None = None) -> None:
    now = timezone.now()
    failures = source.consecutive_failures + 1
    delay = min(
        source.poll_interval_minutes * 60 * 2 ** (failures - 1), BACKOFF_CAP.total_seconds()
    )
    wait = _jitter(delay)
    if retry_after:
        wait = max(wait, timedelta(seconds=retry_after))
    NewsSource.objects.filter(pk=source.pk).update(
        last_polled_at=now,
        last_status=NewsSource.LastStatus.FAILED,
        last_error=message[:2000],
        consecutive_failures=failures,
        next_poll_at=now + wait,
    )
    logger.warning("news source %s failed (%s in a row): %s", source.pk, failures, message)


def _defer(source: NewsSource) -> PollOutcome:
    """Another worker holds the source's request slot for longer than we wait: poll later,
    without counting a failure."""
    later = timezone.now() + timedelta(seconds=max(source.request_interval, 60))
    NewsSource.objects.filter(pk=source.pk).update(next_poll_at=later)
    return PollOutcome(source.pk, "deferred")


def _poll_feed(source: NewsSource) -> PollOutcome:
    if not wait_for_request_slot(source):
        return _defer(source)
    try:
        response = fetch(source.url, etag=source.etag, last_modified=source.last_modified)
    except FetchError as exc:
        _record_failure(source, exc.message, exc.retry_after)
        return PollOutcome(source.pk, "failed", error=exc.message, retryable=exc.is_network_failure)
    if response.status == 304:
        # Not modified: no parsing, nothing written but the poll time.
        _record_success(source, NewsSource.LastStatus.NOT_MODIFIED)
        return PollOutcome(source.pk, NewsSource.LastStatus.NOT_MODIFIED)
    try:
        entries = parse_feed(response.body, base_url=response.url)
    except ParseError as exc:
        _record_failure(source, str(exc))
        return PollOutcome(source.pk, "failed", error=str(exc))
    with transaction.atomic():  # the items and the source's new state, in one commit
        ingest = ingest_entries(source=source, entries=entries, matcher=current_matcher())
        _record_success(
            source,
            NewsSource.LastStatus.OK,
            etag=response.etag[:500],
            last_modified=response.last_modified[:100],
        )
    return PollOutcome(source.pk, NewsSource.LastStatus.OK, ingest=ingest)


def _poll_search(source: NewsSource) -> PollOutcome:
    """One OR-query per watched person, each request waiting for the source's slot. A 429
    ends the round: the source is then recorded as failed, backed off at least as long as the
    provider asked."""
    parse = _SEARCH_PARSERS[NewsSource.Kind(source.kind)]
    matcher = current_matcher()
    outcome = PollOutcome(source.pk, NewsSource.LastStatus.OK)
    errors: list[str] = []
    retry_after = None
    throttled = False
    people = watched_people()
    for person in people:
        url = source.url.replace("{query}", quote_plus(search_query(person.name_forms)))
        if not wait_for_request_slot(source):
            return _defer(source)
        try:
            response = fetch(url)
            entries = parse(response.body)
        except FetchError as exc:
            errors.append(exc.message)
            retry_after = exc.retry_after or retry_after
            outcome.retryable = outcome.retryable or exc.is_network_failure
            if exc.status == 429:
                throttled = True  # the provider asked us to slow down: stop this round
                break
            continue
        except ParseError as exc:
            errors.append(str(exc))
            continue
        outcome.ingest += ingest_entries(source=source, entries=entries, matcher=matcher)
    if throttled or (errors and len(errors) >= len(people)):
        message = errors[-1] if throttled else errors[0]
        _record_failure(source, message, retry_after)
        outcome.status, outcome.error = NewsSource.LastStatus.FAILED, message
        return outcome
    note = (
        f"{len(errors)} of {len(people)} searches failed; the first: {errors[0]}" if errors else ""
    )
    _record_success(source, NewsSource.LastStatus.OK, error=note)
    outcome.error = note
    return outcome


def poll_source(*, source_id: int) -> PollOutcome:
    source = load_source(source_id)
    if source.is_search:
        return _poll_search(source)
    return _poll_feed(source)


@dataclass
class CycleSummary:
    polled: int = 0
    not_modified: int = 0
    failed: int = 0
    ingest: IngestResult = field(default_factory=IngestResult)

    def add(self, outcome: PollOutcome) -> None:
        self.polled += 1
        self.not_modified += outcome.status == NewsSource.LastStatus.NOT_MODIFIED
        self.failed += outcome.status == NewsSource.LastStatus.FAILED
        self.ingest += outcome.ingest


def poll_cycle(*, source_ids=None, progress=None) -> CycleSummary:
    """Poll every active source (or the ones named) once, in this process: what
    `manage.py watch_news --once` runs. `progress(source, outcome, done, total)` is called
    after each source."""
    sources = NewsSource.objects.filter(active=True)
    if source_ids:
        sources = NewsSource.objects.filter(pk__in=source_ids)
    sources = list(sources.order_by("pk").only("pk", "name"))  # for progress; polls read more
    summary = CycleSummary()
    for done, source in enumerate(sources, start=1):
        outcome = poll_source(source_id=source.pk)
        summary.add(outcome)
        if progress is not None:
            progress(source, outcome, done, len(sources))
    return summary
