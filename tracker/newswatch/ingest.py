"""Parsed entries into NewsItems and Mentions, in a fixed number of queries per batch.

Idempotent: items are unique by canonical URL, links to sources and mentions by their pairs,
and every write leaves alone what another worker wrote first (see `store`). Polling the same
feed twice, or a task redelivered after a worker died, adds nothing.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tracker.newswatch import store
from tracker.newswatch.matching import Matcher
from tracker.newswatch.models import NewsItem, NewsSource
from tracker.newswatch.parsing import ParsedEntry
from tracker.newswatch.urls import canonical_url
from tracker.text import fold

# Google News links are opaque tokens: the same story is recognised by publisher + title.
TITLE_KEY_WINDOW = timedelta(days=7)
SUMMARY_MAX = 20_000


@dataclass
class IngestResult:
    items_new: int = 0
    items_updated: int = 0
    mentions_new: int = 0

    def __iadd__(self, other: "IngestResult") -> "IngestResult":
        self.items_new += other.items_new
        self.items_updated += other.items_updated
        self.mentions_new += other.mentions_new
        return self


def _title_key(entry: ParsedEntry) -> str:
    if not entry.publisher or not entry.title:
        return ""
    return f"{fold(entry.publisher)}|{fold(entry.title)}"[:1300]


def _candidate(entry: ParsedEntry) -> NewsItem | None:
    """The entry as an unsaved item (None: it has no link or no title)."""
    url = canonical_url(entry.url) if entry.url else ""
    if not url or not entry.title:
        return None
    return NewsItem(
        url=url[:2000],
        title=entry.title[:1000],
        # A feed's content:encoded can be a whole article; the start is what staff review.
        summary=entry.summary[:SUMMARY_MAX],
        published_at=entry.published_at,
        language=entry.language[:20],
        guid=entry.guid[:1000],
        publisher=entry.publisher[:300],
        title_key=_title_key(entry),
    )


def _text(item) -> str:
    return f"{item.title}\n{item.summary}"


@transaction.atomic(savepoint=False)  # all or nothing, without a savepoint of its own
def ingest_entries(
    *, source: NewsSource, entries: Iterable[ParsedEntry], matcher: Matcher
) -> IngestResult:
    result = IngestResult()
    candidates: dict[str, NewsItem] = {}
    for entry in entries:
        candidate = _candidate(entry)
        if candidate is not None:
            candidates.setdefault(candidate.url, candidate)
    if not candidates:
        return result
    now = timezone.now()
    by_url, by_guid, by_key = store.find_items(
        source_id=source.pk,
        urls=list(candidates),
        guids=[c.guid for c in candidates.values() if c.guid],
        title_keys=[c.title_key for c in candidates.values() if c.title_key],
        keys_since=now - TITLE_KEY_WINDOW,
    )
    found_url = {item.url: item for item in by_url}
    found_guid = {item.guid: item for item in by_guid}
    found_key = {item.title_key: item for item in by_key}

    new: list[NewsItem] = []
    changed: list[tuple[NewsItem, NewsItem]] = []  # (stored item, new version)
    seen_ids: set[int] = set()
    batch_guids: set[str] = set()  # one story twice in the same answer
    batch_keys: set[str] = set()
    for c in candidates.values():
        item = (
            found_guid.get(c.guid or None)
            or found_url.get(c.url)
            or found_key.get(c.title_key or None)
        )
        if item is None:
            if c.guid not in batch_guids and c.title_key not in batch_keys:
                new.append(c)  # (else the same story as an entry before it)
            if c.guid:
                batch_guids.add(c.guid)
            if c.title_key:
                batch_keys.add(c.title_key)
            continue
        if item.pk in seen_ids:
            continue
        seen_ids.add(item.pk)
        # A changed title or summary updates the item; an empty summary (GDELT sends none)
        # keeps the stored one (see store.update_items), so it is no change. (Every candidate
        # has a title: see _candidate.)
        if c.title != item.title or (c.summary and c.summary != item.summary):
            changed.append((item, c))

    # (A URL another worker stored meanwhile comes back as that item, and counts as new here
    # too: its mentions are looked up like any other's.)
    store.insert_items(new)
    updated = store.update_items(changed, now=now)
    result.items_new, result.items_updated = len(new), len(updated)
    store.link_items(source_id=source.pk, item_ids=[*(item.pk for item in new), *seen_ids])
    # This transaction wrote every one of these rows (inserted it, updated it on a URL
    # conflict, or updated it), so it holds their locks until it commits: no other worker
    # records mentions of them meanwhile, and they need no second lock.
    result.mentions_new = record_mentions(
        items=[*new, *updated], matcher=matcher, items_locked=True
    )
    return result


def record_mentions(*, items: Sequence, matcher: Matcher, items_locked: bool = False) -> int:
    """Match each item's title and summary (items have `pk`, `title`, `summary`); add the
    mentions not recorded yet, with their history. Existing mentions (and the staff's review of
    them) are left as they are. `items_locked`: the caller's transaction holds the items' row
    locks already (see store.insert_mentions)."""
    found: dict[tuple[int, int], list[str]] = {}
    for item in items:
        for person_id, terms in matcher.match(_text(item)).items():
            found[(item.pk, person_id)] = terms
    if not found:
        return 0
    return store.insert_mentions(found, items_locked=items_locked)
