"""Digests under crashes and outages: a resend is the identical message, a delivery held by a
dead attempt is sent once its claim lapses, and the sweeper queues what lost its task."""

import datetime
import re

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import OperationalError, connection

from tests.tracker.digests.conftest import START, mention, subscribe
from tracker import tasks
from tracker.digests.sending import (
    CLAIM_LEASE,
    REQUEUE_AFTER,
    deliveries_to_requeue,
    digest_send,
    digests_create_due,
)
from tracker.digests.unsubscribe import subscription_unsubscribe
from tracker.models import DigestDelivery, Subscription

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
SECOND = datetime.timedelta(seconds=1)


class WorkerKilled(BaseException):
    """The worker dies: nothing after this line of our code runs (not even `except
    Exception`)."""


class AcceptedThenKilled(BaseEmailBackend):
    """The mail server accepts the message; the worker is killed before it records that."""

    def send_messages(self, messages):
        mail.outbox.extend(messages)
        raise WorkerKilled


def _one_due_delivery(clock, people, **kw) -> int:
    subscribe(persons=[people["liu"]], include_unreviewed=True, **kw)
    clock.move_to(START + HOUR)
    mention(people["liu"], title="First story")
    clock.move_to(START + DAY)
    (pk,) = digests_create_due(frequency="daily")
    return pk


def _as_received(message) -> tuple:
    """What the recipient's mail client compares: every header but the MIME boundaries, and
    both parts."""
    return (
        message.subject,
        message.from_email,
        message.to,
        message.extra_headers,
        message.body,
        message.alternatives,
    )


def test_a_digest_resent_after_a_crash_is_the_identical_message(clock, people, settings):
    pk = _one_due_delivery(clock, people)
    settings.EMAIL_BACKEND = f"{__name__}.AcceptedThenKilled"
    with pytest.raises(WorkerKilled):
        digest_send(delivery_id=pk)
    # More news arrives before the delivery is tried again.
    clock.move_to(START + DAY + CLAIM_LEASE / 2)
    mention(people["liu"], title="Second story")

    assert digest_send(delivery_id=pk) == "held"  # the dead attempt's claim has not lapsed
    clock.move_to(START + DAY + CLAIM_LEASE + SECOND)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert digest_send(delivery_id=pk) == "sent"

    first, again = mail.outbox
    assert _as_received(again) == _as_received(first)
    delivery = DigestDelivery.objects.get(pk=pk)
    # Its own Message-ID, random, made at the first claim and stored: the same on the resend.
    assert again.extra_headers["Message-ID"] == first.extra_headers["Message-ID"]
    assert again.extra_headers["Message-ID"] == delivery.message_id
    assert re.fullmatch(r"<digest-[0-9a-f]{32}@127\.0\.0\.1>", delivery.message_id)
    assert "Second story" not in again.body
    assert [m.news_item.title for m in delivery.mentions.all()] == ["First story"]
    # The second story is in the next digest, which starts where this one ended.
    clock.move_to(START + 2 * DAY)
    (next_pk,) = digests_create_due(frequency="daily")
    assert digest_send(delivery_id=next_pk) == "sent"
    assert "Second story" in mail.outbox[2].body and "First story" not in mail.outbox[2].body


def test_a_failed_send_is_retried_with_the_message_built_the_first_time(clock, people, settings):
    pk = _one_due_delivery(clock, people)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    with pytest.raises(OSError):
        digest_send(delivery_id=pk)
    built = DigestDelivery.objects.get(pk=pk).content
    clock.move_to(START + DAY + HOUR)
    mention(people["liu"], title="Second story")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    assert digest_send(delivery_id=pk) == "sent"

    (sent,) = mail.outbox
    assert sent.subject == built["subject"] == "Vigil daily digest: 1 new mention (1 case)"
    assert sent.extra_headers["Date"] == built["headers"]["Date"]
    assert "Second story" not in sent.body
    # Sent: the stored copy is no longer needed (a sent digest is never sent again).
    delivery = DigestDelivery.objects.get(pk=pk)
    assert (delivery.status, delivery.content) == ("sent", None)
    assert delivery.mentions.count() == 1


def test_a_delivery_held_by_a_dead_attempt_is_sent_once_the_claim_lapses_not_skipped(
    clock, people, settings
):
    pk = _one_due_delivery(clock, people)
    settings.EMAIL_BACKEND = f"{__name__}.AcceptedThenKilled"
    with pytest.raises(WorkerKilled):
        digest_send(delivery_id=pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()

    # The broker redelivers the dead worker's task at once: it must come back once the claim
    # has lapsed, not end as "skipped" and leave the delivery pending.
    with pytest.raises(Retry) as retry:
        tasks.send_digest.apply(args=[pk], throw=True)
    assert retry.value.when >= CLAIM_LEASE.total_seconds()
    assert mail.outbox == []
    assert DigestDelivery.objects.get(pk=pk).status == "pending"

    clock.move_to(START + DAY + CLAIM_LEASE + SECOND)
    assert tasks.send_digest.apply(args=[pk]).result == "sent"
    assert len(mail.outbox) == 1


def test_the_sweeper_queues_again_a_pending_delivery_whose_task_was_lost(clock, people):
    pk = _one_due_delivery(clock, people)
    tasks.send_due_digests.apply(args=["daily"])  # queued now; the worker then loses it
    assert deliveries_to_requeue() == []  # waiting its turn in the queue: left alone

    clock.move_to(START + DAY + REQUEUE_AFTER + SECOND)
    assert tasks.sweep.apply().result == [pk]
    assert deliveries_to_requeue() == []  # queued again just now

    assert digest_send(delivery_id=pk) == "sent"
    clock.move_to(START + 2 * DAY)
    assert deliveries_to_requeue() == []  # sent: nothing to sweep


def test_the_sweeper_leaves_held_unsubscribed_and_finished_deliveries_alone(clock, people):
    for address in ("held@example.org", "gone@example.org", "done@example.org", "lost@example.org"):
        subscribe(address, persons=[people["liu"]], include_unreviewed=True)
    clock.move_to(START + HOUR)
    mention(people["liu"])
    clock.move_to(START + DAY)
    by_address = {
        d.subscription.email: d.pk
        for d in DigestDelivery.objects.filter(pk__in=digests_create_due(frequency="daily"))
    }
    DigestDelivery.objects.filter(pk=by_address["held@example.org"]).update(
        claimed_until=START + DAY + REQUEUE_AFTER + HOUR
    )
    subscription_unsubscribe(subscription=Subscription.objects.get(email="gone@example.org"))
    assert digest_send(delivery_id=by_address["done@example.org"]) == "sent"
    clock.move_to(START + DAY + REQUEUE_AFTER + SECOND)

    # Only the delivery nobody holds, still pending, of an active subscription.
    assert deliveries_to_requeue() == [by_address["lost@example.org"]]


@pytest.mark.django_db(transaction=True)  # as a worker runs: no test transaction around it
def test_a_database_blip_mid_send_is_retried_by_the_task_not_lost(clock, people):
    pk = _one_due_delivery(clock, people)
    refused = []

    def database_restarting(execute, sql, params, many, context):
        # The first reads and writes of deliveries meet a server that is going away.
        if len(refused) < 3 and "tracker_digestdelivery" in sql:
            refused.append(sql)
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with pytest.raises(Retry) as retry, connection.execute_wrapper(database_restarting):
        tasks.send_digest.apply(args=[pk], throw=True)
    assert 4 <= retry.value.when <= 6  # 5 s, jittered: then longer, up to a minute
    assert len(refused) == 1
    with connection.execute_wrapper(database_restarting):
        result = tasks.send_digest.apply(args=[pk])  # eager: its retries run at once
    assert len(refused) == 3
    assert result.result == "sent"
    assert len(mail.outbox) == 1
    assert DigestDelivery.objects.get(pk=pk).status == "sent"


def test_every_task_rides_out_a_restart_of_a_few_minutes():
    waits = [min(60, 5 * 2**n) for n in range(tasks.TRANSIENT_RETRIES)]
    assert sum(w * 0.8 for w in waits) >= 5 * 60  # even with the shortest jitter
    for task in (
        tasks.poll_due_sources,
        tasks.poll_source,
        tasks.send_due_digests,
        tasks.send_digest,
        tasks.send_digest_batch,
        tasks.sweep,
    ):
        assert task.max_retries >= tasks.TRANSIENT_RETRIES


@pytest.mark.django_db(transaction=True)  # as a worker runs: no test transaction around it
def test_a_digest_the_mail_server_accepted_while_the_database_went_away_is_recorded_not_resent(
    clock, people
):
    pk = _one_due_delivery(clock, people)
    refused = []

    def database_gone_after_the_send(execute, sql, params, many, context):
        # The mail server has the message; the update recording it meets a server going away.
        if mail.outbox and len(refused) < 2 and sql.startswith("UPDATE"):
            refused.append(sql)
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(database_gone_after_the_send):
        result = tasks.send_digest.apply(args=[pk])  # eager: its retries run at once
    assert result.result == "sent"
    assert len(refused) == 2  # the record was tried again, once more refused, then made
    assert len(mail.outbox) == 1  # and the message was not sent again
    delivery = DigestDelivery.objects.get(pk=pk)
    assert (delivery.status, delivery.claimed_until) == ("sent", None)
