"""Load: concurrent clients against gunicorn and PostgreSQL, as an NGO's staff and integrators
use Vigil at once. Targets (issues 14 and 21): no errors; every kind's p95 at most 4x the API
detail's p50 in the same run; requests/s at least twice a baseline's (`--baseline-rps`, the
figure of a checkout from before the change, on the same machine).

The script creates a throwaway PostgreSQL database, migrates it, loads the demo data
(`seed_demo`) plus a few thousand detained persons with campaigns and case events (the same
generator as bench/api.py), makes a superuser with an API token and a logged-in admin session
(its second factor given, as REQUIRE_2FA has all staff in production), and starts gunicorn
on a free port (API throttling raised so that it does not fire). Then
`--clients` threads, each with its own keep-alive connection, send requests for `--seconds`,
picking each from a realistic mix:

    API lists with filters and ordering, name searches (Latin and Chinese script), a person's
    detail, a person's timeline, the review queue of mentions, campaigns, and the admin's
    detained-person changelist (plain and searched), logged in.

It prints requests per second, the p50/p95/p99 latency over all requests and per kind, and
the errors (any status but 200, or a broken connection), then stops gunicorn and drops the
database.

Run it from the project root (it needs PostgreSQL):

    .venv/bin/python bench/load.py
    .venv/bin/python bench/load.py --clients 20 --seconds 60 --database-url postgres://postgres@127.0.0.1:5432/vigil_load

The client threads share the machine with gunicorn: on a small machine the figures measure
both. Absolute times depend on the machine and on what else runs on it.
"""

import argparse
import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib import parse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from throwaway import postgres_database  # noqa: E402 (bench/ is on sys.path as the script folder)

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/vigil_load"
DETAIL_KIND = "api detail"
SPREAD = 4  # issue 21: every kind's p95 at most this many times the API detail's p50
USERNAME = "load"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "60",  # as in production: a connection per gunicorn worker
        "CELERY_BROKER_URL": "memory://",
        "CACHE_URL": "locmemcache://",
        "API_THROTTLE_USER": "1000000/hour",
        "VIGIL_READ_DOTENV": "false",
    }


def prepare(persons: int) -> dict:
    """Migrate, seed, and make the credentials the clients use (in this process)."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", verbosity=0)
    from api import seed  # bench/api.py's generator of detained persons

    seeded = seed(persons)

    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    from tracker.models import DetainedPerson

    user = get_user_model().objects.create_superuser(USERNAME, password="load-only")  # noqa: S106
    token = Token.objects.create(user=user)
    session = SessionStore()  # a logged-in admin session, as django.test.Client.force_login
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    # Signed in with a second factor, as REQUIRE_2FA has all staff in production.
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    ids = list(DetainedPerson.objects.values_list("pk", flat=True))
    from django.db import connections

    connections.close_all()
    return {"token": token.key, "session": session.session_key, "ids": ids, "seeded": seeded}


def requests_mix(ids: list[int]) -> list[tuple[str, int, callable]]:
    """(kind, weight, path maker): what the clients ask for, and how often."""
    pick = random.choice
    return [
        ("api list: detained, newest first", 20,
         lambda: "/api/detained-persons/?status=detained&ordering=-detained_on&page_size=50"),
        ("api list: country and campaign", 10,
         lambda: f"/api/detained-persons/?country={pick(['CN', 'VN', 'RU', 'BY', 'IR'])}"),
        ("api search: Latin", 15,
         lambda: f"/api/detained-persons/?search={pick(['nguyen', 'wang', 'petrov', 'li'])}"),
        ("api search: Chinese", 5, lambda: "/api/detained-persons/?search=" + parse.quote("王")),
        ("api detail", 20, lambda: f"/api/detained-persons/{pick(ids)}/"),
        ("api timeline", 10, lambda: f"/api/case-events/?person={pick(ids)}"),
        ("api review queue", 5, lambda: "/api/mentions/?status=new"),
        ("api campaigns", 5, lambda: "/api/campaigns/"),
        ("admin changelist", 5, lambda: "/admin/tracker/detainedperson/"),
        ("admin changelist search", 5,
         lambda: f"/admin/tracker/detainedperson/?q={pick(['nguyen', 'wang', 'ivan'])}"),
    ]  # fmt: skip


class Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_samples: list[str] = []

    def record(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if error:
                self.errors[kind] += 1
                if len(self.error_samples) < 10:
                    self.error_samples.append(f"{kind}: {error}")


def client(port: int, credentials: dict, mix, deadline: float, results: Results) -> None:
    kinds = [kind for kind, _, _ in mix]
    weights = [weight for _, weight, _ in mix]
    makers = {kind: make for kind, _, make in mix}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.monotonic() < deadline:
        kind = random.choices(kinds, weights)[0]
        path = makers[kind]()
        headers = (
            {"Cookie": f"sessionid={credentials['session']}"}
            if path.startswith("/admin/")
            else {"Authorization": f"Token {credentials['token']}"}
        )
        started = time.perf_counter()
        error = None
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                error = f"{response.status} {path}"
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__}: {exc} {path}"
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        results.record(kind, time.perf_counter() - started, error)
    connection.close()


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


def report(results: Results, seconds: float, clients: int, baseline_rps: float | None) -> int:
    """Print the figures and issue 21's targets; returns how many targets fail."""
    every = [value for values in results.latencies.values() for value in values]
    errors = sum(results.errors.values())
    rps = len(every) / seconds
    print(f"\n{clients} clients for {seconds:.0f} s: {len(every)} requests, "
          f"{rps:.1f} requests/s, {errors} errors")  # fmt: skip
    print(f"{'':34} {'count':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}")
    rows = [("all", every, errors)] + [
        (kind, values, results.errors.get(kind, 0))
        for kind, values in sorted(results.latencies.items())
    ]
    for kind, values, errs in rows:
        print(
            f"{kind:34} {len(values):6} {_ms(_percentile(values, 50))} "
            f"{_ms(_percentile(values, 95))} {_ms(_percentile(values, 99))} {errs:6}"
        )
    for sample in results.error_samples:
        print("  error:", sample)
    failed = 0
    print("\ntargets:")
    print(f"  0 errors: {errors} — {'holds' if errors == 0 else 'FAILS'}")
    failed += errors > 0
    detail = results.latencies.get(DETAIL_KIND)
    if detail:
        ceiling = SPREAD * _percentile(detail, 50)
        worst_kind, worst = max(
            ((kind, _percentile(values, 95)) for kind, values in results.latencies.items()),
            key=lambda pair: pair[1],
        )
        holds = worst <= ceiling
        failed += not holds
        print(f"  p95 of every kind <= {SPREAD:g} x the API detail's p50 "
              f"({_ms(ceiling).strip()} ms): the slowest, {worst_kind}, "
              f"{_ms(worst).strip()} ms — {'holds' if holds else 'FAILS'}")  # fmt: skip
    if baseline_rps:
        holds = rps >= 2 * baseline_rps
        failed += not holds
        print(f"  requests/s at least twice the baseline's {baseline_rps:.1f}: {rps:.1f} "
              f"({rps / baseline_rps:.2f}x) — {'holds' if holds else 'FAILS'}")  # fmt: skip
    else:
        print(
            "  requests/s against a baseline: give --baseline-rps (the figure of a checkout "
            "from before the change, measured on the same machine)"
        )
    return failed


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/health/")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
        if process.poll() is not None:
            sys.exit("gunicorn exited before answering")
    process.kill()
    sys.exit("gunicorn did not answer /health/ within 60 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=DEFAULT_DATABASE, help="a PostgreSQL database to create and drop"
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--persons", type=int, default=3000, help="detained persons beyond the demo"
    )
    parser.add_argument(
        "--baseline-rps",
        type=float,
        help="requests/s of a checkout from before the change, same machine",
    )
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                        help="gunicorn worker processes (default: 2 x cores + 1)")  # fmt: skip
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("--database-url must be a PostgreSQL URL: the load test needs PostgreSQL")

    env = _environment(args.database_url)
    os.environ.update(env)
    postgres_database(args.database_url, "create")
    gunicorn = None
    try:
        started = time.monotonic()
        credentials = prepare(args.persons)
        print(f"seeded the demo and {credentials['seeded']} in {time.monotonic() - started:.0f} s")
        port = _free_port()
        gunicorn = start_gunicorn(env, port, args.workers)
        print(f"gunicorn: {args.workers} workers on 127.0.0.1:{port}; "
              f"{args.clients} clients for {args.seconds:.0f} s")  # fmt: skip
        results = Results()
        deadline = time.monotonic() + args.seconds
        mix = requests_mix(credentials["ids"])
        threads = [
            threading.Thread(target=client, args=(port, credentials, mix, deadline, results))
            for _ in range(args.clients)
        ]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        failed = report(results, time.monotonic() - began, args.clients, args.baseline_rps)
    finally:
        if gunicorn is not None:
            os.killpg(gunicorn.pid, signal.SIGTERM)
            try:
                gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(gunicorn.pid, signal.SIGKILL)
        postgres_database(args.database_url, "drop")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
