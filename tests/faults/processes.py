"""Real processes for the fault tests, each one that a test can start, stop and kill: a private
PostgreSQL (initdb in a temporary folder), a private Redis, Celery workers, and a local SMTP
server that records every message and can be made to stall.

Nothing here touches the machine's own PostgreSQL or Redis: every server runs on a free port
of its own, and every process is ended by its id (the workers by their process group).
"""

import asyncio
import contextlib
import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, *, timeout: float, interval: float = 0.2, what: str = "condition"):
    """Call `condition` until it returns something true (returned) or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not after {timeout:.0f} s")
        time.sleep(interval)


def postgres_bin() -> Path | None:
    """The newest PostgreSQL server binaries installed (Debian's layout), if any."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


# --- PostgreSQL ---------------------------------------------------------------------------------


class PrivatePostgres:
    """A PostgreSQL cluster of its own in `folder`, on a free port, with trust authentication.

    PostgreSQL refuses to run as root: as root, every command runs as the `postgres` user,
    which then owns the folder."""

    def __init__(self, folder: Path) -> None:
        self.bin = postgres_bin()
        assert self.bin is not None, "no PostgreSQL server binaries"
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        folder.mkdir(parents=True, exist_ok=True)
        if self.as_postgres:
            shutil.chown(folder, "postgres", "postgres")
            for parent in folder.parents:  # the temporary folders above must be traversable
                if parent.stat().st_uid == 0 and parent.stat().st_mode & 0o005 == 0:
                    parent.chmod(parent.stat().st_mode | 0o005)
        self._run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync",
                  "-E", "UTF8", "--locale", "C")  # fmt: skip

    def _run(self, tool: str, *args, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / tool), *map(str, args)]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)  # noqa: S603
        if check and done.returncode:
            raise RuntimeError(f"{tool} failed: {done.stdout[-2000:]}{done.stderr[-2000:]}")
        return done

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run("pg_ctl", "-D", self.data, "-l", self.folder / "server.log", "-o", options,
                  "-w", "-t", "30", "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends every session at once (a restart); `immediate` is a crash."""
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "30", "stop", check=False)

    def is_running(self) -> bool:
        return self._run("pg_ctl", "-D", self.data, "status", check=False).returncode == 0

    def execute(self, sql: str, database: str = "postgres") -> None:
        """Run one statement against the private cluster itself. Raw SQL because these are
        cluster-level statements (CREATE/DROP DATABASE) that the ORM has no API for, run
        outside Django, on a server the test made."""
        import psycopg

        with psycopg.connect(self.url(database).replace("postgres://", "postgresql://"),
                             autocommit=True) as conn:  # fmt: skip
            conn.execute(sql)


# --- Redis --------------------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server on a free port that keeps nothing on disk: killed, it loses every
    queued message, as a broker restarted without persistence does."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",  # noqa: S607
             "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(self.ping, timeout=10, what="redis-server answering")

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url(), socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


# --- Celery workers -----------------------------------------------------------------------------


class Worker:
    """`celery -A config worker` in a process group of its own, so that killing the group kills
    the whole worker: the main process and its pool, as an OOM kill or a lost machine does."""

    def __init__(self, name: str, env: dict[str, str], folder: Path, queues: str) -> None:
        self.name = name
        self.log = folder / f"worker-{name}.log"
        self._log_file = self.log.open("w")
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-n", f"{name}@%h",
             "-Q", queues, "--pool", "prefork", "--concurrency", "2",
             "--without-mingle", "--without-gossip", "--without-heartbeat", "--loglevel", "INFO"],
            cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def wait_ready(self, timeout: float = 60) -> "Worker":
        def ready() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker {self.name} exited:\n{self.tail()}")
            return " ready." in self.log.read_text(errors="replace")

        wait_until(ready, timeout=timeout, what=f"worker {self.name} ready")
        return self

    def kill(self) -> None:
        """SIGKILL to the whole worker: nothing of it runs another line."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # warm shutdown: finish the tasks at hand
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=15)
        self.kill()  # and whatever the pool left behind
        self._log_file.close()

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:]


# --- SMTP ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedMail:
    message_id: str
    subject: str
    date: str
    to: str
    text: str
    html: str

    @property
    def as_seen(self) -> tuple:
        """What a recipient sees of a message (MIME boundaries apart)."""
        return (self.message_id, self.subject, self.date, self.to, self.text, self.html)


def _parse(raw: bytes) -> ReceivedMail:
    message: EmailMessage = email.message_from_bytes(raw, policy=policy.default)  # type: ignore[assignment]
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    return ReceivedMail(
        message_id=str(message["Message-ID"]),
        subject=str(message["Subject"]),
        date=str(message["Date"]),
        to=str(message["To"]),
        text=text.get_content() if text else "",
        html=html.get_content() if html else "",
    )


class MailServer:
    """A real SMTP server (aiosmtpd) on a free port. It records a message as soon as its DATA
    has arrived, then answers after `delay` seconds; `stall_next(n, seconds)` makes the next
    `n` messages wait that long (or until `release()`) for their answer: the window in which a
    worker has handed the message over but not heard that it was accepted."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.received: list[ReceivedMail] = []
        self.delay = 0.0
        self._stalls: list[float] = []
        self.stalling = 0  # messages received whose answer is being held back right now
        self._release = threading.Event()
        self._lock = threading.Lock()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "MailServer":
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()

    def stall_next(self, n: int, seconds: float) -> None:
        """Hold the answer to the next `n` messages for `seconds`, or until release()."""
        with self._lock:
            self._release.clear()
            self._stalls = [seconds] * n

    def release(self) -> None:
        self._release.set()

    async def handle_DATA(self, server, session, envelope) -> str:
        mail = _parse(envelope.original_content or envelope.content)
        with self._lock:
            self.received.append(mail)
            stalled = bool(self._stalls)
            wait = self._stalls.pop(0) if stalled else self.delay
            self.stalling += stalled
        try:
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline and not (stalled and self._release.is_set()):
                await asyncio.sleep(min(0.05, wait))
        finally:
            with self._lock:
                self.stalling -= stalled
        return "250 Message accepted for delivery"

    def by_message_id(self) -> dict[str, list[ReceivedMail]]:
        copies: dict[str, list[ReceivedMail]] = {}
        for mail in list(self.received):
            copies.setdefault(mail.message_id, []).append(mail)
        return copies
