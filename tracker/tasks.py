"""Celery tasks: thin, idempotent, safe to run twice (see tracker/newswatch/)."""

import logging
import random

from celery import shared_task
from django.db import OperationalError, transaction

from tracker.digests.sending import MAX_ATTEMPTS, digest_send, digests_create_due
from tracker.models import NewsSource
from tracker.newswatch.polling import POLL_TIME_LIMIT, sources_claim_due
from tracker.newswatch.polling import poll_source as poll_source_service

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(OperationalError,),  # the database blinked
    retry_backoff=True,
    retry_jitter=True,
    max_retries=3,
    soft_time_limit=50,
    time_limit=60,
)
def poll_due_sources() -> list[int]:
    """Every minute (beat): claim the sources whose next poll has passed and queue a poll
    for each once the claim is committed."""
    claimed = sources_claim_due()
    for source_id in claimed:
        transaction.on_commit(lambda pk=source_id: poll_source.delay(pk))
    return claimed


POLL_RETRIES = 2


def _backoff(seconds: float, retries: int) -> float:
    """`seconds` doubled for each retry already made, spread by ±20% so that tasks that failed
    together do not all come back at the same moment."""
    return seconds * 2**retries * random.uniform(0.8, 1.2)  # noqa: S311 (not for secrets)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=POLL_RETRIES,
    soft_time_limit=POLL_TIME_LIMIT - 100,
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
    if outcome.status == "failed" and outcome.retryable and self.request.retries < POLL_RETRIES:
        raise self.retry(countdown=_backoff(30, self.request.retries))
    return {
        "source": outcome.source_id,
        "status": outcome.status,
        "items_new": outcome.ingest.items_new,
        "mentions_new": outcome.ingest.mentions_new,
    }


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, retry_jitter=True, max_retries=3
)
def send_due_digests(frequency: str) -> list[int]:
    """At DIGEST_HOUR (beat): make the due deliveries of `frequency` and send each in its own
    task once they are committed."""
    ids = digests_create_due(frequency=frequency)
    for delivery_id in ids:
        transaction.on_commit(lambda pk=delivery_id: send_digest.delay(pk))
    return ids


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_ATTEMPTS - 1,
    soft_time_limit=60,
    time_limit=90,
)
def send_digest(self, delivery_id: int) -> str:
    """Send one digest, at most once (see tracker.digests.sending); a failed send is retried
    with backoff and jitter, and recorded on the delivery each time."""
    try:
        return digest_send(delivery_id=delivery_id)
    except OSError as exc:  # socket errors, and smtplib.SMTPException (an OSError)
        raise self.retry(exc=exc, countdown=_backoff(60, self.request.retries)) from exc
