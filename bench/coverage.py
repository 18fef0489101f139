"""How many requests a full search round needs, and whether every watched person is searched.

The script seeds a throwaway database with 2,000 and then 10,000 watched people (the names of
bench/ingest.py: Chinese names in pinyin and characters, Vietnamese with and without
diacritics, Russian in Cyrillic and two Latin spellings, Arabic-origin names in Latin and
Arabic script, Uyghur names) and runs full rounds of a GDELT source through the real polling
code: `polling.poll_source` is called, as the poll task would be, task after task, until the
round is complete.

The source points at a loopback provider (a thread of this process, answering GDELT-style
JSON with a few articles at most) that records every query and answers 429 to a request that
comes sooner after the previous one than the source's interval allows. The interval is scaled
down (NewsSource.request_interval is patched to --interval seconds, 0.8 of which the provider
enforces: the gap between two arrivals varies by a few milliseconds), and so is each task's
budget (the same number of requests a task as at the real pace), so that a round takes
seconds; the round's length at the real pace is its requests times the kind's interval (5 s).

It prints, for each size: the requests of each round, the tasks it took, 429s, how many
people were searched exactly once in the round (from the queries the provider recorded, by
their name forms), the requests that asked GDELT only for what is new (startdatetime), the
round's length at the real pace against the targets (2,000 people in at most 400 requests,
10,000 in at most 2,000), and the coverage staff see afterwards.
"""

import argparse
import json
import math
import random
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest import seed_persons  # noqa: E402 (bench/ is on sys.path as the script folder)
from throwaway import add_database_argument, throwaway_database  # noqa: E402

TARGETS = {2_000: 400, 10_000: 2_000}
QUOTED = re.compile(r'"([^"]+)"')


class Provider:
    """A GDELT DOC API on 127.0.0.1 that enforces a pace and records every query."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.queries: list[dict[str, list[str]]] = []
        self.throttled = 0
        self._last = 0.0
        self._lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                provider.answer(self)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return (
            f"http://{host}:{port}/api/v2/doc/doc?query={{query}}"
            "&mode=artlist&format=json&maxrecords=250&sort=datedesc"
        )

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        now = time.monotonic()
        with self._lock:
            too_soon = now - self._last < self.interval * 0.8
            self._last = now
            if too_soon:
                self.throttled += 1
            else:
                self.queries.append(parse_qs(urlsplit(handler.path).query))
                n = len(self.queries)
        if too_soon:
            body, status = b"Please limit requests to one every 5 seconds.", 429
        else:
            articles = []
            if n % 10 == 0:  # now and then an article naming someone asked for
                name = QUOTED.findall(self.queries[-1]["query"][0])[0]
                articles.append(
                    {
                        "url": f"https://news.example.org/{n}",
                        "title": f"Court hears the case of {name}",
                        "seendate": "20250701T100000Z",
                        "domain": "news.example.org",
                        "language": "English",
                    }
                )
            body, status = json.dumps({"articles": articles}).encode(), 200
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def __enter__(self) -> "Provider":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def run_round(source_id: int, provider: Provider) -> dict:
    from tracker.newswatch.polling import poll_source

    before, throttled_before = len(provider.queries), provider.throttled
    started = time.perf_counter()
    tasks, searched = 0, 0
    while True:
        outcome = poll_source(source_id=source_id)
        tasks += 1
        searched += outcome.searched
        assert outcome.status == "ok", outcome.error
        if not outcome.more:
            break
    return {
        "queries": provider.queries[before:],
        "tasks": tasks,
        "searched": searched,
        "throttled": provider.throttled - throttled_before,
        "seconds": time.perf_counter() - started,
    }


def searched_once(queries: list[dict], people: list[dict]) -> tuple[int, int]:
    """(people asked for in exactly one query, people asked for in more than one): a person is
    asked for by a query that holds every one of their name forms (some forms are shared: a
    Vietnamese name without its diacritics, a second Latin spelling)."""
    from tracker.models import name_forms
    from tracker.newswatch.matching import search_terms

    asked = [set(QUOTED.findall(q["query"][0])) for q in queries]
    by_term: dict[str, list[int]] = {}
    for n, terms in enumerate(asked):
        for term in terms:
            by_term.setdefault(term, []).append(n)
    once = more = 0
    for p in people:
        terms = {
            t.strip('"')
            for t in search_terms(name_forms(p["name"], p["native_name"], p["aliases"]))
        }
        first = next(iter(terms))
        times = sum(terms <= asked[n] for n in by_term.get(first, []))
        once += times == 1
        more += times > 1
    return once, more


def benchmark(args) -> None:
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    from django.utils import timezone

    from tracker.models import DetainedPerson, NewsSource
    from tracker.newswatch.kinds import Kind, for_kind
    from tracker.newswatch.rotation import search_coverage
    from tracker.newswatch.services import news_source_save

    call_command("migrate", verbosity=0)
    gdelt = for_kind(Kind.GDELT)
    real_interval = gdelt.request_interval
    # The same number of requests a task as at the real pace, in scaled time.
    per_task = settings.NEWSWATCH_SEARCH_TASK_BUDGET_SECONDS / real_interval
    settings.NEWSWATCH_SEARCH_TASK_BUDGET_SECONDS = per_task * args.interval
    NewsSource.request_interval = property(lambda self: args.interval)  # type: ignore[assignment]
    rng = random.Random(1917)
    print(
        f"GDELT source: at most {gdelt.max_people_per_query} "
        f"people and {gdelt.max_query_chars} URL-encoded "
        f"characters a query; interval scaled from {real_interval} s to {args.interval} s, "
        f"a task's budget to {settings.NEWSWATCH_SEARCH_TASK_BUDGET_SECONDS:.1f} s "
        f"({per_task:.0f} requests)"
    )
    # Everyone at once, so that names are distinct across sizes; each size watches the first.
    people = seed_persons(max(args.sizes), rng)
    failed = False
    with Provider(args.interval) as provider:
        for size in sorted(args.sizes):
            watched = [p["pk"] for p in people[:size]]
            DetainedPerson.objects.exclude(pk__in=watched).update(watch_enabled=False)
            DetainedPerson.objects.filter(pk__in=watched).update(
                watch_enabled=True, updated_at=timezone.now()
            )
            source = news_source_save(
                name=f"GDELT {size}", kind="gdelt", url=provider.url(), min_interval_seconds=5
            )
            print(f"\n{size:,} watched people")
            for n in range(1, args.rounds + 1):
                NewsSource.objects.filter(pk=source.pk).update(next_poll_at=None)
                result = run_round(source.pk, provider)
                requests = len(result["queries"])
                once, more = searched_once(result["queries"], people[:size])
                since = sum("startdatetime" in q for q in result["queries"])
                real = requests * real_interval
                target = TARGETS.get(size)
                ok = (
                    (target is None or requests <= target)
                    and result["throttled"] == 0
                    and once == size
                    and more == 0
                    and result["searched"] == size
                )
                failed |= not ok
                print(
                    f"  round {n}: {requests:,} requests in {result['tasks']} tasks, "
                    f"{result['throttled']} 429s, {once:,} of {size:,} people searched once "
                    f"({more} more than once), {since:,} requests since the last search; "
                    f"{real / 60:.0f} minutes at {real_interval} s a request"
                    + (f" (target: at most {target:,} requests)" if target else "")
                    + f"; ran in {result['seconds']:.1f} s  [{'ok' if ok else 'MISSED'}]"
                )
            coverage = search_coverage(sources=[source])[source.pk]
            print(
                f"  coverage: {coverage.searched_last_24h:,} of {coverage.watched:,} searched "
                f"in 24 hours, {coverage.never_searched} never; a full round estimated at "
                f"{coverage.round_requests:,} requests, "
                f"{math.ceil(coverage.round_requests * real_interval / 60)} minutes"
            )
    if failed:
        sys.exit("a target was missed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_argument(parser)
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[2_000, 10_000], help="watched people"
    )
    parser.add_argument("--rounds", type=int, default=2, help="full rounds for each size")
    parser.add_argument(
        "--interval", type=float, default=0.05, help="the scaled interval between requests (s)"
    )
    args = parser.parse_args()
    with throwaway_database(args.database_url, NEWSWATCH_ALLOWED_NETWORKS="127.0.0.0/8"):
        benchmark(args)


if __name__ == "__main__":
    main()
