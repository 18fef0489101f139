"""The fault tests' hands in the private database: run as a subprocess with the workers'
environment (`python -m tests.faults.driver COMMAND ...`), it seeds what a scenario needs and
reports the end state as JSON on its last line of output.

    seed-digests N          N daily subscriptions, each following a case with news since
    seed-feeds URL N        N feed sources at URL/feed/<i>.xml, due now, no pause between requests
    digests [TIMEOUT]       the deliveries, once none is pending (waiting up to TIMEOUT s)
    sources [TIMEOUT]       the sources, once every one has been polled ok (up to TIMEOUT s)
"""

import json
import sys
import time

import django


def seed_digests(n: int) -> dict:
    from django.utils import timezone

    from tracker.models import CaseEvent, DetainedPerson, Mention, NewsItem, Subscription

    people = DetainedPerson.objects.bulk_create(
        # Public cases: their news reaches the outside subscribers (quiet ones would not).
        DetainedPerson(name=f"Fault Case {i}", watch_enabled=True, publicity="public")
        for i in range(n)
    )
    subscriptions = Subscription.objects.bulk_create(
        Subscription(email=f"ally{i}@example.org", frequency="daily", include_unreviewed=True)
        for i in range(n)
    )
    Follows = Subscription.persons.through
    Follows.objects.bulk_create(
        Follows(subscription_id=s.pk, detainedperson_id=p.pk)
        for s, p in zip(subscriptions, people, strict=True)
    )
    time.sleep(0.01)  # the news comes after the subscriptions: their first digest lists it
    now = timezone.now()
    items = NewsItem.objects.bulk_create(
        NewsItem(url=f"https://news.example.org/{i}", title=f"Story {i}", publisher="Example",
                 published_at=now)
        for i in range(n)
    )  # fmt: skip
    Mention.objects.bulk_create(
        Mention(news_item=item, person=person, matched_terms=[person.name])
        for item, person in zip(items, people, strict=True)
    )
    CaseEvent.objects.bulk_create(
        CaseEvent(person=person, date=now.date(), kind="hearing") for person in people
    )
    return {"subscriptions": n}


def seed_feeds(url: str, n: int) -> dict:
    from django.utils import timezone

    from tracker.models import NewsSource

    now = timezone.now()
    NewsSource.objects.bulk_create(
        NewsSource(name=f"Feed {i}", kind=NewsSource.Kind.FEED, url=f"{url}/feed/{i}.xml",
                   min_interval_seconds=0, poll_interval_minutes=60, next_poll_at=now)
        for i in range(n)
    )  # fmt: skip
    return {"sources": n}


def _ride_out(read, done, timeout: float):
    """`read()` until `done(result)` or `timeout`; the database may be restarting meanwhile."""
    from django.db import DatabaseError, connection

    deadline = time.monotonic() + timeout
    result = None
    while time.monotonic() < deadline:
        try:
            result = read()
            if done(result):
                break
        except DatabaseError:
            connection.close()
        time.sleep(0.5)
    return result


def digests(timeout: float) -> dict:
    from tracker.models import DigestDelivery

    def read() -> list[dict]:
        return list(
            DigestDelivery.objects.order_by("pk").values(
                "pk", "status", "message_id", "attempts", "claimed_until", "last_error"
            )
        )

    def done(rows: list[dict]) -> bool:
        return bool(rows) and all(r["status"] in ("sent", "empty", "failed") for r in rows)

    rows = _ride_out(read, done, timeout) or []
    return {"deliveries": rows}


def sources(timeout: float) -> dict:
    from django.utils import timezone

    from tracker.models import NewsItem, NewsSource

    def read() -> list[dict]:
        return list(
            NewsSource.objects.order_by("pk").values(
                "pk", "last_status", "last_polled_at", "next_poll_at", "last_error"
            )
        )

    def done(rows: list[dict]) -> bool:
        return bool(rows) and all(r["last_status"] == "ok" for r in rows)

    rows = _ride_out(read, done, timeout) or []
    Link = NewsItem.sources.through
    return {
        "now": timezone.now(),
        "sources": rows,
        "items": NewsItem.objects.count(),
        "links": list(Link.objects.values_list("newsitem_id", "newssource_id")),
    }


def main(argv: list[str]) -> None:
    django.setup()
    command, *args = argv
    if command == "seed-digests":
        result = seed_digests(int(args[0]))
    elif command == "seed-feeds":
        result = seed_feeds(args[0], int(args[1]))
    elif command == "digests":
        result = digests(float(args[0]) if args else 0)
    elif command == "sources":
        result = sources(float(args[0]) if args else 0)
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
