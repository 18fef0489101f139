"""Parsed entries into NewsItems and Mentions, in a fixed number of queries per batch.

Idempotent: items are unique by canonical URL, links to sources and mentions by their pairs,
and every insert ignores rows another worker wrote first. Polling the same feed twice, or a
task redelivered after a worker died, adds nothing.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tracker.models import Mention, NewsItem, NewsSource
from tracker.newswatch.matching import Matcher
from tracker.newswatch.parsing import ParsedEntry
from tracker.newswatch.urls import canonical_url
from tracker.text import fold

_CHUNK = 500
# Google News links are opaque tokens: the same story is recognised by publisher + title.
TITLE_KEY_WINDOW = timedelta(days=7)
SUMMARY_MAX = 20_000
_UPDATABLE = ("title", "summary", "published_at", "language", "publisher", "title_key")


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


def _chunks(values: Sequence) -> Iterable[Sequence]:
    for i in range(0, len(values), _CHUNK):
        yield values[i : i + _CHUNK]


def _title_key(entry: ParsedEntry) -> str:
    if not entry.publisher or not entry.title:
        return ""
    return f"{fold(entry.publisher)}|{fold(entry.title)}"[:1300]


def _candidate(entry: ParsedEntry) -> NewsItem | None:
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


def _existing(source: NewsSource, candidates: list[NewsItem]) -> dict[str, dict]:
    """Items already stored, found by guid (within this source), canonical URL, and title
    key (within the last 7 days)."""
    guids = [c.guid for c in candidates if c.guid]
    urls = [c.url for c in candidates]
    keys = [c.title_key for c in candidates if c.title_key]
    found: dict[str, dict] = {"guid": {}, "url": {}, "title_key": {}}
    for chunk in _chunks(guids):
        for item in NewsItem.objects.filter(sources=source, guid__in=chunk):
            found["guid"][item.guid] = item
    for chunk in _chunks(urls):
        for item in NewsItem.objects.filter(url__in=chunk):
            found["url"][item.url] = item
    since = timezone.now() - TITLE_KEY_WINDOW
    for chunk in _chunks(keys):
        for item in NewsItem.objects.filter(title_key__in=chunk, first_seen_at__gte=since):
            found["title_key"][item.title_key] = item
    return found


def _text(item: NewsItem) -> str:
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
    found = _existing(source, list(candidates.values()))

    new: list[NewsItem] = []
    changed: list[NewsItem] = []
    seen: list[NewsItem] = []
    batch_keys: set[str] = set()  # one story twice in the same answer
    now = timezone.now()
    for c in candidates.values():
        item = (
            found["guid"].get(c.guid or None)
            or found["url"].get(c.url)
            or found["title_key"].get(c.title_key or None)
        )
        if item is None:
            keys = {
                f"guid:{c.guid}" if c.guid else "",
                f"title:{c.title_key}" if c.title_key else "",
            }
            keys.discard("")
            if not keys & batch_keys:
                new.append(c)
            batch_keys |= keys
            continue
        if any(getattr(item, f) != getattr(c, f) for f in ("title", "summary")):
            for f in _UPDATABLE:
                setattr(item, f, getattr(c, f) or getattr(item, f))
            item.updated_at = now
            changed.append(item)
        seen.append(item)

    NewsItem.objects.bulk_create(new, ignore_conflicts=True, batch_size=_CHUNK)
    # ignore_conflicts leaves the ids unset: read back just the ids (a row another worker
    # stored first is found the same way).
    ids: dict[str, int] = {}
    for chunk in _chunks([c.url for c in new]):
        ids.update(NewsItem.objects.filter(url__in=chunk).values_list("url", "pk"))
    stored = []
    for c in new:
        c.pk = ids.get(c.url)
        if c.pk is not None:
            stored.append(c)
    NewsItem.objects.bulk_update(changed, [*_UPDATABLE, "updated_at"], batch_size=_CHUNK)
    result.items_new, result.items_updated = len(stored), len(changed)

    links = NewsItem.sources.through
    links.objects.bulk_create(
        [links(newsitem_id=item.pk, newssource_id=source.pk) for item in [*stored, *seen]],
        ignore_conflicts=True,
        batch_size=_CHUNK,
    )
    result.mentions_new = record_mentions(
        items=[*stored, *changed], matcher=matcher, new_item_ids={c.pk for c in stored}
    )
    return result


def record_mentions(
    *, items: Sequence[NewsItem], matcher: Matcher, new_item_ids: set[int] = frozenset()
) -> int:
    """Match each item's title and summary; add the mentions not recorded yet. Existing
    mentions (and the staff's review of them) are left as they are. Items in `new_item_ids`
    were stored just now and cannot have mentions yet: they are not looked up."""
    found: dict[tuple[int, int], list[str]] = {}
    for item in items:
        for person_id, terms in matcher.match(_text(item)).items():
            found[(item.pk, person_id)] = terms
    if not found:
        return 0
    existing = set()
    item_ids = sorted({item_id for item_id, _ in found} - set(new_item_ids))
    for chunk in _chunks(item_ids):
        existing.update(
            Mention.objects.filter(news_item_id__in=chunk).values_list("news_item_id", "person_id")
        )
    new = [
        Mention(news_item_id=item_id, person_id=person_id, matched_terms=terms)
        for (item_id, person_id), terms in found.items()
        if (item_id, person_id) not in existing
    ]
    Mention.objects.bulk_create(new, ignore_conflicts=True, batch_size=_CHUNK)
    return len(new)
