"""How fast one search for everything answers: GET /api/search/?q= at 10,000 cases and 100,000
news items (target: under 300 ms).

The script seeds a throwaway database with bench/api.py's 10,000 detained persons (names in
many scripts, aliases, campaigns, case events), 300 organisations, 1,000 people, 400 letters
with two or three recipients each, and 100,000 news items whose titles name those persons
(romanised or in their own script) or nothing in particular. It then times, through the whole
Django stack (middleware, token authentication, permissions, throttling, the selector,
serialization and JSON rendering, driven by django.test.Client with a superuser's token, who
searches every kind), a few queries:

- a romanised name of a seeded person, and the same person's name in Chinese characters;
- a word found in many news titles ("court") and a single Chinese character ("王");
- a miss (a word found nowhere).

Each is warmed up, then timed `--runs` times, taking turns; it prints each median, the
matches per kind, the queries per request, and whether the median is under 300 ms.

    .venv/bin/python bench/search.py                 # a temporary SQLite file
    .venv/bin/python bench/search.py --database-url postgres://postgres@127.0.0.1:5432/vigil_search_bench

With a PostgreSQL URL the script creates that database (it must not exist yet) and drops it at
the end. Absolute times depend on the machine and on what else it runs.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib import parse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api import seed as seed_persons  # noqa: E402 (bench/ is on sys.path as the script folder)
from throwaway import add_database_argument, throwaway_database  # noqa: E402

URL = "/api/search/"
TARGET_SECONDS = 0.3
WARMUP = 3
MISS = "Zzyzx"

EN_TITLES = [
    "{name} sentenced to {n} years after closed trial",
    "Court rejects appeal of {name}",
    "Family of {name} barred from visiting",
    "{name} transferred to a prison far from home",
    "Lawyers for {name} denied access for the {n}th time",
    "UN experts call for the release of {name}",
    "Health of detained activist {name} worsens, family says",
    "Supreme court hears the case of {name}",
]
ZH_TITLES = [
    "{native}案开庭",
    "{native}被判处{n}年有期徒刑",
    "{native}的家属要求会见",
    "{native}获释",
]
PLAIN_TITLES = [
    "Parliament debates new security law",
    "Human rights groups condemn crackdown on lawyers",
    "Court upholds ban on independent newspaper",
    "Election observers report irregularities",
    "Journalists detained while covering protests",
    "Government announces amnesty for {n} prisoners",
    "Trade talks resume amid human rights concerns",
    "人权律师遭到打压",
    "法院维持原判",
]


def seed_others(rng: random.Random, n_news: int) -> dict[str, int]:
    from django.db import transaction

    from campaigns.models import Campaign, Letter, Organization, Person
    from tracker.models import DetainedPerson, NewsItem

    persons = list(DetainedPerson.objects.values_list("name", "native_name"))
    with transaction.atomic():
        organizations = Organization.objects.bulk_create(
            Organization(name=f"{rng.choice(['Friends', 'Committee', 'Network'])} {i}")
            for i in range(300)
        )
        people = Person.objects.bulk_create(
            Person(
                full_name=f"{rng.choice(['Anna', 'Omar', 'Li', 'Maria', 'John'])} Official{i}",
                title=rng.choice(["Minister", "Ambassador", "Senator", "Rapporteur"]),
                organization=rng.choice(organizations),
            )
            for i in range(1000)
        )
        campaigns = list(Campaign.objects.all())
        letters = Letter.objects.bulk_create(
            Letter(
                title=f"Letter {i}: release {rng.choice(persons)[0]}",
                campaign=rng.choice(campaigns),
                status="sent",
            )
            for i in range(400)
        )
        Recipient = Letter.recipients.through
        Recipient.objects.bulk_create(
            Recipient(letter_id=letter.pk, person_id=person.pk)
            for letter in letters
            for person in rng.sample(people, rng.choice([2, 3]))
        )
        start = datetime(2015, 1, 1, tzinfo=UTC)
        items = []
        for i in range(n_news):
            name, native = rng.choice(persons)
            roll = rng.random()
            if roll < 0.45:
                title = rng.choice(EN_TITLES).format(name=name, n=rng.randint(2, 15))
            elif roll < 0.6 and native:
                title = rng.choice(ZH_TITLES).format(native=native, n=rng.randint(2, 15))
            else:
                title = rng.choice(PLAIN_TITLES).format(n=rng.randint(10, 500))
            items.append(
                NewsItem(
                    url=f"https://news{i % 50}.example.org/{i}",
                    title=title,
                    publisher=f"News {i % 50}",
                    published_at=start + timedelta(minutes=rng.randrange(6_000_000)),
                )
            )
        NewsItem.objects.bulk_create(items, batch_size=5000)
    return {
        "organizations": len(organizations),
        "people": len(people),
        "letters": len(letters),
        "news items": len(items),
    }


def _get(client, q: str):
    response = client.get(f"{URL}?{parse.urlencode({'q': q})}")
    assert response.status_code == 200, (q, response.status_code, response.content[:500])
    return response


def benchmark(args) -> bool:
    import django
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    django.setup()
    from rest_framework.authtoken.models import Token

    from tracker.models import DetainedPerson

    settings.API_THROTTLE_RATES = {"anon": "1000000/minute", "user": "1000000/minute"}
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    counts = seed_persons(args.persons)
    counts |= seed_others(random.Random(20), args.news)
    with connection.cursor() as cursor:
        # Raw SQL: the planner's statistics after a bulk seed (the ORM has no ANALYZE), so that
        # the timings are those of a database in use, not of one the planner has not seen.
        cursor.execute("ANALYZE")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(
        "seeded: "
        + ", ".join(f"{n} {what}" for what, n in counts.items())
        + f" in {time.perf_counter() - started:.1f} s"
    )

    # A Chinese case with a three-character name: romanised and in characters.
    person = next(
        p
        for p in DetainedPerson.objects.filter(country="CN").exclude(native_name="")
        if len(p.native_name) == 3 and "·" not in p.native_name
    )
    queries = [person.name, person.native_name, "court", "王", MISS]

    user = get_user_model().objects.create_superuser("bench", "bench@example.org", None)
    token = Token.objects.create(user=user)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT="application/json")
    for q in queries:
        for _ in range(WARMUP):
            _get(client, q)
    timings: dict[str, list[float]] = {q: [] for q in queries}
    for _ in range(args.runs):
        for q in queries:
            begun = time.perf_counter()
            _get(client, q)
            timings[q].append(time.perf_counter() - begun)

    print(f"timed: GET {URL}?q=..., {args.runs} times each after {WARMUP} warm-ups, taking turns")
    all_under = True
    for q in queries:
        with CaptureQueriesContext(connection) as captured:
            body = _get(client, q).json()
        median = statistics.median(timings[q])
        under = median < TARGET_SECONDS
        all_under &= under
        matches = ", ".join(
            f"{group['kind']} {group['count']}{'+' if group['capped'] else ''}"
            for group in body["results"]
        )
        print(
            f"q={q!r}: median {median * 1000:.1f} ms, {len(captured)} queries, "
            f"{'under' if under else 'OVER'} 300 ms ({matches})"
        )
    return all_under


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_argument(parser)
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--news", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15, help="timed requests per query")
    args = parser.parse_args()
    with throwaway_database(
        args.database_url, DJANGO_ALLOWED_HOSTS="testserver,localhost,127.0.0.1"
    ):
        ok = benchmark(args)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
