"""`make run`'s processes (Procfile.dev under honcho) stop quietly on Ctrl-C."""

import contextlib
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _read_until(fd: int, seen: bytearray, done, timeout: float) -> None:
    end = time.monotonic() + timeout
    while not done(bytes(seen)) and time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the terminal closed: every process has ended
                return
            if not chunk:
                return
            seen.extend(chunk)


def test_ctrl_c_stops_the_workers_and_beat_quietly_and_promptly(tmp_path):
    # The embedded defaults in a folder of the test's own, whatever the suite runs against. No
    # DJANGO_SETTINGS_MODULE, as in a developer's shell: Procfile.dev chooses development.
    env = {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "VIGIL_READ_DOTENV": "false",
        "VIGIL_VAR_DIR": str(tmp_path / "var"),
    }
    (tmp_path / "var").mkdir()  # as `make run` makes ./var
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    honcho = [str(BIN / "honcho"), "--no-colour", "-e", str(tmp_path / "no.env")]
    honcho += ["--procfile", "Procfile.dev", "start", "scheduler", "polls", "digests", "beat"]
    pid, fd = pty.fork()  # a terminal, as `make run` has
    if pid == 0:  # pragma: no cover (the child)
        os.chdir(ROOT)
        os.execve(honcho[0], honcho, env)  # noqa: S606 (our own fixed command)
    seen = bytearray()
    try:
        _read_until(fd, seen, lambda out: out.count(b"ready.") == 3 and b"Starting..." in out, 120)
        assert seen.count(b"ready.") == 3, seen.decode(errors="replace")
        _read_until(fd, seen, lambda out: False, 3)  # let beat send its first tasks
        started = len(seen)
        stopping = time.monotonic()
        os.kill(pid, signal.SIGINT)  # what Ctrl-C in the terminal sends honcho
        _read_until(fd, seen, lambda out: out.count(b"stopped (rc=") >= 4, 60)
        took = time.monotonic() - stopping
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    after = seen[started:].decode(errors="replace")
    assert after.count("stopped (rc=") == 4, after
    assert "Traceback" not in after
    assert "ERROR" not in after
    assert "SIGKILL" not in after  # honcho's last resort when a process ignores SIGTERM
    assert took < 10


def test_the_web_process_serves_on_the_port_given_and_links_there(tmp_path):
    """`VIGIL_PORT=8123 make run` serves on 8123, and the links Vigil sends out (SITE_URL's
    default) point there too."""
    import json
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "VIGIL_READ_DOTENV": "false",
        "VIGIL_VAR_DIR": str(tmp_path / "var"),
        "VIGIL_PORT": str(port),
    }
    (tmp_path / "var").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    site_url = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from django.conf import settings; print(settings.SITE_URL)",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.dev"},
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()
    assert site_url == f"http://127.0.0.1:{port}"
    honcho = [str(BIN / "honcho"), "--no-colour", "-e", str(tmp_path / "no.env")]
    honcho += ["--procfile", "Procfile.dev", "start", "web"]
    process = subprocess.Popen(honcho, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)  # noqa: S603 (our own fixed command)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2) as r:
                    assert json.load(r)["status"] == "ok"
                    break
            except OSError:
                assert time.monotonic() < deadline, f"nothing served on port {port}"
                time.sleep(0.5)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
