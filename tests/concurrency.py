"""Calls made at the same moment, for the race tests that need PostgreSQL's row locks."""

import threading
import time
from collections.abc import Callable

from django.db import connection, connections


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


def wait_for_another_session_to_wait_for_a_lock(timeout: float = 20) -> None:
    """On PostgreSQL: return once another session of this database is waiting for a lock, such
    as the row lock this session holds. A race test then knows the other side has got as far as
    that lock, however slow the machine, instead of sleeping and hoping it has."""
    deadline = time.monotonic() + timeout
    # Raw SQL: the ORM has no API for the server's view of other sessions (pg_stat_activity).
    with connection.cursor() as cursor:  # raw SQL: see above
        while time.monotonic() < deadline:
            # The view's snapshot is kept for the transaction: cleared before each look.
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # raw SQL: no ORM API for it
            cursor.execute(  # raw SQL: other sessions' lock waits, which the ORM cannot see
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError(f"no other session waited for a lock within {timeout} s")
