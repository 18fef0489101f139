"""The matcher for everyone currently watched, rebuilt only when the watch list changes.

Every poll asks whether the watch list changed since the matcher was built, so the question
must cost next to nothing however many people are watched. Its answer is one aggregate over
the watched persons (the partial index on watch_enabled): how many there are and the latest
`updated_at` among them. An added, renamed or re-watched person moves the latest `updated_at`
(every save sets it); an unwatched or deleted one lowers the count; a change that does both
(one leaves, another is added) moves the time.
"""

import threading

from django.db.models import Count, Max

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


def _watch_list_key() -> tuple:
    watched = DetainedPerson.objects.watched().order_by()
    key = watched.aggregate(count=Count("pk"), latest=Max("updated_at"))
    return key["count"], key["latest"]


def current_matcher() -> Matcher:
    """One cheap query to see whether the watch list changed (see the module's docstring);
    the automaton over every name form is rebuilt only then."""
    key = _watch_list_key()
    with _lock:
        if _built["key"] != key:
            _built["matcher"] = Matcher(watched_people())
            _built["key"] = key
        return _built["matcher"]
