"""Celery tasks: thin, idempotent, safe to run twice (see tracker/newswatch/, tracker/digests/).

Every task rides out a restart of the database or the broker: those errors are retried, backed
off from 5 s doubling to a minute, with jitter, for about 9 minutes in all. Beat runs
`sweep` every few minutes, which queues again whatever lost its task, so a crash or an outage
costs minutes, not the next scheduled run.
"""

import logging
import random

import kombu.exceptions
import redis.exceptions
from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from tracker.accesslog.services import access_records_prune
from tracker.digests.sending import (
    BATCH_SIZE,
    CLAIM_LEASE,
    MAX_ATTEMPTS,
    BatchNotRecorded,
    BatchOutcome,
    SentNotRecorded,
    deliveries_mark_queued,
    deliveries_to_requeue,
    digest_record_sent,
    digest_send,
    digests_create_due,
    digests_record_batch,
    digests_send_batch,
)
from tracker.models import DigestDelivery, NewsSource
from tracker.newswatch.polling import (
    POLL_SOFT_TIME_MARGIN,
    POLL_TIME_LIMIT,
    sources_claim_due,
    sources_release,
)
from tracker.newswatch.polling import poll_source as poll_source_service
from tracker.workspace.reminders import (
    ReminderSentNotRecorded,
    reminder_record_sent,
    reminder_send,
    reminders_create_due,
    reminders_mark_queued,
    reminders_to_requeue,
)
from tracker.workspace.services import follow_ups_create

logger = logging.getLogger(__name__)

# The database or the broker (or the cache that paces requests) is restarting or unreachable.
TRANSIENT = (
    OperationalError,
    InterfaceError,
    kombu.exceptions.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
TRANSIENT_RETRIES = 12  # 5+10+20+40 s, then a minute each: about 9 minutes in all


def _backoff(seconds: float, retries: int, cap: float = 3600) -> float:
    """`seconds` doubled for each retry already made, at most `cap`, spread by ±20% so that
    tasks that failed together do not all come back at the same moment."""
    return min(cap, seconds * 2**retries) * random.uniform(0.8, 1.2)  # noqa: S311


def _retry_transient(task, exc: Exception):
    logger.warning(
        "%s will retry: %s: %s", task.name, type(exc).__name__, str(exc).splitlines()[0][:200]
    )
    return task.retry(
        exc=exc, countdown=_backoff(5, task.request.retries, cap=60), max_retries=TRANSIENT_RETRIES
    )


@shared_task(bind=True, max_retries=TRANSIENT_RETRIES, soft_time_limit=50, time_limit=60)
def poll_due_sources(self) -> list[int]:
    """Every minute (beat): claim the sources whose next poll has passed and queue a poll for
    each. A claim whose poll could not be queued (the broker is down) is released, so that the
    source is due again at once rather than when its lease ends."""
    try:
        claimed = sources_claim_due()
    except TRANSIENT as exc:
        raise _retry_transient(self, exc) from exc
    for n, source_id in enumerate(claimed):
        try:
            poll_source.delay(source_id)
        except TRANSIENT as exc:
            sources_release(source_ids=claimed[n:])
            raise _retry_transient(self, exc) from exc
    return claimed


POLL_RETRIES = 2


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=TRANSIENT_RETRIES,
    soft_time_limit=POLL_TIME_LIMIT - POLL_SOFT_TIME_MARGIN,
    time_limit=POLL_TIME_LIMIT,
)
def poll_source(self, source_id: int) -> dict:
    """Poll one source. Failures are recorded on the source, which backs off (honouring
    Retry-After); a network failure (DNS, connection, timeout) is also retried here, at most
    POLL_RETRIES times, backed off and jittered."""
    try:
        outcome = poll_source_service(source_id=source_id)
    except NewsSource.DoesNotExist:
        # Deleted by staff after its poll was queued: nothing went wrong, nothing to do.
        logger.info("News source %s was deleted before its poll ran; nothing to poll.", source_id)
        return {"source": source_id, "status": "gone"}
    except TRANSIENT as exc:
        raise _retry_transient(self, exc) from exc
    if outcome.status == "failed" and outcome.retryable and self.request.retries < POLL_RETRIES:
        raise self.retry(countdown=_backoff(30, self.request.retries))
    if outcome.more:
        # A search round goes on in another task, so that no task runs long; if it cannot be
        # queued, the source is due again at once and the next scheduler run resumes the round.
        try:
            poll_source.delay(source_id)
        except TRANSIENT:
            sources_release(source_ids=[source_id])
            logger.warning("The next part of source %s's search round was not queued.", source_id)
    return {
        "source": outcome.source_id,
        "status": outcome.status,
        "items_new": outcome.ingest.items_new,
        "mentions_new": outcome.ingest.mentions_new,
        "searched": outcome.searched,
        "more": outcome.more,
    }


def queue_digest_batches(ids: list[int]) -> None:
    """Queue a send_digest_batch task for each BATCH_SIZE of these deliveries."""
    for start in range(0, len(ids), BATCH_SIZE):
        send_digest_batch.delay(ids[start : start + BATCH_SIZE])


def _queue_sends(ids: list[int]) -> None:
    deliveries_mark_queued(ids=ids)
    queue_digest_batches(ids)


@shared_task(bind=True, max_retries=TRANSIENT_RETRIES, soft_time_limit=300, time_limit=360)
def send_due_digests(self, frequency: str) -> list[int]:
    """At DIGEST_HOUR (beat): make the due deliveries of `frequency` and send them in batches
    of DIGEST_BATCH_SIZE, a task each. Run twice, it queues the same deliveries, which are
    sent once."""
    try:
        ids = digests_create_due(frequency=frequency)
        _queue_sends(ids)
    except TRANSIENT as exc:
        raise _retry_transient(self, exc) from exc
    return ids


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=TRANSIENT_RETRIES,
    soft_time_limit=60,
    time_limit=90,
)
def send_digest(self, delivery_id: int, sent: bool = False) -> str:
    """Send one digest (see tracker.digests.sending). A failed send is retried with backoff and
    jitter, and recorded on the delivery each time; a delivery another attempt holds is tried
    again once that claim has lapsed (the attempt may have died). A message the mail server
    accepted while the database could not record it is not sent again: the retry (`sent`)
    only records it, within the claim's lease, so no other attempt sends it meanwhile."""
    try:
        if sent:
            digest_record_sent(delivery_id=delivery_id)
            return DigestDelivery.Status.SENT
        status = digest_send(delivery_id=delivery_id)
    except SentNotRecorded as exc:
        logger.warning("%s will record, not resend: %s", self.name, exc)
        raise self.retry(
            exc=exc,
            args=[delivery_id],
            kwargs={"sent": True},
            countdown=_backoff(5, self.request.retries, cap=60),
            max_retries=TRANSIENT_RETRIES,
        ) from exc
    except TRANSIENT as exc:
        raise _retry_transient(self, exc) from exc
    except OSError as exc:  # socket errors, and smtplib.SMTPException (an OSError)
        if self.request.retries >= MAX_ATTEMPTS - 1:
            raise
        raise self.retry(exc=exc, countdown=_backoff(60, self.request.retries)) from exc
    if status == "held":
        raise self.retry(countdown=CLAIM_LEASE.total_seconds() * random.uniform(1.0, 1.2))  # noqa: S311
    return status


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=TRANSIENT_RETRIES,
    soft_time_limit=120,
    time_limit=150,
)
def send_digest_batch(self, delivery_ids: list[int], record: dict | None = None) -> dict:
    """Send a batch of digests over one SMTP connection (see digests_send_batch). Each
    failure is recorded on its delivery, and the failed are tried again in a retry of this
    task, backed off and jittered, at most MAX_ATTEMPTS times (then the sweeper queues what is
    still pending); those another attempt holds are tried again once its claim has lapsed
    (the attempt may have died), and those the batch had no time for go to a new task. When
    the database could not record what the mail server accepted, the retry (`record`) only
    records it, within the claim's lease, so that nothing is sent again."""
    try:
        if record is not None:
            outcome = BatchOutcome.from_record(record)
            digests_record_batch(outcome=outcome)
        else:
            outcome = digests_send_batch(delivery_ids=delivery_ids)
    except BatchNotRecorded as exc:
        logger.warning("%s will record, not resend: %s", self.name, exc)
        raise self.retry(
            exc=exc,
            args=[delivery_ids],
            kwargs={"record": exc.outcome.as_record()},
            countdown=_backoff(5, self.request.retries, cap=60),
            max_retries=TRANSIENT_RETRIES,
        ) from exc
    except TRANSIENT as exc:
        raise _retry_transient(self, exc) from exc
    if outcome.released:
        try:
            queue_digest_batches(outcome.released)
        except TRANSIENT:  # pending and free: the sweeper queues them
            logger.warning("%d digest(s) a batch had no time for were not queued again.",
                           len(outcome.released))  # fmt: skip
    failed, held = outcome.to_retry, outcome.held
    if failed and self.request.retries >= MAX_ATTEMPTS - 1:
        failed = []  # left pending, with their error: the sweeper queues them again
    if failed or held:
        countdowns = [CLAIM_LEASE.total_seconds() * random.uniform(1.0, 1.2)] if held else []  # noqa: S311
        countdowns += [_backoff(60, self.request.retries)] if failed else []
        raise self.retry(args=[sorted(failed + held)], kwargs={}, countdown=max(countdowns))
    return outcome.counts()


@shared_task(bind=True, max_retries=TRANSIENT_RETRIES, soft_time_limit=120, time_limit=150)
def sweep(self) -> list[int]:
    """Every few minutes (beat): queue again the pending digests (and task reminders) whose
    task was lost, in batches. (A source whose poll died needs no sweeping: its claim lapses
    and poll_due_sources claims it again.) Returns the digests' ids."""
    try:
        ids = deliveries_to_requeue()
        queue_digest_batches(ids)
        reminder_ids = reminders_to_requeue()
        for reminder_id in reminder_ids:
            send_task_reminder.delay(reminder_id)
    except TRANSIENT as exc:
        raise _retry_transient(self, exc) from exc
    if ids:
        logger.info("Queued again %d digest(s) whose task was lost: %s", len(ids), ids)
    if reminder_ids:
        logger.info("Queued again %d task reminder(s): %s", len(reminder_ids), reminder_ids)
    return ids


@shared_task(bind=True, max_retries=TRANSIENT_RETRIES, soft_time_limit=300, time_limit=360)
def prune_access_log(self) -> int:
    """Daily (beat): delete the access log's records older than ACCESS_LOG_RETENTION_DAYS. Run
    twice, the second run deletes nothing."""
    try:
        deleted = access_records_prune()
    except TRANSIENT as exc:
        raise _retry_transient(self, exc) from exc
    if deleted:
        logger.info("Pruned %d access log record(s) past their retention.", deleted)
    return deleted


@shared_task(bind=True, max_retries=TRANSIENT_RETRIES, soft_time_limit=300, time_limit=360)
def create_follow_ups(self) -> dict:
    """Daily (beat), before the morning reminders: make today's follow-ups (chase unanswered
    letters, legal limits near, hearings near). Run twice, the second run makes nothing."""
    try:
        counts = follow_ups_create(today=timezone.localdate())
    except TRANSIENT as exc:
        raise _retry_transient(self, exc) from exc
    if counts.total:
        logger.info("Made %d follow-up task(s): %s", counts.total, counts)
    return {
        "chase": counts.chase,
        "legal_limit": counts.legal_limit,
        "hearing": counts.hearing,
        "no_owner": counts.no_owner,
    }


@shared_task(bind=True, max_retries=TRANSIENT_RETRIES, soft_time_limit=300, time_limit=360)
def send_task_reminders(self) -> list[int]:
    """Each morning (beat): make today's reminder for each staff member with tasks due or
    overdue, and send each in its own task. Run twice, it queues the same reminders, which
    are sent once."""
    try:
        ids = reminders_create_due(day=timezone.localdate())
        reminders_mark_queued(ids=ids)
        for reminder_id in ids:
            send_task_reminder.delay(reminder_id)
    except TRANSIENT as exc:
        raise _retry_transient(self, exc) from exc
    return ids


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=TRANSIENT_RETRIES,
    soft_time_limit=60,
    time_limit=90,
)
def send_task_reminder(self, reminder_id: int, sent: bool = False) -> str:
    """Send one morning email of tasks, as send_digest sends a digest: retried with backoff
    and jitter, recorded each time, never sent twice but identically."""
    try:
        if sent:
            reminder_record_sent(reminder_id=reminder_id)
            return "sent"
        status = reminder_send(reminder_id=reminder_id)
    except ReminderSentNotRecorded as exc:
        logger.warning("%s will record, not resend: %s", self.name, exc)
        raise self.retry(
            exc=exc,
            args=[reminder_id],
            kwargs={"sent": True},
            countdown=_backoff(5, self.request.retries, cap=60),
            max_retries=TRANSIENT_RETRIES,
        ) from exc
    except TRANSIENT as exc:
        raise _retry_transient(self, exc) from exc
    except OSError as exc:
        if self.request.retries >= MAX_ATTEMPTS - 1:
            raise
        raise self.retry(exc=exc, countdown=_backoff(60, self.request.retries)) from exc
    if status == "held":
        raise self.retry(countdown=CLAIM_LEASE.total_seconds() * random.uniform(1.0, 1.2))  # noqa: S311
    return status
