"""Creating and sending digests: at most once per (subscription, period).

- `digests_create_due` makes a pending delivery per active subscription of a frequency. Its
  period starts where the subscription's last completed (sent or empty) delivery ended, or
  at the subscription's creation, so nothing falls between two digests after a day when the
  worker was down. A failed or still-pending delivery for the same start is reused.
- `digests_send_now` does both in the foreground, reporting each delivery's outcome: what
  `manage.py send_digests` and the admin's "Send now" run.
- `digest_send` claims a delivery with a compare-and-set update (pending and not claimed, or
  its claim expired), builds the digest up to now, sends it, and records the outcome. Two
  workers racing, or a task run twice, send one message. A delivery whose subscription has
  since been made inactive (unsubscribed) is never claimed, so it is never sent.

The deliveries are written with `update()`, which Django's `auto_now` does not see: each update
of what the API shows (status, attempts, period, error, sent time) sets `updated_at` itself, so
that a partner syncing with `updated_since` sees it. Bookkeeping the API does not show (when a
task was queued) leaves it alone.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from config.batching import chunks
from tracker.digests.content import Digest, build_digests
from tracker.digests.email import message_content, message_from_content, render_digest_email
from tracker.digests.models import DigestDelivery, Subscription

# Longer than building and sending one digest takes (the task's time limit); short enough that
# a delivery held by a worker that died is sent again within minutes.
CLAIM_LEASE = timedelta(seconds=settings.DIGEST_CLAIM_LEASE_SECONDS)
# A pending delivery whose task was queued this long ago and that nobody holds has lost its task
# (a worker killed before it acknowledged, a broker that lost it): the sweeper queues it again.
REQUEUE_AFTER = timedelta(seconds=settings.DIGEST_REQUEUE_AFTER_SECONDS)
MAX_ATTEMPTS = 5
_DONE = (DigestDelivery.Status.SENT, DigestDelivery.Status.EMPTY)


def _latest_done_end(deliveries):
    """The end of the latest completed (sent or empty) delivery among `deliveries`, as a
    one-row queryset: where the subscription's next period starts."""
    return (
        deliveries.filter(status__in=_DONE)
        .order_by("-period_end")
        .values_list("period_end", flat=True)[:1]
    )


def _period_start(subscription: Subscription) -> datetime:
    last = next(iter(_latest_done_end(subscription.deliveries.all())), None)
    return last or subscription.created_at


def digests_create_due(
    *, frequency: str, now: datetime | None = None, email: str | None = None
) -> list[int]:
    """The ids of the deliveries to send now for `frequency` (optionally one address), in the
    order of the subscriptions.

    A fixed number of statements however many subscriptions there are: one reads each
    subscription's period start, one batched insert adds the deliveries not made yet (the
    unique (subscription, period_start) constraint skips those another run made first), one
    reads the deliveries to send, and one puts the failed among them back to pending. A
    period that would start after `now` is not due."""
    now = now or timezone.now()
    subscriptions = Subscription.objects.filter(frequency=frequency, active=True)
    if email:
        subscriptions = subscriptions.filter(email=email.strip().lower())
    starts = {
        pk: last_done or created_at
        for pk, last_done, created_at in subscriptions.annotate(
            last_done=Subquery(
                _latest_done_end(DigestDelivery.objects.filter(subscription=OuterRef("pk")))
            )
        ).values_list("pk", "last_done", "created_at")
    }
    starts = {pk: start for pk, start in starts.items() if start <= now}
    if not starts:
        return []
    DigestDelivery.objects.bulk_create(
        [
            DigestDelivery(subscription_id=pk, period_start=start, period_end=now)
            for pk, start in starts.items()
        ],
        ignore_conflicts=True,
    )
    due = {
        subscription_id: (pk, status)
        for pk, subscription_id, period_start, status in DigestDelivery.objects.filter(
            subscription__in=subscriptions.values("pk")
        )
        .exclude(status__in=_DONE)
        .values_list("pk", "subscription_id", "period_start", "status")
        if starts.get(subscription_id) == period_start
    }
    failed = [pk for pk, status in due.values() if status == DigestDelivery.Status.FAILED]
    for chunk in chunks(failed):
        DigestDelivery.objects.filter(pk__in=chunk, status=DigestDelivery.Status.FAILED).update(
            status=DigestDelivery.Status.PENDING, updated_at=timezone.now()
        )
    return [due[pk][0] for pk in starts if pk in due]


def _of_active_subscriptions():
    """A condition on deliveries: their subscription is active. Written as `subscription_id IN
    (SELECT ...)`, not as `subscription__active=True`: a join would make Django's UPDATE
    `id IN (SELECT ... JOIN ...)`, and PostgreSQL re-checks only the outer conditions against a
    row another transaction changed meanwhile, so the compare-and-set would no longer hold."""
    return Q(subscription__in=Subscription.objects.filter(active=True).values("pk"))


def _claim(delivery_id: int, now: datetime) -> bool:
    return bool(
        DigestDelivery.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            _of_active_subscriptions(),
            pk=delivery_id,
            status=DigestDelivery.Status.PENDING,
        ).update(
            claimed_until=now + CLAIM_LEASE, attempts=F("attempts") + 1, updated_at=timezone.now()
        )
    )


def _fix_content(delivery: DigestDelivery, now: datetime) -> bool:
    """Build the digest up to `now` and record, in one transaction, what it holds: the message
    itself, the period's end, and the mentions and events it lists. Return False (recorded as
    empty) when there is nothing new. Runs once per delivery: every later attempt sends what
    was recorded here."""
    digest = build_digests([delivery], period_end=now)[delivery.pk]
    with transaction.atomic():
        if digest.is_empty:
            DigestDelivery.objects.filter(pk=delivery.pk).update(
                status=DigestDelivery.Status.EMPTY,
                period_end=now,
                claimed_until=None,
                updated_at=timezone.now(),
            )
            return False
        message = render_digest_email(digest, delivery_id=delivery.pk)
        delivery.content = message_content(message)
        delivery.period_end = now
        delivery.message_id = message.extra_headers.get("Message-ID", "")[:300]
        delivery.save(update_fields=["content", "period_end", "message_id", "updated_at"])
        delivery.mentions.set(digest.mentions)
        delivery.events.set(digest.events)
    return True


def digest_send(*, delivery_id: int, now: datetime | None = None) -> str:
    """Send one delivery. Returns its new status; "held" when another attempt holds its claim
    (the caller tries again once the claim has lapsed: that attempt may have died); "skipped"
    when it is done already, its subscription is inactive, or it is gone. A failed send raises
    (for the task to retry) after recording it.

    The first attempt fixes the message (see _fix_content); the mail server's acceptance and
    the record that it was sent are then one small update apart. Should the database fail
    that update, SentNotRecorded is raised for the caller to record it later without sending
    again. Should the worker die in between, the delivery is sent again once its claim lapses:
    the identical message, with the same Message-ID, which mail clients show once. That is as
    close to exactly once as SMTP allows."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return _why_not_claimed(delivery_id, now)
    delivery = DigestDelivery.objects.get(pk=delivery_id)  # build_digests loads its subscription
    if delivery.content is None and not _fix_content(delivery, now):
        return DigestDelivery.Status.EMPTY
    message = message_from_content(delivery.content)
    try:
        message.send()
    except Exception as exc:
        failed = delivery.attempts >= MAX_ATTEMPTS
        DigestDelivery.objects.filter(pk=delivery.pk).update(
            status=DigestDelivery.Status.FAILED if failed else DigestDelivery.Status.PENDING,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            claimed_until=None,
            updated_at=timezone.now(),
        )
        raise
    try:
        digest_record_sent(delivery_id=delivery.pk)
    except DatabaseError as exc:
        raise SentNotRecorded(delivery.pk) from exc
    return DigestDelivery.Status.SENT


class SentNotRecorded(Exception):
    """The mail server accepted the message, but the database could not record it (it is
    restarting). The caller records it later with digest_record_sent, without sending again:
    while the claim lasts, no other attempt sends it either."""

    def __init__(self, delivery_id: int) -> None:
        super().__init__(f"digest delivery {delivery_id} was sent but not recorded as sent")
        self.delivery_id = delivery_id


def digest_record_sent(*, delivery_id: int) -> None:
    """Record that the mail server accepted the delivery's message. Idempotent: a delivery
    already recorded as sent (by another attempt that sent it again) keeps its first time.
    The stored message is dropped: a sent delivery is never sent again, and what it listed
    stays recorded (its mentions and events)."""
    DigestDelivery.objects.filter(pk=delivery_id).exclude(status=DigestDelivery.Status.SENT).update(
        status=DigestDelivery.Status.SENT,
        sent_at=timezone.now(),
        updated_at=timezone.now(),
        last_error="",
        claimed_until=None,
        content=None,
    )


def _why_not_claimed(delivery_id: int, now: datetime) -> str:
    held = DigestDelivery.objects.filter(
        _of_active_subscriptions(),
        pk=delivery_id,
        status=DigestDelivery.Status.PENDING,
        claimed_until__gte=now,
    )
    return "held" if held.exists() else "skipped"


def deliveries_mark_queued(*, ids: list[int], now: datetime | None = None) -> None:
    """Record that a task to send each of these was just queued (see deliveries_to_requeue)."""
    now = now or timezone.now()
    for chunk in chunks(ids):
        DigestDelivery.objects.filter(pk__in=chunk).update(queued_at=now)


def deliveries_to_requeue(*, now: datetime | None = None) -> list[int]:
    """Pending deliveries of active subscriptions that no attempt holds and whose last task was
    queued more than REQUEUE_AFTER ago (or never): their task was lost. They are marked queued
    at `now` by one update, which two sweepers at once cannot both make for the same delivery
    (the second finds it queued just now), then read back: two statements, however many."""
    now = now or timezone.now()
    lapsed = Q(queued_at__isnull=True) | Q(queued_at__lt=now - REQUEUE_AFTER)
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    pending = DigestDelivery.objects.filter(status=DigestDelivery.Status.PENDING)
    if not pending.filter(lapsed, free, _of_active_subscriptions()).update(queued_at=now):
        return []
    return list(pending.filter(queued_at=now).order_by("pk").values_list("pk", flat=True))


@dataclass(frozen=True)
class SendOutcome:
    """What became of one delivery sent in the foreground."""

    delivery_id: int
    # sent, empty (nothing new), failed, held (another attempt is sending it) or skipped
    status: str
    error: str = ""  # why it failed, as recorded on the delivery


def digests_send_now(*, frequency: str, email: str | None = None) -> list[SendOutcome]:
    """Create the due deliveries of `frequency` (only `email`'s, when given) and send each
    now, one after the other; a failure is recorded on its delivery (and retried by the
    sweeper like any other) and reported here, and the others are still sent.

    Idempotent as the scheduled sending is: a second call finds the period just sent done and
    starts a new one from its end, which holds nothing new unless something happened since
    (recorded as empty, no email); two calls at once share one delivery, which one sends."""
    outcomes = []
    for delivery_id in digests_create_due(frequency=frequency, email=email):
        try:
            status, error = digest_send(delivery_id=delivery_id), ""
        except Exception as exc:  # recorded on the delivery by digest_send; go on
            status, error = DigestDelivery.Status.FAILED, f"{type(exc).__name__}: {exc}"
        outcomes.append(SendOutcome(delivery_id=delivery_id, status=str(status), error=error))
    return outcomes


def digest_preview(*, subscription: Subscription, now: datetime | None = None) -> Digest:
    """The digest this subscription would get if it were sent now (nothing is written)."""
    now = now or timezone.now()
    draft = DigestDelivery(
        pk=0, subscription=subscription, period_start=_period_start(subscription)
    )
    return build_digests([draft], period_end=now)[0]


@dataclass
class ResendOutcome:
    """What a resend did with the deliveries it was given."""

    queued: list[int] = field(default_factory=list)  # the ids to send (again)
    unsubscribed: int = 0  # of inactive subscriptions: never sent
    done: int = 0  # sent or empty: a digest is never sent twice
    sending: int = 0  # claimed by a worker sending it right now: left to that worker


def deliveries_resend(*, deliveries: QuerySet[DigestDelivery]) -> ResendOutcome:
    """Put failed (or stuck) deliveries of active subscriptions back in the queue; sent ones
    are sent again only as a new period. Says which were queued and why the others were not."""
    now = timezone.now()
    outcome = ResendOutcome()
    rows = deliveries.order_by().values_list(
        "pk", "status", "claimed_until", "subscription__active"
    )
    for pk, status, claimed_until, active in rows:
        if not active:
            outcome.unsubscribed += 1
        elif status in _DONE:
            outcome.done += 1
        elif claimed_until is not None and claimed_until >= now:
            outcome.sending += 1
        else:
            outcome.queued.append(pk)
    # The update repeats the conditions: a delivery a worker claimed or sent since the read
    # above, or whose address unsubscribed, is left alone (its id may still be returned; its
    # task then finds it done, or inactive, and skips).
    DigestDelivery.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        _of_active_subscriptions(),
        pk__in=outcome.queued,
    ).exclude(status__in=_DONE).update(
        status=DigestDelivery.Status.PENDING,
        attempts=0,
        claimed_until=None,
        updated_at=timezone.now(),
    )
    outcome.queued.sort()
    return outcome
