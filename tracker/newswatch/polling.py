"""One poll of one source: fetch, parse, store, match, and record how it went.

A failure (network, HTTP status, not a feed, hostile XML) never raises out of here: it is
recorded on the source (last_status, last_error, consecutive_failures) with an exponential,
capped, jittered backoff of next_poll_at, honouring Retry-After; the next success clears it.
"""

import logging
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tracker.newswatch.batches import split
from tracker.newswatch.http import FetchError, fetch
from tracker.newswatch.ingest import IngestResult, ingest_entries
from tracker.newswatch.kinds import SourceKind
from tracker.newswatch.matching import Matcher
from tracker.newswatch.models import NewsSource
from tracker.newswatch.parsing import ParseError
from tracker.newswatch.politeness import wait_for_request_slot
from tracker.newswatch.rotation import Pending, mark_searched, people_to_search
from tracker.newswatch.sources import (
    source_defer,
    source_for_poll,
    source_record_failure,
    source_record_idle,
    source_record_success,
    source_round_end,
    source_round_start,
    sources_claim,
    sources_unclaim,
)
from tracker.newswatch.watchlist import current_matcher

logger = logging.getLogger(__name__)

BACKOFF_CAP = timedelta(hours=24)
# The longest a poll may run (the task's hard time limit). A search task stops starting
# requests when its budget (NEWSWATCH_SEARCH_TASK_BUDGET_SECONDS) is spent; the last one may
# still wait a minute for its slot, take the fetch deadline (30 s) and be stored, which the
# soft limit, POLL_SOFT_TIME_MARGIN before this, leaves room for.
POLL_TIME_LIMIT = settings.NEWSWATCH_SEARCH_TASK_BUDGET_SECONDS + 140
POLL_SOFT_TIME_MARGIN = 30
# A claimed source becomes due again after this long if its poll never finished (worker died),
# never while a poll of it may still be running: a search source's claim outlasts its task.
CLAIM_LEASE = timedelta(seconds=settings.NEWSWATCH_CLAIM_LEASE_SECONDS)
# A feed's poll is bounded by its request slot's wait (a minute), the fetch deadline and the
# storing: its claim lasts minutes, so a feed whose worker died is polled again soon.
FEED_CLAIM_LEASE = min(CLAIM_LEASE, timedelta(seconds=settings.NEWSWATCH_FEED_CLAIM_LEASE_SECONDS))


@dataclass
class PollOutcome:
    source_id: int
    # A NewsSource.LastStatus value, "deferred" (slot busy: polled later), or "idle" (a search
    # source with no one left to search: nothing was asked, so nothing is recorded as health).
    status: str
    ingest: IngestResult = field(default_factory=IngestResult)
    error: str = ""
    retryable: bool = False
    # Search sources: people searched and requests sent by this task, and whether the round
    # goes on in another task.
    searched: int = 0
    requests: int = 0
    more: bool = False


def sources_claim_due(*, now: datetime | None = None) -> list[int]:
    """Claim every active source whose next poll has passed, by moving its next_poll_at a
    lease ahead (see sources.sources_claim): a source is claimed by one scheduler run only,
    and one whose poll died becomes due again when the lease ends."""
    now = now or timezone.now()
    return sources_claim(now=now, feed_until=now + FEED_CLAIM_LEASE, search_until=now + CLAIM_LEASE)


def sources_release(*, source_ids: list[int], now: datetime | None = None) -> None:
    """Give up claims whose poll could not be queued: the sources are due again at once."""
    sources_unclaim(source_ids=source_ids, now=now or timezone.now())


def _jitter(seconds: float, spread: float = 0.2) -> timedelta:
    return timedelta(seconds=seconds * random.uniform(1 - spread, 1 + spread))  # noqa: S311


def _record_success(source: NewsSource, status: str, **state) -> None:
    now = timezone.now()
    source_record_success(
        source_id=source.pk,
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
    source_record_failure(
        source_id=source.pk,
        polled_at=now,
        error=message,
        failures=failures,
        next_poll_at=now + wait,
    )
    logger.warning("news source %s failed (%s in a row): %s", source.pk, failures, message)


def _defer(source: NewsSource) -> PollOutcome:
    """Another worker holds the source's request slot for longer than we wait: poll later,
    without counting a failure."""
    later = timezone.now() + timedelta(seconds=max(source.request_interval, 60))
    source_defer(source_id=source.pk, until=later)
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
        entries = source.source_kind.parse(response.body, base_url=response.url)
    except ParseError as exc:
        _record_failure(source, str(exc))
        return PollOutcome(source.pk, "failed", error=str(exc))
    with transaction.atomic():  # the items and the source's new state, in one commit
        ingest = ingest_entries(source=source, entries=entries, matcher=current_matcher())
        _record_success(
            source,
            NewsSource.LastStatus.OK,
            etag=response.etag,
            last_modified=response.last_modified,
        )
    return PollOutcome(source.pk, NewsSource.LastStatus.OK, ingest=ingest)


class _Stop(Exception):
    """Ends a search task early: the rest of the round is left to a later task."""


class _Throttled(_Stop):
    pass


class _Deferred(_Stop):
    pass


class _OutOfTime(_Stop):
    pass


@dataclass
class _SearchTask:
    source: NewsSource
    kind: SourceKind
    matcher: Matcher
    deadline: float
    outcome: PollOutcome
    errors: list[str] = field(default_factory=list)
    retry_after: float | None = None
    requests: int = 0
    done: set[int] = field(default_factory=set)  # searched: a request about them succeeded
    failed: set[int] = field(default_factory=set)  # asked about, but the request failed


def _search_url(task: _SearchTask, batch: list[Pending], now: datetime) -> str:
    """The batch's query in the source's URL, asking only for what is new since the batch's
    oldest search when everyone in it was searched before (where the provider allows it)."""
    searched = [p.last_searched_at for p in batch]
    return task.kind.search_url(
        task.source.url,
        [p.person for p in batch],
        oldest_search=min(searched) if all(searched) else None,  # type: ignore[type-var]
        now=now,
    )


def _search(task: _SearchTask, batch: list[Pending]) -> None:
    """Ask for a batch and store what comes back; its people are then searched. An answer as
    full as the provider gives may have left some out: it is stored, and the batch asked again
    in two halves (down to one person), so one busy name cannot crowd out the others. A
    request that failed searched no one: its people stay due, and are asked first next time."""
    source = task.source
    if task.requests and time.monotonic() > task.deadline:
        raise _OutOfTime
    if not wait_for_request_slot(source):
        raise _Deferred
    task.requests += 1
    now = timezone.now()
    ids = [p.person.id for p in batch]
    try:
        response = fetch(_search_url(task, batch, now))
        entries = task.kind.parse(response.body, base_url=response.url)
    except FetchError as exc:
        task.errors.append(exc.message)
        task.retry_after = exc.retry_after or task.retry_after
        task.outcome.retryable = task.outcome.retryable or exc.is_network_failure
        if exc.status == 429:
            raise _Throttled from exc  # the provider asked us to slow down: stop here
        task.failed.update(ids)
        return
    except ParseError as exc:
        task.errors.append(str(exc))
        task.failed.update(ids)
        return
    full = len(batch) > 1 and len(entries) >= source.max_records
    with transaction.atomic():  # what was found and who was searched, in one commit
        if entries:
            task.outcome.ingest += ingest_entries(
                source=source, entries=entries, matcher=task.matcher
            )
        if not full:
            mark_searched(source_id=source.pk, person_ids=ids, at=now)
    if full:
        for half in split(batch):
            _search(task, half)
    else:
        task.done.update(ids)


def _poll_search(source: NewsSource) -> PollOutcome:
    """One task of a search source's round: the watched people not yet searched this round,
    least recently searched first, packed into batches and asked for (each request waiting
    for the source's slot) until the task's time budget is spent. If people remain, the
    outcome says `more` and the claim is extended for the task that continues the round.
    A 429 stops the task: the source is recorded as failed, backed off at least as long as
    the provider asked, and its round resumes afterwards.

    The source's health says what happened: failed when every request failed (whoever they
    were about stays due, so the task's retry asks again), OK with a note when some did, and
    unchanged when there was no one to ask (a round that searched no one is no success)."""
    now = timezone.now()
    started = source_round_start(source_id=source.pk, now=now)
    pending = people_to_search(source_id=source.pk, round_started_at=started)
    by_id = {p.person.id: p for p in pending}
    task = _SearchTask(
        source=source,
        kind=source.source_kind,
        matcher=current_matcher(),
        deadline=time.monotonic() + settings.NEWSWATCH_SEARCH_TASK_BUDGET_SECONDS,
        outcome=PollOutcome(source.pk, NewsSource.LastStatus.OK),
    )
    outcome = task.outcome
    batches = task.kind.batches(
        [p.person for p in pending],
        max_chars=source.query_chars_limit,
        max_people=source.people_per_query_limit,
    )
    throttled = False
    try:
        for batch in batches:
            _search(task, [by_id[person.id] for person in batch])
    except _Deferred:
        deferred = _defer(source)
        deferred.ingest, deferred.searched = outcome.ingest, len(task.done)
        return deferred
    except _Throttled:
        throttled = True
    except _OutOfTime:
        pass
    outcome.searched, outcome.requests = len(task.done), task.requests
    errors = task.errors
    if not task.requests:
        # No one was due: the round is over, and nothing was asked, so the source's health
        # stays what its last request made it (a failing source stays failing).
        source_round_end(source_id=source.pk)
        next_round = started + _jitter(source.poll_interval_minutes * 60, spread=0.1)
        source_record_idle(source_id=source.pk, next_poll_at=max(next_round, timezone.now()))
        outcome.status = "idle"
        return outcome
    if throttled or (errors and len(errors) >= task.requests):
        message = errors[-1] if throttled else errors[0]
        _record_failure(source, message, task.retry_after)
        outcome.status, outcome.error = NewsSource.LastStatus.FAILED, message
        return outcome
    note = (
        f"{len(errors)} of {task.requests} searches failed; the first: {errors[0]}"
        if errors
        else ""
    )
    outcome.error = note
    end = timezone.now()
    if len(task.done | task.failed) < len(pending):
        # The round goes on in another task: the claim lasts until that one may end.
        outcome.more = True
        source_record_success(
            source_id=source.pk,
            polled_at=end,
            status=NewsSource.LastStatus.OK,
            next_poll_at=end + CLAIM_LEASE,
            error=note,
        )
        return outcome
    # The round is complete: the next begins a poll interval after this one began.
    source_round_end(source_id=source.pk)
    next_round = started + _jitter(source.poll_interval_minutes * 60, spread=0.1)
    source_record_success(
        source_id=source.pk,
        polled_at=end,
        status=NewsSource.LastStatus.OK,
        next_poll_at=max(next_round, end),
        error=note,
    )
    return outcome


def poll_source(*, source_id: int) -> PollOutcome:
    source = source_for_poll(source_id)
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
        while outcome.more:  # a search source's whole round, task after task
            summary.ingest += outcome.ingest
            outcome = poll_source(source_id=source.pk)
        summary.add(outcome)
        if progress is not None:
            progress(source, outcome, done, len(sources))
    return summary
