"""Calls made at the same moment, for the race tests that need PostgreSQL's row locks."""

import threading
from collections.abc import Callable

from django.db import connections


def at_once(*calls: Callable[[], object], timeout: float = 30) -> list:
    """Run each call in a thread of its own (with its own database connection), released
    together by a barrier; return their results in the order of `calls`. An exception in a
    call is raised here, and a call still running after `timeout` seconds fails the test."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a call did not finish in time"
    if errors:
        raise errors[0]
    return results
