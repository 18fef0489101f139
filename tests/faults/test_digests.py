"""Digests under real faults: the database stopped in the middle of a day's sending, a whole
worker killed while the mail server holds its message. The end state a subscriber notices:
every digest arrives, none twice unless as the identical message (same Message-ID and Date,
which mail clients show once), nothing left pending."""

import time

import pytest

from tests.faults.processes import wait_until

pytestmark = pytest.mark.faults


def _assert_each_delivery_arrived_once_or_identically(deliveries, mail_server, expected: int):
    statuses = {d["status"] for d in deliveries}
    assert len(deliveries) == expected
    assert statuses == {"sent"}, [d for d in deliveries if d["status"] != "sent"][:5]
    copies = mail_server.by_message_id()
    assert set(copies) == {d["message_id"] for d in deliveries}  # one Message-ID each, all came
    for message_id, received in copies.items():
        assert len({mail.as_seen for mail in received}) == 1, f"{message_id} differs on resend"
    assert len({mail.to for mail in mail_server.received}) == expected
    return sum(len(received) - 1 for received in copies.values())


def test_every_digest_is_sent_once_when_the_database_stops_for_ten_seconds_mid_sending(
    postgres, driver, workers, mail_server, ticker, redis_server
):
    driver("seed-digests", 200)
    mail_server.delay = 0.02
    # A claim outlasts the outage: the attempt that was sending when the database went away
    # records its send afterwards, and no other attempt sends that digest meanwhile.
    # Batches of 100: both processes of the worker send one at once.
    worker = workers("a", DIGEST_CLAIM_LEASE_SECONDS="30", DIGEST_BATCH_SIZE="100")
    ticker.start("tracker.tasks.sweep", every=2)
    assert ticker.send("tracker.tasks.send_due_digests", "daily")

    wait_until(lambda: len(mail_server.received) >= 40, timeout=60, what="40 digests sent")
    # The worst moment: both processes of the worker have handed a digest to the mail server,
    # which holds its answer until the database is gone.
    mail_server.stall_next(2, seconds=20)
    wait_until(lambda: mail_server.stalling == 2, timeout=30, what="two sends in flight")
    postgres.stop("fast")
    mail_server.release()
    stopped_after = len(mail_server.received)
    time.sleep(10)
    postgres.start()

    deliveries = driver("digests", 120)["deliveries"]
    resent = _assert_each_delivery_arrived_once_or_identically(deliveries, mail_server, 200)
    assert resent == 0
    log = worker.log.read_text()
    print(f"database stopped after {stopped_after} digests; {log.count('will retry')} retries")
    # The two batches in flight: recorded afterwards, nothing sent again.
    assert log.count("will record, not resend") == 2


def test_a_digest_whose_worker_is_killed_while_the_mail_server_answers_is_resent_identically(
    driver, workers, mail_server, ticker
):
    driver("seed-digests", 3)
    mail_server.stall_next(1, seconds=60)
    worker = workers("a")
    assert ticker.send("tracker.tasks.send_due_digests", "daily")

    wait_until(lambda: len(mail_server.received) >= 1, timeout=30, what="a digest handed over")
    worker.kill()  # the mail server has the message; the worker never hears it was accepted
    killed_at = time.monotonic()
    workers("b")
    ticker.start("tracker.tasks.sweep", every=1)

    deliveries = driver("digests", 60)["deliveries"]
    _assert_each_delivery_arrived_once_or_identically(deliveries, mail_server, 3)
    held_by_the_dead_worker = mail_server.received[0].message_id
    assert len(mail_server.by_message_id()[held_by_the_dead_worker]) == 2
    print(f"all sent {time.monotonic() - killed_at:.1f} s after the kill")
