"""Celery tasks of the campaigns: thin, taking ids, safe to run twice (see tracker/tasks.py)."""

import logging
import random

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

from campaigns.models import SignaturePull
from campaigns.osdi.pull import signature_pull_fail, signatures_pull_osdi

logger = logging.getLogger(__name__)

# The database is restarting or unreachable: tried again, backed off, for a few minutes.
TRANSIENT = (OperationalError, InterfaceError)
TRANSIENT_RETRIES = 8
# A pull starts no page after this many seconds and hands the rest on to a task of its own, so
# no task outlasts the broker's visibility timeout however long the petition (a page's tries,
# backed off, fit in the time limit's margin; a page cut short by it is rolled back and read
# again by the next task).
PULL_BUDGET_SECONDS = 240
PULL_TIME_LIMIT = PULL_BUDGET_SECONDS + 300


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=TRANSIENT_RETRIES,
    soft_time_limit=PULL_TIME_LIMIT - 60,
    time_limit=PULL_TIME_LIMIT,
)
def pull_osdi_signatures(self, pull_id: int) -> dict:
    """Run (or resume) one pull of a letter's signatures from Action Network; failures are
    recorded on the pull. A pull already done or failed is left alone, so running this twice
    changes nothing."""
    try:
        more = signatures_pull_osdi(pull_id=pull_id, budget_seconds=PULL_BUDGET_SECONDS)
    except SignaturePull.DoesNotExist:
        logger.info("Signature pull %s is gone; nothing to do.", pull_id)
        return {"pull": pull_id, "status": "gone"}
    except SoftTimeLimitExceeded:
        more = True  # the page under way was rolled back: the next task reads it again
    except TRANSIENT as exc:
        countdown = min(60, 5 * 2**self.request.retries) * random.uniform(0.8, 1.2)  # noqa: S311
        raise self.retry(exc=exc, countdown=countdown) from exc
    except Exception as exc:
        # Not left "running" for ever: the letter's page says it failed, and asking again starts
        # a new pull (what earlier pages added stays).
        signature_pull_fail(
            pull_id=pull_id,
            message=f"The pull stopped on an unexpected error ({type(exc).__name__}); the "
            "worker's log has the details. Pulling again reads what is missing.",
        )
        raise
    if more:
        pull_osdi_signatures.delay(pull_id)
    status = SignaturePull.objects.filter(pk=pull_id).values_list("status", flat=True).first()
    return {"pull": pull_id, "status": status, "more": more}
