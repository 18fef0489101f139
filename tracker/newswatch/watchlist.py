"""The matcher for everyone currently watched, rebuilt only when the watch list changes."""

import threading

from django.db.models import Count, Max

from tracker.models import DetainedPerson
from tracker.newswatch.matching import Matcher, WatchedPerson

_lock = threading.Lock()
_built: dict = {"key": None, "matcher": None}


def watched_people(queryset=None) -> list[WatchedPerson]:
    queryset = DetainedPerson.objects.watched() if queryset is None else queryset
    rows = queryset.values_list("id", "name", "native_name", "aliases", "context_terms")
    return [
        WatchedPerson(
            id=pk,
            name_forms=tuple(f for f in (name, native, *(aliases or [])) if f and f.strip()),
            context_terms=tuple(t for t in (context or []) if t and t.strip()),
        )
        for pk, name, native, aliases, context in rows
    ]


def current_matcher() -> Matcher:
    """One query to see whether the watch list changed (count and latest edit); the automaton
    over every name form is rebuilt only then."""
    state = DetainedPerson.objects.watched().aggregate(n=Count("id"), latest=Max("updated_at"))
    key = (state["n"], state["latest"])
    with _lock:
        if _built["key"] != key:
            _built["matcher"] = Matcher(watched_people())
            _built["key"] = key
        return _built["matcher"]
