"""Celery tasks: thin, idempotent, safe to run twice (see tracker/newswatch/)."""

from celery import shared_task
from django.db import OperationalError, transaction

from tracker.newswatch.polling import poll_source as poll_source_service
from tracker.newswatch.polling import sources_claim_due


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


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=2,
    # Search sources ask once per watched person at the provider's pace (GDELT: 5 s each).
    soft_time_limit=3300,
    time_limit=3400,
)
def poll_source(self, source_id: int) -> dict:
    """Poll one source. Network failures are recorded on the source; a retryable one is
    also retried here, at most twice, backed off and jittered."""
    outcome = poll_source_service(source_id=source_id)
    if outcome.status == "failed" and outcome.retryable and self.request.retries < 2:
        raise self.retry(countdown=int(30 * 2**self.request.retries), max_retries=2)
    return {
        "source": outcome.source_id,
        "status": outcome.status,
        "items_new": outcome.ingest.items_new,
        "mentions_new": outcome.ingest.mentions_new,
    }
