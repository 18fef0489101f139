"""Benchmark: email digests for 10,000 subscriptions over 1,000 cases.

Seeds a throwaway database (SQLite by default; `--database-url postgres://...` for
PostgreSQL) with 1,000 watched cases (nine in ten public) in 50 campaigns, 10,000 daily
subscriptions (each following one or two campaigns and up to three cases), and a day of news:
mentions (some dismissed, some confirmed) and case events. It starts a real SMTP server
(aiosmtpd, in a process of its own, on a free loopback port) that accepts and counts every
message, and sends through Django's SMTP backend to it:

1. creates the day's deliveries and builds every digest of the period in one go
   (`build_digests`): time and queries, which do not depend on the number of subscriptions;
2. sends them all in batches of DIGEST_BATCH_SIZE through `digests_send_batch`, as the
   send_digest_batch tasks of one worker do (claim, build together, store, send over one
   connection, record): messages per second against the target of at least 200 a worker
   ("holds" or "FAILS"), and queries per delivery and per batch;
3. for comparison, sends a sample again from scratch one by one through `digest_send`, as
   the one-delivery task does (its own claim, build, connection and record).

Run: .venv/bin/python bench/digests.py [--subscriptions N] [--batch-size N] [--one-by-one N]
     [--database-url URL]
"""

import argparse
import multiprocessing
import os
import random
import socket
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from throwaway import add_database_argument, throwaway_database  # noqa: E402 (bench/ is on sys.path as the script folder)

TARGET = 200  # messages/s a worker, into a real SMTP server

NAMES = ["Wang", "Li", "Zhang", "Liu", "Chen", "Nguyen", "Tran", "Petrenko", "Aliyeva", "Masri"]
GIVEN = ["Fang", "Jian", "Yu", "Xia", "Minh", "Thu Ha", "Daria", "Gulnara", "Yasmin", "Lan"]


def seed(n_subscriptions: int, rng: random.Random, start: datetime) -> None:
    import time_machine

    from campaigns.models import Campaign
    from tracker.models import CaseEvent, DetainedPerson, Mention, NewsItem, Subscription

    with time_machine.travel(start, tick=False):
        people = []
        for i in range(1_000):
            person = DetainedPerson(
                name=f"{rng.choice(NAMES)} {rng.choice(GIVEN)} {i}",
                native_name=rng.choice(["", "刘霞", "王宇", "Дарья Петренко", "Trần Thị Thu Hà"]),
                # Most families consent to naming; a quiet case reaches staff digests only.
                publicity="quiet" if i % 10 == 0 else "public",
            )
            person.clean()
            people.append(person)
        people = DetainedPerson.objects.bulk_create(people)
        campaigns = Campaign.objects.bulk_create(
            Campaign(name=f"Campaign {i}", slug=f"campaign-{i}") for i in range(50)
        )
        Link = Campaign.detained_persons.through
        Link.objects.bulk_create(
            Link(campaign_id=campaigns[i % 50].pk, detainedperson_id=p.pk)
            for i, p in enumerate(people)
        )
        subs = Subscription.objects.bulk_create(
            Subscription(email=f"ally{i}@example.org", frequency="daily")
            for i in range(n_subscriptions)
        )
        SubCampaign, SubPerson = Subscription.campaigns.through, Subscription.persons.through
        SubCampaign.objects.bulk_create(
            SubCampaign(subscription_id=s.pk, campaign_id=c.pk)
            for s in subs
            for c in rng.sample(campaigns, rng.choice([1, 1, 2]))
        )
        SubPerson.objects.bulk_create(
            SubPerson(subscription_id=s.pk, detainedperson_id=p.pk)
            for s in subs
            for p in rng.sample(people, rng.choice([0, 1, 3]))
        )
    with time_machine.travel(start + timedelta(hours=6), tick=False):
        items = NewsItem.objects.bulk_create(
            NewsItem(url=f"https://news.example.org/{i}", title=f"Story {i}", publisher="Example")
            for i in range(3_000)
        )
        statuses = ["new"] * 6 + ["confirmed"] * 3 + ["dismissed"]
        Mention.objects.bulk_create(
            Mention(
                news_item=item,
                person=rng.choice(people),
                matched_terms=["name"],
                status=rng.choice(statuses),
            )
            for item in items
        )
        CaseEvent.objects.bulk_create(
            CaseEvent(
                person=rng.choice(people),
                date=start.date(),
                kind=rng.choice(["hearing", "sentenced"]),
            )
            for _ in range(500)
        )


def _serve_smtp(port: int, received, cpu, ready) -> None:
    """A real SMTP server (aiosmtpd) on 127.0.0.1:`port`, in a process of its own (as a mail
    relay is another machine): it accepts every message and counts them in `received`, and
    keeps its CPU time in `cpu`."""
    import signal

    from aiosmtpd.controller import Controller

    class Count:
        async def handle_DATA(self, server, session, envelope) -> str:
            with received.get_lock():
                received.value += 1
            cpu.value = time.process_time()
            return "250 Message accepted for delivery"

    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    signal.sigwait([signal.SIGTERM])
    controller.stop()


@contextmanager
def smtp_server():
    """(port, received messages) of a local SMTP server started for the run, stopped after."""
    context = multiprocessing.get_context("spawn")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    received, cpu, ready = context.Value("i", 0), context.Value("d", 0.0), context.Event()
    process = context.Process(target=_serve_smtp, args=(port, received, cpu, ready), daemon=True)
    process.start()
    try:
        if not ready.wait(30):
            sys.exit("the SMTP server did not start")
        yield port, received, cpu
    finally:
        process.terminate()
        process.join(10)


def run(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    from tracker.digests.content import build_digests
    from tracker.digests.sending import (
        BATCH_SIZE,
        digest_send,
        digests_create_due,
        digests_send_batch,
    )
    from tracker.models import DigestDelivery

    call_command("migrate", verbosity=0)
    start = datetime(2026, 3, 1, 7, tzinfo=UTC)
    began = time.perf_counter()
    seed(args.subscriptions, random.Random(7), start)
    print(f"seeded {args.subscriptions} subscriptions, 1000 cases, 3000 mentions, 500 events "
          f"in {time.perf_counter() - began:.1f} s")  # fmt: skip

    end = start + timedelta(days=1)
    import time_machine

    counted = [0]

    def count(execute, sql, params, many, context):
        counted[0] += 1
        return execute(sql, params, many, context)

    with (
        smtp_server() as (port, received, server_cpu),
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_TIMEOUT=30,
        ),
        time_machine.travel(end, tick=False),
        connection.execute_wrapper(count),
    ):
        print(f"mail: Django's SMTP backend to aiosmtpd on 127.0.0.1:{port} (its own process)")
        counted[0] = 0
        began = time.perf_counter()
        ids = digests_create_due(frequency="daily")
        took = time.perf_counter() - began
        print(f"make the {len(ids)} due deliveries: {took:.2f} s, {counted[0]} queries")
        deliveries = list(DigestDelivery.objects.filter(pk__in=ids))
        counted[0] = 0
        began = time.perf_counter()
        digests = build_digests(deliveries, period_end=end)
        took = time.perf_counter() - began
        queries = counted[0]
        nonempty = sum(not d.is_empty for d in digests.values())
        print(f"build all {len(digests)} digests at once: {took:.2f} s, {queries} queries "
              f"({nonempty} with news)")  # fmt: skip

        # The scheduled path: batches of DIGEST_BATCH_SIZE, one after the other, as one worker
        # process runs the send_digest_batch tasks.
        counted[0] = 0
        statuses: dict[str, int] = {}
        batches = 0
        queue = list(ids)
        load = os.getloadavg()[0]
        server_began = server_cpu.value
        cpu_began = time.process_time()
        began = time.perf_counter()
        while queue:
            batch, queue = queue[:BATCH_SIZE], queue[BATCH_SIZE:]
            outcome = digests_send_batch(delivery_ids=batch)
            batches += 1
            queue = outcome.released + queue
            for status, n in outcome.counts().items():
                if status != "released":
                    statuses[status] = statuses.get(status, 0) + n
        took = time.perf_counter() - began
        cpu = time.process_time() - cpu_began
        server = server_cpu.value - server_began
        queries = counted[0]
        sent = statuses.get("sent", 0)
        rate = sent / took
        verdict = "holds" if rate >= TARGET and received.value == sent else "FAILS"
        print(f"send in batches of {BATCH_SIZE} (send_digest_batch): {sent} messages in "
              f"{took:.1f} s = {rate:.0f} messages/s; {statuses}; the server received "
              f"{received.value}; {queries} queries in all ({queries / len(ids):.2f} a delivery, "
              f"{queries / batches:.0f} a batch, {batches} batches)")  # fmt: skip
        # On a shared machine the wall clock counts other work too: the CPU time this process
        # and the mail server took say what the code costs.
        after, cores = os.getloadavg()[0], os.cpu_count()
        print(f"  CPU: {cpu / sent * 1000:.1f} ms a message here ({sent / cpu:.0f} messages per "
              f"CPU-second), {server / sent * 1000:.1f} ms in the mail server; load average "
              f"{load:.1f} before, {after:.1f} after, on {cores} cores")  # fmt: skip
        print(f"target: at least {TARGET} messages/s a worker: {verdict}")

        # The old path for comparison: one delivery a task (send_digest), its own connection,
        # on a sample sent again from scratch (their stored messages dropped).
        sample = ids[: args.one_by_one]
        if not sample:
            return
        DigestDelivery.objects.filter(pk__in=sample).update(
            status="pending", content=None, message_id="", attempts=0, sent_at=None
        )
        DigestDelivery.mentions.through.objects.filter(digestdelivery_id__in=sample).delete()
        DigestDelivery.events.through.objects.filter(digestdelivery_id__in=sample).delete()
        before = received.value
        counted[0] = 0
        statuses = {}
        began = time.perf_counter()
        for pk in sample:
            status = digest_send(delivery_id=pk)
            statuses[str(status)] = statuses.get(str(status), 0) + 1
        took = time.perf_counter() - began
        queries = counted[0]
        sent = statuses.get("sent", 0)
        print(f"send one by one (send_digest), {len(sample)} of them: {sent} messages in "
              f"{took:.1f} s = {sent / took:.0f} messages/s; {statuses}; the server received "
              f"{received.value - before}; {queries} queries in all "
              f"({queries / len(sample):.1f} a delivery)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=10_000)
    parser.add_argument(
        "--batch-size", type=int, help="deliveries a batch (default: DIGEST_BATCH_SIZE's default)"
    )
    parser.add_argument(
        "--one-by-one",
        type=int,
        default=200,
        metavar="N",
        help="deliveries sent again one by one, as the old path did, for comparison (0: none)",
    )
    add_database_argument(parser)
    args = parser.parse_args()
    environment = {"DIGEST_BATCH_SIZE": str(args.batch_size)} if args.batch_size else {}
    with throwaway_database(args.database_url, **environment) as database_url:
        print(f"database: {database_url.split('://')[0]}")
        run(args)


if __name__ == "__main__":
    main()
