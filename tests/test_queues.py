"""Polls, digest sends and the schedulers' own short tasks have queues of their own, and every
way of running Vigil starts workers for each, so that a day's digests never delay polling."""

import re
from pathlib import Path

from config.celery import app

ROOT = Path(__file__).resolve().parent.parent
QUEUES = {"scheduler", "polls", "digests"}


def _queue(task_name: str) -> str:
    route = app.amqp.router.route({}, task_name)
    return route["queue"].name


def test_polls_digests_and_schedulers_go_to_queues_of_their_own():
    assert _queue("tracker.tasks.poll_source") == "polls"
    assert _queue("campaigns.tasks.pull_osdi_signatures") == "polls"
    assert _queue("tracker.tasks.send_digest") == "digests"
    assert _queue("tracker.tasks.send_digest_batch") == "digests"
    for scheduler in ("poll_due_sources", "send_due_digests", "sweep"):
        assert _queue(f"tracker.tasks.{scheduler}") == "scheduler"


def _served(commands: list[str]) -> list[set[str]]:
    """The queues each `celery worker` command consumes (-Q a,b)."""
    served = []
    for command in commands:
        if "worker" in command:
            match = re.search(r"-Q[\s\",]+([\w,]+)", command)
            assert match, f"a worker without -Q serves only the default queue: {command}"
            served.append(set(match.group(1).split(",")))
    return served


def test_make_run_starts_a_worker_for_each_queue_and_digests_share_none_with_polls():
    lines = (ROOT / "Procfile.dev").read_text().splitlines()
    served = _served([line for line in lines if not line.startswith("#")])
    assert set().union(*served) == QUEUES
    assert not any({"digests", "polls"} <= queues for queues in served)
    assert not any({"digests", "scheduler"} <= queues for queues in served)


def test_docker_compose_starts_a_worker_for_each_queue_and_digests_share_none_with_polls():
    commands = re.findall(r"command: (\[.*\])", (ROOT / "docker-compose.yml").read_text())
    served = _served(commands)
    assert set().union(*served) == QUEUES
    assert not any({"digests", "polls"} <= queues for queues in served)
    assert not any({"digests", "scheduler"} <= queues for queues in served)
