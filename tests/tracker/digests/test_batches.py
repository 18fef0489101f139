"""Digests sent in batches: one claim, one build and one SMTP connection for many deliveries,
through a real SMTP server (aiosmtpd on loopback), with every guarantee of one delivery's send:
the message fixed at the first claim, a resend identical byte for byte, a refusal recorded on
its delivery alone, and nothing lost when the worker dies mid-batch."""

import datetime
import email
import threading
from email import policy

import pytest
from celery.exceptions import Retry
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from tests.concurrency import at_once
from tests.faults.processes import free_port
from tests.tracker.digests.conftest import START, mention, subscribe
from tracker import tasks
from tracker.cases.services import case_event_record
from tracker.digests import sending
from tracker.digests.sending import (
    CLAIM_LEASE,
    MAX_ATTEMPTS,
    BatchOutcome,
    digests_create_due,
    digests_send_batch,
)
from tracker.models import DigestDelivery, Subscription

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
SECOND = datetime.timedelta(seconds=1)


class WorkerKilled(BaseException):
    """The worker dies: nothing after this line of our code runs (not even `except
    Exception`)."""


class DiesAfterTwo(SMTPBackend):
    """Django's SMTP backend, but the worker dies once the mail server has accepted two
    messages, before the batch records them."""

    accepted = 0

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        DiesAfterTwo.accepted += sent
        if DiesAfterTwo.accepted == 2:
            raise WorkerKilled
        return sent


class SMTPServer:
    """aiosmtpd on a free loopback port, in a thread: it records each message as it arrived
    (the DATA bytes and the envelope's recipients), counts the connections (one EHLO each),
    and answers a RCPT TO listed in `refuse` with the code given (550: never; 451: later)."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.received: list[tuple[list[str], bytes]] = []
        self.connections = 0
        self.refuse: dict[str, str] = {}
        self._lock = threading.Lock()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self._lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.received.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[bytes]:
        """The messages that reached `address`, each as its bytes."""
        return [data for rcpt_tos, data in self.received if address in rcpt_tos]


@pytest.fixture
def smtp(settings):
    """A real SMTP server, and Django's SMTP backend pointed at it (no TLS, no login)."""
    server = SMTPServer()
    server._controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 10
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield server
    finally:
        server._controller.stop()


def _due(clock, people, n: int) -> list[int]:
    """n subscribers of Liu Xia, each with her news of the day (a mention, an event): the ids
    of their due deliveries, in the subscribers' order."""
    clock.move_to(START)
    for i in range(n):
        subscribe(f"ally{i}@example.org", persons=[people["liu"]], include_unreviewed=True)
    clock.move_to(START + HOUR)
    mention(people["liu"], title="Liu Xia's appeal heard")
    case_event_record(person=people["liu"], date=datetime.date(2026, 3, 1), kind="hearing")
    clock.move_to(START + DAY)
    return digests_create_due(frequency="daily")


def _parsed(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=policy.default)


def _as_stored(content: dict) -> tuple:
    return (
        content["headers"]["Message-ID"],
        content["headers"]["Date"],
        content["subject"],
        content["text"],
        content["html"],
    )


def _as_received(data: bytes) -> tuple:
    """As _as_stored, from the bytes the server received (whose lines end in CRLF)."""
    message = _parsed(data)
    return (
        message["Message-ID"],
        message["Date"],
        message["Subject"],
        message.get_body(("plain",)).get_content().replace("\r\n", "\n"),
        message.get_body(("html",)).get_content().replace("\r\n", "\n"),
    )


def test_a_batch_sends_each_subscriber_one_message_over_one_connection_as_stored(
    clock, people, smtp, settings
):
    ids = _due(clock, people, 5)
    # A first attempt while the mail server cannot be reached fixes every message.
    settings.EMAIL_PORT = free_port()
    outcome = digests_send_batch(delivery_ids=ids)
    assert sorted(outcome.failed) == ids and outcome.sent == []
    stored = {d.pk: d.content for d in DigestDelivery.objects.filter(pk__in=ids)}
    assert all(content is not None for content in stored.values())
    clock.move_to(START + DAY + HOUR)
    mention(people["liu"], title="Too late for this digest")

    settings.EMAIL_PORT = smtp.port
    outcome = digests_send_batch(delivery_ids=ids)

    assert outcome.sent == ids and outcome.failed == {}
    assert smtp.connections == 1
    for i, pk in enumerate(ids):
        (received,) = smtp.to(f"ally{i}@example.org")
        assert _as_received(received) == _as_stored(stored[pk])
        assert "Liu Xia's appeal heard" in stored[pk]["text"]
        assert "Too late" not in stored[pk]["text"]
    for delivery in DigestDelivery.objects.filter(pk__in=ids):
        assert (delivery.status, delivery.attempts, delivery.content) == ("sent", 2, None)
        assert [m.news_item.title for m in delivery.mentions.all()] == ["Liu Xia's appeal heard"]
        assert delivery.events.count() == 1
    # Running it again sends nothing more.
    assert digests_send_batch(delivery_ids=ids).skipped == ids
    assert len(smtp.received) == 5


def test_a_batch_costs_the_same_queries_for_5_or_50_deliveries(clock, people, smtp):
    def send(n: int) -> int:
        Subscription.objects.all().delete()
        ids = _due(clock, people, n)
        with CaptureQueriesContext(connection) as queries:
            outcome = digests_send_batch(delivery_ids=ids)
        assert len(outcome.sent) == n
        return len(queries)

    assert send(5) == send(50)
    assert len(smtp.received) == 55


def test_a_resend_of_a_claimed_delivery_is_the_same_message_byte_for_byte(
    clock, people, smtp, settings
):
    ids = _due(clock, people, 3)
    DiesAfterTwo.accepted = 0
    settings.EMAIL_BACKEND = f"{__name__}.DiesAfterTwo"
    with pytest.raises(WorkerKilled):
        digests_send_batch(delivery_ids=ids)
    assert len(smtp.received) == 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    clock.move_to(START + DAY + CLAIM_LEASE + SECOND)
    mention(people["liu"], title="News after the crash")

    outcome = digests_send_batch(delivery_ids=ids)

    assert outcome.sent == ids
    first, resent = smtp.to("ally0@example.org")
    assert resent == first  # the whole message, headers and MIME boundaries included
    assert b"News after the crash" not in resent
    assert len(smtp.to("ally1@example.org")) == 2
    assert len(smtp.to("ally2@example.org")) == 1


@pytest.mark.parametrize("refusal", ["550 5.1.1 No such mailbox", "451 4.3.0 Try again later"])
def test_a_recipient_the_server_refuses_is_recorded_on_that_delivery_alone(
    clock, people, smtp, refusal
):
    ids = _due(clock, people, 4)
    smtp.refuse["ally2@example.org"] = refusal

    outcome = digests_send_batch(delivery_ids=ids)

    refused = ids[2]
    assert outcome.sent == [ids[0], ids[1], ids[3]]
    assert list(outcome.failed) == [refused] and outcome.to_retry == [refused]
    assert smtp.connections == 1  # the refusal left the connection to the next message
    assert [len(smtp.to(f"ally{i}@example.org")) for i in range(4)] == [1, 1, 0, 1]
    delivery = DigestDelivery.objects.get(pk=refused)
    assert (delivery.status, delivery.attempts, delivery.claimed_until) == ("pending", 1, None)
    assert "SMTPRecipientsRefused" in delivery.last_error
    assert refusal.split()[0] in delivery.last_error
    assert delivery.content is not None  # the next attempt sends this
    others = DigestDelivery.objects.exclude(pk=refused)
    assert set(others.values_list("status", "last_error")) == {("sent", "")}

    # Tried again (its task retries it), it is sent once the server takes it.
    del smtp.refuse["ally2@example.org"]
    assert digests_send_batch(delivery_ids=ids).sent == [refused]
    assert len(smtp.to("ally2@example.org")) == 1
    assert len(smtp.received) == 4


def test_a_recipient_refused_every_time_fails_for_good_after_the_last_attempt(clock, people, smtp):
    ids = _due(clock, people, 2)
    smtp.refuse["ally0@example.org"] = "550 5.1.1 No such mailbox"
    for attempt in range(1, MAX_ATTEMPTS + 1):
        outcome = digests_send_batch(delivery_ids=ids)
        assert list(outcome.failed) == [ids[0]]
        assert outcome.to_retry == ([ids[0]] if attempt < MAX_ATTEMPTS else [])
    delivery = DigestDelivery.objects.get(pk=ids[0])
    assert (delivery.status, delivery.attempts) == ("failed", MAX_ATTEMPTS)
    assert len(smtp.to("ally1@example.org")) == 1


def test_a_worker_dying_mid_batch_loses_no_digest_and_resends_only_identically(
    clock, people, smtp, monkeypatch
):
    ids = _due(clock, people, 6)
    sends = []
    send = sending._Sender._send

    def dies_after_three(self, connection_, delivery):
        if len(sends) == 3:
            raise WorkerKilled  # between the mail server's acceptance and the record
        sends.append(delivery.pk)
        return send(self, connection_, delivery)

    monkeypatch.setattr(sending._Sender, "_send", dies_after_three)
    with pytest.raises(WorkerKilled):
        digests_send_batch(delivery_ids=ids)
    monkeypatch.undo()
    assert len(smtp.received) == 3
    # Nothing was recorded: every delivery is still pending, held by the dead batch's claim;
    # the messages sent were stored before.
    deliveries = DigestDelivery.objects.filter(pk__in=ids)
    assert {d.status for d in deliveries} == {"pending"}
    assert all(d.content is not None for d in deliveries if d.pk in sends)
    assert digests_send_batch(delivery_ids=ids).held == ids  # until the claim lapses

    clock.move_to(START + DAY + CLAIM_LEASE + SECOND)
    assert digests_send_batch(delivery_ids=ids).sent == ids

    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {"sent"}
    for i in range(6):
        copies = smtp.to(f"ally{i}@example.org")
        assert len(copies) == (2 if i < 3 else 1)
        assert len(set(copies)) == 1  # a second copy is the same message, byte for byte


def test_the_batch_task_retries_only_the_refused_and_records_what_the_database_missed(
    clock, people, smtp
):
    ids = _due(clock, people, 3)
    smtp.refuse["ally1@example.org"] = "451 4.3.0 Try again later"
    with pytest.raises(Retry) as retry:
        tasks.send_digest_batch.apply(args=[ids], throw=True)
    assert retry.value.sig.args == ([ids[1]],)
    assert 48 <= retry.value.when <= 72  # a minute, jittered
    assert len(smtp.received) == 2

    # The mail server takes it now, and the database goes away as the batch records it.
    del smtp.refuse["ally1@example.org"]
    refused = []

    def database_gone_after_the_send(execute, sql, params, many, context):
        if len(smtp.received) == 3 and len(refused) < 2 and sql.startswith("UPDATE"):
            refused.append(sql)
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(database_gone_after_the_send):
        result = tasks.send_digest_batch.apply(args=[[ids[1]]])  # eager: retries run at once
    assert result.result == {"sent": 1}
    assert len(refused) == 2  # the record was tried again, refused again, then made
    assert len(smtp.to("ally1@example.org")) == 1  # and the message was not sent again
    assert set(DigestDelivery.objects.values_list("status", "claimed_until")) == {("sent", None)}


def test_an_outcome_not_recorded_is_recorded_later_from_its_json(clock, people, smtp, monkeypatch):
    ids = _due(clock, people, 2)
    smtp.refuse["ally1@example.org"] = "550 5.1.1 No such mailbox"
    recorded = []

    def database_gone(*, outcome):
        recorded.append(outcome.as_record())
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(sending, "digests_record_batch", database_gone)
    with pytest.raises(sending.BatchNotRecorded) as not_recorded:
        digests_send_batch(delivery_ids=ids)
    monkeypatch.undo()
    assert not_recorded.value.outcome.sent == [ids[0]]
    (record,) = recorded

    sending.digests_record_batch(outcome=BatchOutcome.from_record(record))
    sending.digests_record_batch(outcome=BatchOutcome.from_record(record))  # harmless twice
    sent, refused = DigestDelivery.objects.get(pk=ids[0]), DigestDelivery.objects.get(pk=ids[1])
    assert (sent.status, sent.claimed_until, sent.content) == ("sent", None, None)
    assert (refused.status, refused.attempts, refused.claimed_until) == ("pending", 1, None)
    assert "550" in refused.last_error
    assert len(smtp.received) == 1


def test_a_batch_out_of_time_hands_the_rest_on_untried(clock, people, smtp):
    ids = _due(clock, people, 8)
    outcome = digests_send_batch(delivery_ids=ids, budget=datetime.timedelta(0))
    # The first message always goes; the parts not rendered yet, and those rendered but not
    # sent, are released with their attempt undone.
    assert outcome.sent == ids[:1]
    assert sorted(outcome.released) == ids[1:]
    released = DigestDelivery.objects.filter(pk__in=ids[1:])
    assert {(d.status, d.attempts, d.claimed_until) for d in released} == {("pending", 0, None)}
    assert digests_send_batch(delivery_ids=outcome.released).sent == ids[1:]
    assert all(len(smtp.to(f"ally{i}@example.org")) == 1 for i in range(8))


def test_the_scheduler_and_the_sweeper_queue_batches(clock, people, monkeypatch):
    ids = _due(clock, people, 5)
    monkeypatch.setattr(tasks, "BATCH_SIZE", 2)
    queued = []
    monkeypatch.setattr(tasks.send_digest_batch, "delay", queued.append)
    assert tasks.send_due_digests.apply(args=["daily"]).result == ids
    assert queued == [ids[0:2], ids[2:4], ids[4:]]

    queued.clear()
    clock.move_to(START + DAY + sending.REQUEUE_AFTER + SECOND)
    assert tasks.sweep.apply().result == ids
    assert queued == [ids[0:2], ids[2:4], ids[4:]]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
def test_two_batches_of_the_same_deliveries_at_once_send_each_one_message(people, smtp):
    for i in range(20):
        subscribe(f"ally{i}@example.org", persons=[people["liu"]], include_unreviewed=True)
    mention(people["liu"])
    ids = digests_create_due(frequency="daily")

    first, second = at_once(
        lambda: digests_send_batch(delivery_ids=ids), lambda: digests_send_batch(delivery_ids=ids)
    )

    assert sorted(first.sent + second.sent) == ids
    assert sorted(first.held + second.held + first.skipped + second.skipped) == ids
    assert all(len(smtp.to(f"ally{i}@example.org")) == 1 for i in range(20))
