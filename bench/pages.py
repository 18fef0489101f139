"""Staff pages against the API: what an admin page costs next to the API answer for the same rows,
at 3,000 and at 30,000 cases (issue 21).

The script creates a throwaway PostgreSQL database, migrates it, loads the demo (`seed_demo`)
plus `--persons` detained persons with campaigns and case events (bench/api.py's generator),
organisations, officials, letters with recipients and signatures, and news items with mentions.
It then measures, through the whole Django stack with django.test.Client (a superuser signed in with
a second factor, as REQUIRE_2FA has all staff in production, for the admin; a token for the
API), each page's median server time over `--runs`
requests (taking turns, after warm-ups) and its queries, and prints each admin page's ratio to
its API counterpart in the same run, against the targets:

- every admin list of 100 rows: at most 3x the API list of the same 100 rows; searched, 4x;
- a case page: at most 12 queries and 4x the API detail of the same case;
- the dashboard (admin home): at most 12 queries and 3x the API list of 50;
- growth: then it adds cases up to `--grow-to` (30,000) and measures again: every page at
  most 1.3x what it cost at the smaller size.

Beside each list it prints the same page drawn with one row (the admin's `list_per_page` set
to 1 for a moment, the API unchanged): what the page costs before its rows (the theme's header,
sidebar and filters, the counts and date links). Where that alone is above the target, no work
on the rows can meet it.

    .venv/bin/python bench/pages.py
    .venv/bin/python bench/pages.py --persons 3000 --grow-to 30000 --runs 15
    .venv/bin/python bench/pages.py --grow-to 0 --profile "/admin/tracker/detainedperson/"

Absolute times depend on the machine and on what else it runs; the ratios are the figures.
"""

import argparse
import cProfile
import io
import pstats
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api import _get, _queries  # noqa: E402 (bench/ is on sys.path as the script folder)
from api import seed as seed_persons  # noqa: E402
from search import seed_others  # noqa: E402
from throwaway import throwaway_database  # noqa: E402

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/vigil_pages_bench"
WARMUP = 3
LIST_RATIO, SEARCH_RATIO, CASE_RATIO, DASHBOARD_RATIO = 3.0, 4.0, 4.0, 3.0
CASE_QUERIES = DASHBOARD_QUERIES = 12
GROWTH = 1.3


@dataclass
class Pair:
    """An admin page and the API request it is measured against."""

    label: str
    admin: str
    api: str
    ratio: float
    max_queries: int | None = None
    list_page: bool = True  # an admin list (measured with one row too)


def pairs(case_pk: int) -> list[Pair]:
    api100 = "page_size=100"
    return [
        Pair("detained persons (list)", "/admin/tracker/detainedperson/",
             f"/api/detained-persons/?{api100}&ordering=name", LIST_RATIO),
        Pair("detained persons (searched)", "/admin/tracker/detainedperson/?q=wang",
             f"/api/detained-persons/?{api100}&ordering=name&search=wang", SEARCH_RATIO),
        Pair("case events (list)", "/admin/tracker/caseevent/",
             f"/api/case-events/?{api100}", LIST_RATIO),
        Pair("mentions (list)", "/admin/tracker/mention/",
             f"/api/mentions/?{api100}", LIST_RATIO),
        Pair("news items (list)", "/admin/tracker/newsitem/",
             f"/api/news-items/?{api100}", LIST_RATIO),
        Pair("campaigns (list)", "/admin/campaigns/campaign/",
             f"/api/campaigns/?{api100}", LIST_RATIO),
        Pair("letters (list)", "/admin/campaigns/letter/",
             f"/api/letters/?{api100}", LIST_RATIO),
        Pair("signatures (list)", "/admin/campaigns/signature/",
             f"/api/signatures/?{api100}", LIST_RATIO),
        Pair("organizations (list)", "/admin/campaigns/organization/",
             f"/api/organizations/?{api100}", LIST_RATIO),
        Pair("people (list)", "/admin/campaigns/person/",
             f"/api/people/?{api100}", LIST_RATIO),
        Pair("a case page", f"/admin/tracker/detainedperson/{case_pk}/change/",
             f"/api/detained-persons/{case_pk}/", CASE_RATIO, CASE_QUERIES, list_page=False),
        Pair("dashboard (admin home)", "/admin/",
             "/api/detained-persons/?page_size=50", DASHBOARD_RATIO, DASHBOARD_QUERIES,
             list_page=False),
    ]  # fmt: skip


# --- Seeding ---------------------------------------------------------------------------------


def seed_rest(rng: random.Random, n_news: int) -> dict[str, int]:
    """Organisations, officials, letters (recipients, signatures, responses), news and mentions."""
    from django.db import transaction

    from campaigns.models import Letter, LetterResponse, Organization, Person, Signature
    from tracker.models import DetainedPerson, Mention, NewsItem

    persons = list(DetainedPerson.objects.values_list("pk", "name"))
    with transaction.atomic():
        # bench/search.py's organisations, officials and letters with their recipients.
        seed_others(rng, n_news=0)
        organizations = list(Organization.objects.all())
        people = list(Person.objects.all())
        letters = list(Letter.objects.filter(title__startswith="Letter "))
        for letter in letters:
            letter.sent_on = date(2016, 1, 1) + timedelta(days=rng.randrange(3000))
        Letter.objects.bulk_update(letters, ["sent_on"])
        signatures = Signature.objects.bulk_create(
            Signature(letter=letter, organization=organization)
            for letter in letters
            for organization in rng.sample(organizations, rng.choice([3, 5, 8]))
        )
        LetterResponse.objects.bulk_create(
            LetterResponse(
                letter=letter,
                person=rng.choice(people),
                received_on=(letter.sent_on or date(2020, 1, 1)) + timedelta(days=30),
                summary="Acknowledged receipt; no commitment.",
            )
            for letter in letters[::3]
        )
        start = datetime(2024, 1, 1, tzinfo=UTC)
        items = NewsItem.objects.bulk_create(
            (
                NewsItem(
                    url=f"https://news{i % 50}.example.org/{i}",
                    title=f"Court hears the case of {rng.choice(persons)[1]}",
                    publisher=f"News {i % 50}",
                    published_at=start + timedelta(minutes=rng.randrange(1_000_000)),
                )
                for i in range(n_news)
            ),
            batch_size=5000,
        )
        mentions = Mention.objects.bulk_create(
            (
                Mention(
                    news_item=item,
                    person_id=rng.choice(persons)[0],
                    matched_terms=["name"],
                    status=rng.choice(["new", "new", "confirmed", "dismissed"]),
                )
                for item in items
            ),
            batch_size=5000,
        )
    return {
        "organizations": len(organizations),
        "officials": len(people),
        "letters": len(letters),
        "signatures": len(signatures),
        "news items": len(items),
        "mentions": len(mentions),
    }


def spread_times() -> None:
    """Bulk loads stamp every row within the same few seconds; a live database's records were
    created and changed over years. Spread each table's timestamps (about 37 minutes apart
    by id), so that no page draws one date-time a hundred times."""
    from django.db.models import DurationField, ExpressionWrapper, F, Value

    from campaigns.models import Letter, Organization, Person, Signature
    from tracker.models import CaseEvent, DetainedPerson, Mention, NewsItem

    step = ExpressionWrapper(F("id") * Value(timedelta(minutes=37)), output_field=DurationField())
    stamps = {"created_at", "updated_at", "first_seen_at"}
    models = (DetainedPerson, CaseEvent, Organization, Person, Letter, Signature, Mention, NewsItem)
    for model in models:
        fields = stamps & {f.name for f in model._meta.concrete_fields}
        model.objects.update(**{name: F(name) - step for name in fields})


def busy_case() -> int:
    """The demo's case with the most on its page, given more: events, mentions, letters."""
    from django.db.models import Count

    from tracker.models import DetainedPerson

    return (
        DetainedPerson.objects.annotate(n=Count("events"))
        .order_by("-n", "pk")
        .values_list("pk", flat=True)
        .first()
    )


def signed_in_with_second_factor(client, user):
    """`client` signed in as staff are in production (REQUIRE_2FA): with the token of their
    authenticator app given, as django-otp's login records it in the session."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        # Fresh planner statistics after bulk loads, as autovacuum would give a live database.
        cursor.execute("ANALYZE")


# --- Measuring -------------------------------------------------------------------------------


def measure(clients, items: list[Pair], runs: int) -> dict[str, tuple[float, int]]:
    """{url: (median seconds, queries)} for every admin and API URL, taking turns."""
    urls = [url for pair in items for url in (pair.admin, pair.api)]
    client_for = {url: clients["admin" if url.startswith("/admin/") else "api"] for url in urls}
    for url in urls:
        for _ in range(WARMUP):
            _get(client_for[url], url)
    timings: dict[str, list[float]] = {url: [] for url in urls}
    for _ in range(runs):
        for url in urls:
            started = time.perf_counter()
            _get(client_for[url], url)
            timings[url].append(time.perf_counter() - started)
    return {url: (statistics.median(timings[url]), _queries(client_for[url], url)) for url in urls}


def measure_one_row(clients, items: list[Pair], runs: int) -> dict[str, float]:
    """{admin list url: median seconds} of each list page drawn with a single row."""
    from django.contrib import admin

    lists = [pair for pair in items if pair.list_page]
    saved = {
        model_admin: model_admin.list_per_page for model_admin in admin.site._registry.values()
    }
    try:
        for model_admin in saved:
            model_admin.list_per_page = 1
        figures = measure(clients, [Pair(p.label, p.admin, p.admin, p.ratio) for p in lists], runs)
    finally:
        for model_admin, per_page in saved.items():
            model_admin.list_per_page = per_page
    return {url: seconds for url, (seconds, _queries) in figures.items()}


def _verdict(ok: bool) -> str:
    return "holds" if ok else "FAILS"


def report(size: int, items: list[Pair], figures: dict, one_row: dict[str, float]) -> bool:
    print(
        f"\nat {size:,} cases (medians; admin page vs the API for the same rows; "
        "'1 row': the admin page drawn with one row, against the same API answer)"
    )
    print(
        f"{'page':30} {'admin ms':>9} {'q':>3} {'api ms':>8} {'q':>3} {'ratio':>6} "
        f"{'1 row':>13}  target"
    )
    every = True
    for pair in items:
        admin, admin_q = figures[pair.admin]
        api, api_q = figures[pair.api]
        ratio = admin / api
        ok = ratio <= pair.ratio and (pair.max_queries is None or admin_q <= pair.max_queries)
        every &= ok
        target = f"<= {pair.ratio:g}x" + (
            f", <= {pair.max_queries} queries" if pair.max_queries else ""
        )
        floor = ""
        if pair.admin in one_row:
            floor = f"{one_row[pair.admin] * 1000:5.1f} {one_row[pair.admin] / api:5.2f}x"
        print(
            f"{pair.label:30} {admin * 1000:9.1f} {admin_q:3} {api * 1000:8.1f} {api_q:3} "
            f"{ratio:5.2f}x {floor:>13}  {target}: {_verdict(ok)}"
        )
    return every


def report_growth(small: int, big: int, items: list[Pair], before: dict, after: dict) -> bool:
    print(f"\ngrowth: each page at {big:,} cases against {small:,} (target <= {GROWTH}x)")
    every = True
    for pair in items:
        for kind, url in (("admin", pair.admin), ("api", pair.api)):
            ratio = after[url][0] / before[url][0]
            ok = ratio <= GROWTH or kind == "api"  # the target is the staff pages'
            every &= ok
            verdict = _verdict(ok) if kind == "admin" else "(API, for reference)"
            print(
                f"{pair.label + ' ' + kind:36} {before[url][0] * 1000:8.1f} -> "
                f"{after[url][0] * 1000:8.1f} ms  {ratio:5.2f}x  {verdict}"
            )
    return every


def profile(client, url: str, runs: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        _get(client, url)
    profiler.disable()
    for sort in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(35)
        print(f"\n--- cProfile of {runs} requests of {url}, by {sort} ---\n{out.getvalue()}")


def benchmark(args) -> bool:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from rest_framework.authtoken.models import Token

    settings.API_THROTTLE_RATES = {"anon": "1000000/minute", "user": "1000000/minute"}
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed_demo", verbosity=0)
    counts = seed_persons(args.persons)
    rest = seed_rest(random.Random(21), args.news)
    spread_times()
    analyze()
    print(
        f"seeded the demo, {counts['persons']:,} persons, {counts['events']:,} case events, "
        + ", ".join(f"{n:,} {what}" for what, n in rest.items())
        + f" in {time.perf_counter() - started:.0f} s"
    )
    user = get_user_model().objects.create_superuser("bench", "bench@example.org", None)
    token = Token.objects.create(user=user)
    admin = signed_in_with_second_factor(Client(), user)
    clients = {
        "admin": admin,
        "api": Client(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT="application/json"),
    }
    case_pk = busy_case()
    items = pairs(case_pk)
    if args.profile:
        profile(clients["admin" if args.profile.startswith("/admin/") else "api"],
                args.profile, args.runs)  # fmt: skip
        return True
    small = measure(clients, items, args.runs)
    holds = report(case_count(), items, small, measure_one_row(clients, items, args.runs))
    if args.grow_to > args.persons:
        started = time.perf_counter()
        seed_persons(args.grow_to - args.persons)
        spread_times()
        analyze()
        print(f"\nadded cases up to {case_count():,} in {time.perf_counter() - started:.0f} s")
        big = measure(clients, items, args.runs)
        holds &= report(case_count(), items, big, measure_one_row(clients, items, args.runs))
        holds &= report_growth(args.persons, args.grow_to, items, small, big)
    print("\nevery target holds" if holds else "\nsome targets FAIL")
    return holds


def case_count() -> int:
    from tracker.models import DetainedPerson

    return DetainedPerson.objects.count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE,
                        help="a PostgreSQL database to create and drop")  # fmt: skip
    parser.add_argument("--persons", type=int, default=3000, help="cases beyond the demo")
    parser.add_argument("--grow-to", type=int, default=30_000,
                        help="then add cases up to this many (0: skip growing)")  # fmt: skip
    parser.add_argument("--news", type=int, default=5000, help="news items, one mention each")
    parser.add_argument("--runs", type=int, default=15, help="timed requests per page")
    parser.add_argument("--profile", metavar="URL", help="cProfile one page instead")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("--database-url must be a PostgreSQL URL: the figures are PostgreSQL's")
    with throwaway_database(
        args.database_url, DJANGO_ALLOWED_HOSTS="testserver,localhost,127.0.0.1"
    ):
        holds = benchmark(args)
    sys.exit(0 if holds else 1)


if __name__ == "__main__":
    main()
