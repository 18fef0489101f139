"""The ingest's reads and writes of news items, their links to sources and their mentions.

Every poll stores up to a few hundred items, in a fixed number of ORM queries per batch of
CHUNK rows, the same code on SQLite and PostgreSQL:

- stored items are found by canonical URL, by guid among the source's items and by title key
  (`find_items`);
- new items are inserted with `bulk_create(update_conflicts=True)` on the unique URL: an item
  another worker stored meanwhile keeps its content (only its `updated_at` is touched), and
  every item comes back with its id;
- changed items are written with `bulk_update`, an empty value keeping the stored one;
- links to the source are `bulk_create(ignore_conflicts=True)` on their unique pair;
- mentions not recorded yet are `bulk_create`d, and their history is written through
  django-simple-history's `bulk_history_create`, so what the news watch found is audited like
  every other change. A mention already recorded, and the staff's review of it, is never
  touched: storing the same items twice adds nothing.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q

from config.batching import chunks
from tracker.newswatch.models import Mention, NewsItem, NewsItemSource

# Rows per look-up (a list of values in one IN): well under SQLite's limit on parameters.
CHUNK = 500
HISTORY_REASON = "Found by the news watch"

# What an entry may bring: a value it lacks (empty) keeps the stored one.
ITEM_FIELDS = ("title", "summary", "published_at", "language", "publisher", "title_key")
# What the ingest reads of a stored item: enough to tell a new version, and to merge it.
_FOUND_FIELDS = ("id", "url", "guid", *ITEM_FIELDS)


def _found(queryset) -> list[NewsItem]:
    return list(queryset.order_by().only(*_FOUND_FIELDS))  # no sort: any order will do


def find_items(
    *,
    source_id: int,
    urls: Sequence[str],
    guids: Sequence[str],
    title_keys: Sequence[str],
    keys_since: datetime,
) -> tuple[list[NewsItem], list[NewsItem], list[NewsItem]]:
    """Items already stored: (by canonical URL, by guid among this source's items, by title key
    among items first seen since `keys_since`)."""
    by_url: list[NewsItem] = []
    by_guid: list[NewsItem] = []
    by_key: list[NewsItem] = []
    items = NewsItem.objects
    carried = items.filter(
        Exists(NewsItemSource.objects.filter(newsitem=OuterRef("pk"), newssource_id=source_id))
    )
    for chunk in chunks(urls, CHUNK):
        by_url += _found(items.filter(url__in=chunk))
    for chunk in chunks(guids, CHUNK):
        # An item whose guid differs from its URL is in the (partial) guid index; one whose
        # guid is its URL is found by URL. The conditions repeat the index's, so it is used;
        # the source's link is then checked item by item (EXISTS), never by reading all of
        # the source's links.
        by_guid += _found(
            carried.filter(
                (Q(guid__in=chunk) & ~Q(guid="") & ~Q(guid=F("url")))
                | Q(url__in=chunk, guid=F("url"))
            )
        )
    for chunk in chunks(title_keys, CHUNK):
        # Not the empty key: the condition of the partial index this uses.
        by_key += _found(
            items.filter(title_key__in=chunk, first_seen_at__gte=keys_since).exclude(title_key="")
        )
    return by_url, by_guid, by_key


def insert_items(items: Sequence[NewsItem]) -> None:
    """Store the new items, giving each its pk. A URL another worker stored meanwhile keeps
    the stored item's content (its `updated_at` says it was seen again), and that item's pk."""
    # In URL order: two workers inserting the same URLs then lock them in one order.
    NewsItem.objects.bulk_create(
        sorted(items, key=lambda item: item.url),
        update_conflicts=True,
        unique_fields=["url"],
        update_fields=["updated_at"],
    )


def update_items(changes: Sequence[tuple[NewsItem, NewsItem]], *, now: datetime) -> list[NewsItem]:
    """Write each (stored item, new version) over the stored item: a value the new version
    lacks keeps the stored one. Returns the stored items as written."""
    updated = []
    for stored, new in sorted(changes, key=lambda pair: pair[0].pk):
        for name in ITEM_FIELDS:
            value = getattr(new, name)
            if value not in ("", None):
                setattr(stored, name, value)
        stored.updated_at = now
        updated.append(stored)
    NewsItem.objects.bulk_update(updated, [*ITEM_FIELDS, "updated_at"], batch_size=CHUNK)
    return updated


def link_items(*, source_id: int, item_ids: Iterable[int]) -> None:
    """Record that the source carried these items (links already there are kept)."""
    ids = sorted(set(item_ids))  # in key order: concurrent polls then lock rows in one order
    NewsItemSource.objects.bulk_create(
        [NewsItemSource(newsitem_id=pk, newssource_id=source_id) for pk in ids],
        ignore_conflicts=True,
        batch_size=CHUNK,
    )


@transaction.atomic(savepoint=False)
def insert_mentions(found: dict[tuple[int, int], list[str]], *, items_locked: bool = False) -> int:
    """Record a new mention, with its history, for each (item id, person id) not recorded yet,
    with the terms that matched; return how many were recorded. Mentions already there (and
    the staff's review of them) are left as they are.

    Two workers recording mentions of one item must do it one after the other, so that the
    second sees the first's: the items' rows are locked first, unless the caller's transaction
    holds their locks already (`items_locked`: it inserted or updated those rows, and a row a
    transaction wrote stays locked until it commits). (SQLite has no row locks and needs none:
    it runs one writer at a time.)"""
    found = dict(found)
    item_ids = sorted({item_id for item_id, _ in found})
    for chunk in chunks(item_ids, CHUNK):
        if not items_locked and connection.features.has_select_for_update:
            locked = NewsItem.objects.select_for_update().filter(pk__in=chunk).order_by("pk")
            list(locked.values_list("pk"))
        existing = Mention.objects.filter(news_item_id__in=chunk).order_by()  # no sort needed
        for pair in existing.values_list("news_item_id", "person_id"):
            found.pop(pair, None)
    mentions = Mention.objects.bulk_create(
        [
            Mention(
                news_item_id=item_id, person_id=person_id, matched_terms=found[item_id, person_id]
            )
            for item_id, person_id in sorted(found)
        ],
        batch_size=CHUNK,
    )
    for mention in mentions:
        mention._history_date = mention.created_at  # recorded when it was found
    Mention.history.bulk_history_create(
        mentions, batch_size=CHUNK, default_change_reason=HISTORY_REASON
    )
    return len(mentions)
