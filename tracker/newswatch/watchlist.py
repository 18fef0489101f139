"""The matcher for everyone currently watched, rebuilt only when the watch list changes.

Every poll asks whether the watch list changed since the matcher was built, so the question
must cost next to nothing however many people are watched. Its answer is a key of two index
look-ups, never a scan:

- the time of the latest history record of any detained person. Every write through the ORM
  (services, admin, API, CSV import) is recorded there, deletions included, so an added,
  renamed, unwatched or deleted person changes the key;
- the latest `updated_at` among watched persons (a partial index), which also catches a row
  written without history, such as a bulk insert.
"""

import functools
import threading

from django.db import connection

from tracker.cases.models import DetainedPerson, name_forms
from tracker.newswatch.matching import Matcher, WatchedPerson

_lock = threading.Lock()
_built: dict = {"key": None, "matcher": None}


# The columns a WatchedPerson is made of, in the order watched_person() takes them.
WATCHED_COLUMNS = ("id", "name", "native_name", "aliases", "context_terms")


def watched_person(pk, name, native_name, aliases, context_terms) -> WatchedPerson:
    """A WatchedPerson from a row of WATCHED_COLUMNS (read with values_list)."""
    return WatchedPerson(
        id=pk,
        name_forms=tuple(name_forms(name, native_name, aliases)),
        context_terms=tuple(t for t in (context_terms or []) if t and t.strip()),
    )


def watched_people(queryset=None) -> list[WatchedPerson]:
    queryset = DetainedPerson.objects.watched() if queryset is None else queryset
    return [watched_person(*row) for row in queryset.values_list(*WATCHED_COLUMNS)]


@functools.cache
def _watch_list_key_sql() -> str:
    q = connection.ops.quote_name
    history = q(DetainedPerson.history.model._meta.db_table)
    persons = q(DetainedPerson._meta.db_table)
    return (
        f"SELECT (SELECT MAX(history_date) FROM {history}), "  # noqa: S608 (names only)
        f"(SELECT MAX(updated_at) FROM {persons} WHERE watch_enabled)"
    )


def _watch_list_key() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(_watch_list_key_sql())
        return tuple(cursor.fetchone())


def current_matcher() -> Matcher:
    """One cheap query to see whether the watch list changed (see the module's docstring);
    the automaton over every name form is rebuilt only then."""
    key = _watch_list_key()
    with _lock:
        if _built["key"] != key:
            _built["matcher"] = Matcher(watched_people())
            _built["key"] = key
        return _built["matcher"]
