"""Benchmark: email digests for 10,000 subscriptions over 1,000 cases.

Seeds a throwaway database (SQLite by default; `--database-url postgres://...` for
PostgreSQL) with 1,000 watched cases in 50 campaigns, 10,000 daily subscriptions (each
following one or two campaigns and up to three cases), and a day of news: mentions (some
dismissed, some confirmed) and case events. Then, with Django's in-memory (locmem) email
backend:

1. builds every digest of the period in one go (`build_digests`): time and queries, which do
   not depend on the number of subscriptions;
2. creates the deliveries and sends each one through `digest_send`, as the Celery task does
   (claim, build, render, send, record): messages per second and total queries.

Run: .venv/bin/python bench/digests.py [--subscriptions N] [--database-url URL]
"""

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from throwaway import add_database_argument, throwaway_database  # noqa: E402 (bench/ is on sys.path as the script folder)

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


def run(args) -> None:
    import django

    django.setup()
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    from tracker.digests.content import build_digests
    from tracker.digests.sending import digest_send, digests_create_due
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
        override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
        time_machine.travel(end, tick=False),
        connection.execute_wrapper(count),
    ):
        mail.outbox = []
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

        counted[0] = 0
        began = time.perf_counter()
        statuses: dict[str, int] = {}
        for pk in ids:
            status = digest_send(delivery_id=pk)
            statuses[str(status)] = statuses.get(str(status), 0) + 1
        took = time.perf_counter() - began
        queries = counted[0]
        sent = len(mail.outbox)
        print(f"send one by one (as the tasks do): {sent} messages in {took:.1f} s = "
              f"{sent / took:.0f} messages/s; {statuses}; {queries} queries in all "
              f"({queries / len(ids):.1f} a delivery)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=10_000)
    add_database_argument(parser)
    args = parser.parse_args()
    with throwaway_database(args.database_url) as database_url:
        print(f"database: {database_url.split('://')[0]}")
        run(args)


if __name__ == "__main__":
    main()
