"""Fixtures that start, stop and kill real processes: a private PostgreSQL (one cluster for the
session, a fresh database per test cloned from a migrated template), a private Redis per test,
Celery workers, a recording SMTP server, a feed server, and a ticker that sends the beat's
tasks at a fast cadence. Every process is ended in a `finally`, also when a test fails.

The workers run with leases of a few seconds (LEASES), so that a claim held by a dead worker
lapses within a test.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import pytest

from tests.faults.processes import (
    ROOT,
    MailServer,
    PrivatePostgres,
    PrivateRedis,
    Worker,
    postgres_bin,
)

LEASES = {
    "DIGEST_CLAIM_LEASE_SECONDS": "4",
    "DIGEST_REQUEUE_AFTER_SECONDS": "6",
    "NEWSWATCH_CLAIM_LEASE_SECONDS": "5",
    "SWEEP_INTERVAL_SECONDS": "2",
}
TEMPLATE = "vigil_template"
_databases = count(1)


def _missing() -> str | None:
    if postgres_bin() is None:
        return "no PostgreSQL server binaries under /usr/lib/postgresql"
    if shutil.which("redis-server") is None:
        return "no redis-server"
    return None


@pytest.fixture(scope="session")
def fault_folder() -> Iterator[Path]:
    missing = _missing()
    if missing:
        if os.environ.get("VIGIL_REQUIRE_SERVICES") == "1":
            pytest.fail(f"the fault tests need real servers: {missing}")
        pytest.skip(missing)
    folder = Path(tempfile.mkdtemp(prefix="vigil-faults-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres(fault_folder) -> Iterator[PrivatePostgres]:
    """One private cluster; a template database migrated once."""
    server = PrivatePostgres(fault_folder / "pg" / "cluster")
    server.start()
    try:
        # Raw SQL: creating a database is cluster DDL, which the ORM has no API for.
        server.execute(f"CREATE DATABASE {TEMPLATE}")
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT, env=_base_env(database_url=server.url(TEMPLATE)),
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        yield server
    finally:
        server.stop("immediate")


@pytest.fixture
def database_url(postgres) -> Iterator[str]:
    name = f"vigil_fault_{next(_databases)}"
    # Raw SQL (cluster DDL, no ORM API): a copy of the migrated template, far faster than
    # migrating each test's database anew.
    postgres.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    try:
        yield postgres.url(name)
    finally:
        if not postgres.is_running():  # a test that stopped it and failed before restarting
            postgres.start()
        # Raw SQL (cluster DDL, no ORM API); FORCE ends the killed workers' leftover sessions.
        postgres.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def redis_server(fault_folder) -> Iterator[PrivateRedis]:
    server = PrivateRedis(fault_folder)
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    with MailServer() as server:
        yield server


def _base_env(**values: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "NEWSWATCH_ALLOWED_NETWORKS": "127.0.0.0/8",
        "CELERY_BROKER_URL": "memory://",
        "CACHE_URL": "locmemcache://",
        **LEASES,
    }
    env.update({name.upper(): value for name, value in values.items()})
    return env


@pytest.fixture
def fault_env(database_url, redis_server, mail_server) -> dict[str, str]:
    """The environment of every process of a scenario: the private database, Redis (broker
    and cache), the SMTP server, short leases."""
    return _base_env(
        database_url=database_url,
        celery_broker_url=redis_server.url(0),
        cache_url=redis_server.url(1),
        email_url=f"smtp://127.0.0.1:{mail_server.port}",
    )


@pytest.fixture
def driver(fault_env):
    """`driver("seed-digests", 200)`: run tests/faults/driver.py, return its JSON."""

    def run(*args, timeout: float = 180) -> dict:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "tests.faults.driver", *map(str, args)],
            cwd=ROOT, env=fault_env, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    return run


@pytest.fixture
def workers(fault_env, fault_folder) -> Iterator:
    """`workers("a")` starts a worker serving every queue (ready when returned), with more
    environment variables if given; every worker started is stopped at the end, and its log
    printed (shown when the test fails)."""
    started: list[Worker] = []

    def start(name: str, queues: str = "scheduler,polls,digests", **env: str) -> Worker:
        worker = Worker(name, {**fault_env, **env}, fault_folder, queues)
        started.append(worker)
        return worker.wait_ready()

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()
            print(f"--- worker {worker.name} ---\n{worker.tail()}")


class Ticker:
    """Sends tasks to the broker every `every` seconds in a thread, as beat would, and keeps
    going while the broker is down (what it could not send is lost, as it is for beat)."""

    def __init__(self, broker_url: str) -> None:
        self.broker_url = broker_url
        self.schedule: list[tuple[str, list]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.every = 1.0

    def send(self, name: str, *args) -> bool:
        from config.celery import app

        try:
            with app.connection_for_write(self.broker_url) as conn:
                app.send_task(name, args=list(args), connection=conn, retry=False)
            return True
        except Exception:  # the broker is down: beat loses the tick too
            return False

    def start(self, *tasks: str, every: float = 1.0) -> "Ticker":
        self.schedule = [(name, []) for name in tasks]
        self.every = every
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            for name, args in self.schedule:
                self.send(name, *args)

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)


@pytest.fixture
def ticker(redis_server) -> Iterator[Ticker]:
    ticker = Ticker(redis_server.url(0))
    try:
        yield ticker
    finally:
        ticker.close()


def elapsed(since: float) -> float:
    return time.monotonic() - since
