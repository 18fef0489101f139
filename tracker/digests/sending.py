"""Creating and sending digests: at most once per (subscription, period).

- `digests_create_due` makes a pending delivery per active subscription of a frequency. Its
  period starts where the subscription's last completed (sent or empty) delivery ended, or
  at the subscription's creation, so nothing falls between two digests after a day when the
  worker was down. A failed or still-pending delivery for the same start is reused.
- `digests_send_now` does both in the foreground, reporting each delivery's outcome: what
  `manage.py send_digests` and the admin's "Send now" run.
- `digests_send_batch` claims a batch of deliveries (pending, and not claimed or their claim
  expired), builds the digests of those claimed for the first time together and stores their
  messages, sends every stored message over one SMTP connection, and records each delivery's
  outcome: a fixed number of statements per batch. Two workers racing, or a task run twice,
  send one message. A delivery whose subscription has since been made inactive
  (unsubscribed), or whose address is suppressed (a hard bounce, a spam complaint:
  tracker/digests/feedback.py), is never claimed, so it is never sent. `digest_send` sends
  one delivery as a batch of one.

The deliveries are written with `update()`, which Django's `auto_now` does not see: each update
of what the API shows (status, attempts, period, error, sent time) sets `updated_at` itself, so
that a partner syncing with `updated_since` sees it. Bookkeeping the API does not show (when a
task was queued) leaves it alone.
"""

import contextlib
import json
import queue
import smtplib
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import DatabaseError, connection, transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from config.batching import chunks
from tracker.digests.content import Digest, build_digests
from tracker.digests.email import message_content, message_from_content, render_digest_email
from tracker.digests.models import DigestDelivery, Subscription, SuppressedAddress

# Longer than building and sending one digest takes (the task's time limit); short enough that
# a delivery held by a worker that died is sent again within minutes.
CLAIM_LEASE = timedelta(seconds=settings.DIGEST_CLAIM_LEASE_SECONDS)
# A pending delivery whose task was queued this long ago and that nobody holds has lost its task
# (a worker killed before it acknowledged, a broker that lost it): the sweeper queues it again.
REQUEUE_AFTER = timedelta(seconds=settings.DIGEST_REQUEUE_AFTER_SECONDS)
MAX_ATTEMPTS = 5
# Deliveries a worker claims, builds and sends together, over one SMTP connection.
BATCH_SIZE = settings.DIGEST_BATCH_SIZE
# A batch starts no send this long after its claim, and hands the rest on: its claim outlasts
# the sending, the last send and the record (the task's time limit is 150 s).
BATCH_SEND_BUDGET = min(timedelta(seconds=60), CLAIM_LEASE / 3)
# A batch's new messages are rendered and stored in this many parts: the first part's are sent
# while the next renders. A fixed number, so that a batch costs the same statements however
# many deliveries it has.
STORE_PARTS = 4
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
    subscriptions = Subscription.objects.mailable().filter(frequency=frequency)
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
    """A condition on deliveries: their subscription is active and its address not suppressed
    (Subscription.objects.mailable()). Written as `subscription_id IN (SELECT ...)`, not as
    `subscription__active=True`: a join would make Django's UPDATE
    `id IN (SELECT ... JOIN ...)`, and PostgreSQL re-checks only the outer conditions against a
    row another transaction changed meanwhile, so the compare-and-set would no longer hold."""
    return Q(subscription__in=Subscription.objects.mailable().values("pk"))


@dataclass
class BatchOutcome:
    """What became of the deliveries a batch was given (see digests_send_batch)."""

    # The batch's claim: every delivery it claimed holds it until then, which identifies them.
    claimed_until: datetime | None = None
    sent: list[int] = field(default_factory=list)
    empty: list[int] = field(default_factory=list)  # nothing new: recorded empty, no email
    # Failed this attempt: delivery -> (its status now, the error recorded on it). Pending ones
    # are tried again; failed ones have had MAX_ATTEMPTS.
    failed: dict[int, tuple[str, str]] = field(default_factory=dict)
    # Claimed but not tried (the batch's time was up, or storing its message failed): released,
    # their attempt undone, to another batch.
    released: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)  # claimed by another attempt
    skipped: list[int] = field(default_factory=list)  # done already, unsubscribed, or gone
    # The exception of each failure, for a caller that raises it (digest_send); not recorded.
    exceptions: dict[int, Exception] = field(default_factory=dict, repr=False, compare=False)

    @property
    def to_retry(self) -> list[int]:
        """Failed this attempt and still pending: to try again after a backoff."""
        return sorted(
            pk for pk, (status, _) in self.failed.items() if status == DigestDelivery.Status.PENDING
        )

    def status_of(self, delivery_id: int) -> str:
        """sent, empty, failed (this attempt), released, held or skipped."""
        for status in ("sent", "empty", "released", "held", "skipped"):
            if delivery_id in getattr(self, status):
                return status
        return DigestDelivery.Status.FAILED if delivery_id in self.failed else "skipped"

    def counts(self) -> dict[str, int]:
        names = ("sent", "empty", "failed", "released", "held", "skipped")
        return {name: len(getattr(self, name)) for name in names if getattr(self, name)}

    def as_record(self) -> dict:
        """The outcome as JSON (a task's argument), to record it later without sending again."""
        return {
            "claimed_until": self.claimed_until.isoformat() if self.claimed_until else None,
            "sent": self.sent,
            "empty": self.empty,
            "failed": [[pk, status, error] for pk, (status, error) in self.failed.items()],
            "released": self.released,
            "held": self.held,
            "skipped": self.skipped,
        }

    @classmethod
    def from_record(cls, record: dict) -> "BatchOutcome":
        claimed_until = record["claimed_until"]
        return cls(
            claimed_until=datetime.fromisoformat(claimed_until) if claimed_until else None,
            sent=list(record["sent"]),
            empty=list(record["empty"]),
            failed={pk: (status, error) for pk, status, error in record["failed"]},
            released=list(record["released"]),
            held=list(record["held"]),
            skipped=list(record["skipped"]),
        )


class BatchNotRecorded(Exception):
    """The batch's messages went to the mail server, but the database could not record what
    became of them (it is restarting). The caller records `outcome` later with
    digests_record_batch, without sending again: while the claim lasts, no other attempt
    sends them either."""

    def __init__(self, outcome: BatchOutcome) -> None:
        super().__init__(
            f"{len(outcome.sent)} digest(s) sent and {len(outcome.failed)} failed, "
            f"not recorded: {outcome.sent[:10]}{'...' if len(outcome.sent) > 10 else ''}"
        )
        self.outcome = outcome


def _claim_batch(delivery_ids: list[int], now: datetime) -> list[DigestDelivery]:
    """Claim those of `delivery_ids` that are pending, of an active subscription, and free (not
    claimed, or their claim lapsed), until now + CLAIM_LEASE; return them, in id order.

    On PostgreSQL the rows are read FOR UPDATE SKIP LOCKED, so that two batches claiming at
    once never take the same delivery (the second skips it, or sees it claimed); SQLite runs
    one writing transaction at a time (one that read a row another has changed since fails)."""
    until = now + CLAIM_LEASE
    with transaction.atomic():
        deliveries = list(
            DigestDelivery.objects.select_for_update(skip_locked=True)
            .filter(
                Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
                _of_active_subscriptions(),
                pk__in=delivery_ids,
                status=DigestDelivery.Status.PENDING,
            )
            .order_by("pk")
        )
        if deliveries:
            DigestDelivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
                claimed_until=until, attempts=F("attempts") + 1, updated_at=timezone.now()
            )
    for delivery in deliveries:
        delivery.claimed_until = until
        delivery.attempts += 1
    return deliveries


def _link(relation, contents: dict[int, list]) -> None:
    """Replace what each delivery lists (`relation` is DigestDelivery.mentions or .events) with
    `contents` (delivery id -> mentions or events): one delete and one insert for them all.

    The insert is raw SQL, one statement whatever the number of rows: a batch lists tens of
    thousands of mentions, and bulk_create's model instance per row (or a driver's run of
    one statement per row) cost more than rendering them. PostgreSQL takes the rows as two
    arrays, SQLite as one JSON array; another database gets one statement per row."""
    through = relation.through
    own = through._meta.get_field(relation.field.m2m_field_name())
    other = through._meta.get_field(relation.field.m2m_reverse_field_name())
    through.objects.filter(**{f"{own.name}__in": list(contents)}).delete()
    rows = [(pk, row.pk) for pk, rows in contents.items() for row in rows]
    if not rows:
        return
    quote = connection.ops.quote_name
    insert = (
        f"INSERT INTO {quote(through._meta.db_table)} ({quote(own.column)}, {quote(other.column)})"
    )
    # The table and column names come from the model, the values are parameters.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            owners, others = zip(*rows, strict=True)
            unnest = "SELECT * FROM unnest(%s::bigint[], %s::bigint[])"
            cursor.execute(f"{insert} {unnest}", [list(owners), list(others)])
        elif connection.vendor == "sqlite":
            each = (
                "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(%s)"
            )
            cursor.execute(f"{insert} {each}", [json.dumps(rows)])
        else:
            cursor.executemany(f"{insert} VALUES (%s, %s)", rows)


def _store_contents(deliveries: list[DigestDelivery]) -> None:
    """Write each delivery's content, period end, Message-ID and update time.

    Raw SQL, one UPDATE statement run for every delivery (a single round trip where the
    driver pipelines it): bulk_update's CASE over every id makes the database compare each
    row with each id, which cost more than sending the batch. The values are prepared by the
    model's own fields, as the ORM would."""
    names = ["content", "period_end", "message_id", "updated_at"]
    fields = [DigestDelivery._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    table, pk = quote(DigestDelivery._meta.db_table), quote(DigestDelivery._meta.pk.column)
    rows = [
        [*(f.get_db_prep_save(getattr(d, f.attname), connection) for f in fields), d.pk]
        for d in deliveries
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", rows)  # noqa: S608 (names from the model)


def _fix_contents(
    deliveries: list[DigestDelivery], digests: dict[int, Digest], now: datetime, shared: dict
) -> list[int]:
    """Render the digests of deliveries claimed for the first time (built up to `now`) and
    record in one transaction what each holds: the message itself, the period's end, and the
    mentions and events it lists. Those with nothing new are recorded as empty, and their ids
    returned. Runs once per delivery: every later attempt sends what was recorded here.
    `shared` is the batch's render cache (see render_digest_email)."""
    empty = [d.pk for d in deliveries if digests[d.pk].is_empty]
    fixed = [d for d in deliveries if not digests[d.pk].is_empty]
    for delivery in fixed:
        message = render_digest_email(digests[delivery.pk], cache=shared)
        delivery.content = message_content(message)
        delivery.period_end = now
        delivery.message_id = message.extra_headers.get("Message-ID", "")[:300]
        delivery.updated_at = timezone.now()
    with transaction.atomic():
        if empty:
            DigestDelivery.objects.filter(pk__in=empty).update(
                status=DigestDelivery.Status.EMPTY,
                period_end=now,
                claimed_until=None,
                updated_at=timezone.now(),
            )
        if fixed:
            _store_contents(fixed)
            _link(DigestDelivery.mentions, {d.pk: digests[d.pk].mentions for d in fixed})
            _link(DigestDelivery.events, {d.pk: digests[d.pk].events for d in fixed})
    return empty


def _close(connection) -> None:
    with contextlib.suppress(Exception):  # closing a connection that broke
        connection.close()


def _still_open(connection) -> bool:
    """After the mail server refused a message, may the next go on the same connection?
    smtplib resets the transaction after a refusal, and drops the socket after a 421."""
    smtp = getattr(connection, "connection", None)  # Django's SMTP backend: its smtplib.SMTP
    return smtp is None or getattr(smtp, "sock", None) is not None


class _Sender(threading.Thread):
    """Sends the deliveries handed to it (`put`), each its stored message, over one
    connection to the mail server, one message after the other, so that each has an outcome
    of its own: `sent`, `failed` (with the exception), `unsent` (not tried: the batch's time
    was up). A refused message leaves the connection to the next one (a broken connection is
    opened again); a server that cannot be reached fails every message.

    It runs beside the thread that renders the rest of the batch, so that waiting for the
    mail server's answers costs the batch no time. It touches no database. No send starts
    after `deadline` (time.monotonic()) but the first. Whatever stops the thread itself (a
    BaseException of the mail backend: the worker dying) is kept in `crash`, and it sends
    nothing more; `stop()` makes it end after the message at hand."""

    def __init__(self, deadline: float) -> None:
        super().__init__(name="digest-sender", daemon=True)
        self.deadline = deadline
        self.sent: list[int] = []
        self.failed: dict[int, Exception] = {}
        self.unsent: list[int] = []
        self.crash: BaseException | None = None
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._stopped = threading.Event()
        self._tried = 0
        self._unreachable: Exception | None = None

    @property
    def out_of_time(self) -> bool:
        return self._tried > 0 and time.monotonic() >= self.deadline

    def put(self, deliveries: list[DigestDelivery]) -> None:
        for delivery in deliveries:
            self._queue.put(delivery)

    def finish(self) -> None:
        """Wait until everything handed over is sent (or tried)."""
        self._queue.put(None)
        self.join()

    def stop(self) -> None:
        self._stopped.set()
        self._queue.put(None)
        self.join()

    def run(self) -> None:
        connection = None
        try:
            while (delivery := self._queue.get()) is not None:
                if self.crash is not None or self._stopped.is_set():
                    continue  # not sent, not recorded: as if the worker had died
                if self.out_of_time:
                    self.unsent.append(delivery.pk)
                    continue
                self._tried += 1
                connection = self._send(connection, delivery)
        except BaseException as exc:  # handed to the batch's thread, which raises it
            self.crash = exc
            while self._queue.get() is not None:  # what was handed over after it
                pass
        finally:
            if connection is not None:
                _close(connection)

    def _send(self, connection, delivery: DigestDelivery):
        """Send one message; return the connection for the next (None: open a new one)."""
        if self._unreachable is not None:
            self.failed[delivery.pk] = self._unreachable
            return None
        if connection is None:
            connection = get_connection()
            try:
                connection.open()
            except Exception as exc:
                self._unreachable = exc  # the mail server cannot be reached: no message goes
                self.failed[delivery.pk] = exc
                return None
        try:
            connection.send_messages([message_from_content(delivery.content)])
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
            self.failed[delivery.pk] = exc  # the server said no to this message only
            if not _still_open(connection):
                _close(connection)
                return None
        except Exception as exc:
            self.failed[delivery.pk] = exc
            _close(connection)  # in an unknown state: the next message opens a new one
            return None
        else:
            self.sent.append(delivery.pk)
        return connection


def _part_sizes(n: int, parts: int) -> list[int]:
    """`n` split into min(n, parts) sizes as even as can be: 5 in 4 parts is 2, 1, 1, 1."""
    size, more = divmod(n, parts)
    return [size + (i < more) for i in range(parts) if size + (i < more)]


def digests_record_batch(*, outcome: BatchOutcome) -> None:
    """Record, in one transaction, what a batch's sending did: the sent (as digest_record_sent
    does), the failed (their error, and failed for good after MAX_ATTEMPTS), and those released
    untried (their claim and the attempt it counted undone). Idempotent: run again (the first
    time the database went away), it changes nothing more. Failures and releases are written
    only while the batch's claim is still theirs."""
    now = timezone.now()
    with transaction.atomic():
        if outcome.sent:
            DigestDelivery.objects.filter(pk__in=outcome.sent).exclude(
                status=DigestDelivery.Status.SENT
            ).update(
                status=DigestDelivery.Status.SENT,
                sent_at=now,
                updated_at=now,
                last_error="",
                claimed_until=None,
                content=None,
            )
        ours = DigestDelivery.objects.filter(claimed_until=outcome.claimed_until)
        if outcome.failed:
            ours.bulk_update(
                [
                    DigestDelivery(
                        pk=pk, status=status, last_error=error, claimed_until=None, updated_at=now
                    )
                    for pk, (status, error) in outcome.failed.items()
                ],
                ["status", "last_error", "claimed_until", "updated_at"],
            )
        if outcome.released:
            ours.filter(pk__in=outcome.released).update(
                claimed_until=None, attempts=F("attempts") - 1
            )


def digests_send_batch(
    *,
    delivery_ids: list[int],
    now: datetime | None = None,
    budget: timedelta | None = None,
) -> BatchOutcome:
    """Send a batch of deliveries together: claim those that are free (see _claim_batch), build
    the digests of those claimed for the first time all at once, render and store their
    messages in STORE_PARTS parts (see _fix_contents), send every stored message over one SMTP
    connection, each part's while the next renders (see _Sender), and record each delivery's
    outcome (see digests_record_batch). A fixed number of statements however many deliveries
    there are. A failure is recorded on its delivery alone, for a later attempt; the others
    are sent. No send starts once `budget` (BATCH_SEND_BUDGET) has passed since the claim:
    the rest are released, for the caller to hand on. Should building or storing fail (the
    database went away), what was stored is still sent and recorded before the error is
    raised, and the rest released.

    The guarantees of one delivery's send hold for each: its message is fixed at its first
    claim, and the mail server's acceptance and the record that it was sent are one small
    transaction apart, after the batch. Should the database fail that transaction,
    BatchNotRecorded is raised for the caller to record it later without sending again.
    Should the worker die in between, the batch's deliveries are sent again once their claim
    lapses, those the server had accepted as the identical message, with the same Message-ID,
    which mail clients show once."""
    now = now or timezone.now()
    deadline = time.monotonic() + (BATCH_SEND_BUDGET if budget is None else budget).total_seconds()
    ids = list(dict.fromkeys(delivery_ids))
    claimed = _claim_batch(ids, now)
    outcome = BatchOutcome(claimed_until=now + CLAIM_LEASE)
    claimed_ids = {d.pk for d in claimed}
    unclaimed = [pk for pk in ids if pk not in claimed_ids]
    if unclaimed:
        # Pending, of an active subscription, and not ours: another attempt has it (or is
        # claiming it right now). The rest are done, unsubscribed or gone.
        held = set(
            DigestDelivery.objects.filter(
                _of_active_subscriptions(), pk__in=unclaimed, status=DigestDelivery.Status.PENDING
            ).values_list("pk", flat=True)
        )
        outcome.held = [pk for pk in unclaimed if pk in held]
        outcome.skipped = [pk for pk in unclaimed if pk not in held]
    if not claimed:
        return outcome
    attempts = {d.pk: d.attempts for d in claimed}
    sender = _Sender(deadline)
    sender.start()
    failure = None
    new: list[DigestDelivery] = []
    try:
        # Those whose message is stored (claimed before) go at once; the others are built
        # together, then rendered and stored in a few parts, each sent while the next renders.
        sender.put([d for d in claimed if d.content is not None])
        new = [d for d in claimed if d.content is None]
        if new:
            digests = build_digests(new, period_end=now)
            shared: dict = {}
            for size in _part_sizes(len(new), STORE_PARTS):
                part = new[:size]
                if sender.out_of_time or sender.crash is not None:
                    break
                empty = set(_fix_contents(part, digests, now, shared))
                outcome.empty += [d.pk for d in part if d.pk in empty]
                sender.put([d for d in part if d.pk not in empty])
                new = new[size:]
    except Exception as exc:
        failure = exc  # what was handed over is still sent, and recorded, before it is raised
    except BaseException:
        sender.stop()
        raise
    # Not rendered, or not stored (the time was up, or storing failed): released with nothing
    # stored, for another attempt to build.
    outcome.released += [d.pk for d in new]
    sender.finish()
    if sender.crash is not None:
        raise sender.crash
    outcome.sent = sender.sent
    outcome.released += sender.unsent
    for pk, exc in sender.failed.items():
        given_up = attempts[pk] >= MAX_ATTEMPTS
        status = DigestDelivery.Status.FAILED if given_up else DigestDelivery.Status.PENDING
        outcome.failed[pk] = (str(status), f"{type(exc).__name__}: {exc}"[:2000])
        outcome.exceptions[pk] = exc
    if outcome.sent or outcome.failed or outcome.released:
        try:
            digests_record_batch(outcome=outcome)
        except DatabaseError as exc:
            raise BatchNotRecorded(outcome) from exc
    if failure is not None:
        raise failure
    return outcome


def digest_send(*, delivery_id: int, now: datetime | None = None) -> str:
    """Send one delivery: a batch of one (see digests_send_batch). Returns its new status;
    "held" when another attempt holds its claim (the caller tries again once the claim has
    lapsed: that attempt may have died); "skipped" when it is done already, its subscription
    is inactive, or it is gone. A failed send raises (for the task to retry) after recording
    it. Should the database fail to record a message the mail server accepted,
    SentNotRecorded is raised for the caller to record it later without sending again."""
    try:
        outcome = digests_send_batch(delivery_ids=[delivery_id], now=now)
    except BatchNotRecorded as exc:
        if delivery_id in exc.outcome.sent:
            raise SentNotRecorded(delivery_id) from exc
        raise exc.__cause__ from None  # a failure not recorded: the database's error
    if delivery_id in outcome.exceptions:
        raise outcome.exceptions[delivery_id]
    return outcome.status_of(delivery_id)


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
    """Create the due deliveries of `frequency` (only `email`'s, when given) and send them now,
    in batches of BATCH_SIZE; a failure is recorded on its delivery (and retried by the
    sweeper like any other) and reported here, and the others are still sent. A batch whose
    time ran out hands the rest to the next.

    Idempotent as the scheduled sending is: a second call finds the period just sent done and
    starts a new one from its end, which holds nothing new unless something happened since
    (recorded as empty, no email); two calls at once share one delivery, which one sends."""
    outcomes: dict[int, SendOutcome] = {}
    queue = digests_create_due(frequency=frequency, email=email)
    while queue:
        batch, queue = queue[:BATCH_SIZE], queue[BATCH_SIZE:]
        done = digests_send_batch(delivery_ids=batch)
        for pk in batch:
            status = done.status_of(pk)
            error = done.failed[pk][1] if pk in done.failed else ""
            outcomes[pk] = SendOutcome(delivery_id=pk, status=status, error=error)
        queue = done.released + queue
    return list(outcomes.values())


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
    unsubscribed: int = 0  # of inactive subscriptions or suppressed addresses: never sent
    done: int = 0  # sent or empty: a digest is never sent twice
    sending: int = 0  # claimed by a worker sending it right now: left to that worker


def deliveries_resend(*, deliveries: QuerySet[DigestDelivery]) -> ResendOutcome:
    """Put failed (or stuck) deliveries of active subscriptions back in the queue; sent ones
    are sent again only as a new period. Says which were queued and why the others were not."""
    now = timezone.now()
    outcome = ResendOutcome()
    rows = list(
        deliveries.order_by().values_list(
            "pk", "status", "claimed_until", "subscription__active", "subscription__email"
        )
    )
    suppressed = set(
        SuppressedAddress.objects.in_force()
        .filter(email__in={row[4] for row in rows})
        .values_list("email", flat=True)
    )
    for pk, status, claimed_until, active, email in rows:
        if not active or email in suppressed:
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
