"""The SQL of the ingest hot path: plain rows in, a fixed number of statements per batch.

Every poll stores up to a few hundred items, their links to the source and their mentions. The
ORM's `bulk_create` spends most of its time turning model instances into parameters, field by
field (about 40 µs an item on SQLite, 95 µs on PostgreSQL, more than fetching and parsing the
item), and with `ignore_conflicts` it cannot say which rows it inserted. So this module writes
the rows itself, in statements both PostgreSQL and SQLite (3.35 and later) understand:

    INSERT ... VALUES (...), (...) ON CONFLICT DO NOTHING RETURNING id, ...

which inserts what is new and says exactly which rows those were, in one round trip, while a
row another worker stored first is skipped by the database's own unique constraint. Table and
column names come from the models' `_meta`, and values go through the backend's own adapters
(`adapt_datetimefield_value`, `adapt_json_value`), so the rows are those the ORM would write.

`load_source` reads the source a poll starts from with one plain query, for the same reason:
building the ORM query costs several times what running it does, on every poll.

Mentions are written together with their history rows (django-simple-history's table), so
what the news watch found is audited like every other change.
"""

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection

from tracker.models import Mention, NewsItem, NewsSource

# Rows per statement: PostgreSQL allows 65,535 parameters, SQLite 32,766.
CHUNK = 500
HISTORY_REASON = "Found by the news watch"


@dataclass(slots=True)
class ItemRow:
    """A news item as the ingest handles it (a stored one has its `pk`)."""

    url: str
    title: str
    summary: str
    published_at: datetime | None
    language: str
    guid: str
    publisher: str
    title_key: str
    pk: int | None = None


def _chunks(values: Sequence) -> Iterable[Sequence]:
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model) -> str:
    return _q(model._meta.db_table)


def _dt(value: datetime | None):
    """A datetime as the backend stores it: what `adapt_datetimefield_value` returns, at a
    fraction of its cost on SQLite (a test compares the two)."""
    if value is None or connection.vendor != "sqlite":
        return connection.ops.adapt_datetimefield_value(value)
    if value.tzinfo is None:  # as Django: a naive datetime is refused with USE_TZ
        return connection.ops.adapt_datetimefield_value(value)
    return str(value.astimezone(UTC).replace(tzinfo=None))


@functools.cache
def _history_table() -> str:
    # (Reading `Mention.history` builds a manager: done once.)
    return _table(Mention.history.model)


def _values(rows: int, columns: int) -> str:
    one = "(" + ", ".join(["%s"] * columns) + ")"
    return ", ".join([one] * rows)


# What a poll reads of its source: text and integer columns, which need no conversion on any
# backend. Other fields are deferred (read on first access, as with `.only()`).
_SOURCE_FIELDS = (
    "id",
    "name",
    "kind",
    "url",
    "etag",
    "last_modified",
    "poll_interval_minutes",
    "min_interval_seconds",
    "consecutive_failures",
)


@functools.cache
def _source_columns() -> tuple[str, ...]:
    # In the model's field order, which Model.from_db expects.
    return tuple(f.column for f in NewsSource._meta.concrete_fields if f.attname in _SOURCE_FIELDS)


def load_source(source_id: int) -> NewsSource:
    """The source, as `NewsSource.objects.only(*_SOURCE_FIELDS).get(pk=source_id)` returns
    it."""
    columns = _source_columns()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(map(_q, columns))} FROM {_table(NewsSource)} WHERE id = %s",
            [source_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise NewsSource.DoesNotExist(f"There is no news source {source_id}.")
    return NewsSource.from_db(connection.alias, columns, row)


def record_poll(
    source_id: int,
    *,
    polled_at: datetime,
    status: str,
    next_poll_at: datetime,
    etag: str | None = None,
    last_modified: str | None = None,
) -> None:
    """A successful poll on the source: its status and time, the next poll, no error, no
    failure count; and the validators the server sent, when given."""
    validators = {} if etag is None else {"etag": etag, "last_modified": last_modified or ""}
    assignments = ", ".join(f"{_q(column)} = %s" for column in validators)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table(NewsSource)} SET last_polled_at = %s, last_status = %s, "
            "last_error = '', consecutive_failures = 0, next_poll_at = %s"
            f"{', ' if assignments else ''}{assignments} WHERE id = %s",
            [_dt(polled_at), status, _dt(next_poll_at), *validators.values(), source_id],
        )


_ITEM_COLUMNS = ("id", "url", "guid", "title_key", "title", "summary")


def _item(row: tuple) -> ItemRow:
    pk, url, guid, title_key, title, summary = row
    return ItemRow(url, title, summary, None, "", guid, "", title_key, pk)


def find_items(
    *,
    source_id: int,
    urls: Sequence[str],
    guids: Sequence[str],
    title_keys: Sequence[str],
    keys_since: datetime,
) -> tuple[list[ItemRow], list[ItemRow], list[ItemRow]]:
    """Items already stored: (by canonical URL, by guid among this source's items, by title key
    among items first seen since `keys_since`), in one query per chunk of each."""
    table, links = _table(NewsItem), _table(NewsItem.sources.through)
    columns = ", ".join(f"i.{_q(c)}" for c in _ITEM_COLUMNS)
    parts, params = [], []
    for chunk in _chunks(urls):
        parts.append(
            f"SELECT 0, {columns} FROM {table} i WHERE i.url IN ({', '.join(['%s'] * len(chunk))})"
        )
        params.extend(chunk)
    for chunk in _chunks(guids):
        parts.append(
            f"SELECT 1, {columns} FROM {table} i JOIN {links} l ON l.newsitem_id = i.id "
            f"WHERE l.newssource_id = %s AND i.guid IN ({', '.join(['%s'] * len(chunk))})"
        )
        params.extend([source_id, *chunk])
    for chunk in _chunks(title_keys):
        parts.append(
            # NOT (title_key = ''): the condition of the partial index it uses.
            f"SELECT 2, {columns} FROM {table} i WHERE i.title_key IN "
            f"({', '.join(['%s'] * len(chunk))}) AND NOT (i.title_key = '') "
            "AND i.first_seen_at >= %s"
        )
        params.extend([*chunk, _dt(keys_since)])
    found: tuple[list[ItemRow], list[ItemRow], list[ItemRow]] = ([], [], [])
    if not parts:
        return found
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for kind, *row in cursor.fetchall():
            found[kind].append(_item(row))
    return found


def insert_items(rows: Sequence[ItemRow], *, now: datetime) -> dict[str, int]:
    """Insert the rows whose URL is not stored yet; return {url: id} of those inserted (a URL
    another worker stored first is left out)."""
    table = _table(NewsItem)
    columns = (
        "url",
        "title",
        "summary",
        "published_at",
        "language",
        "guid",
        "publisher",
        "title_key",
        "first_seen_at",
        "updated_at",
    )
    stamp = _dt(now)
    inserted: dict[str, int] = {}
    with connection.cursor() as cursor:
        for chunk in _chunks(rows):
            params = []
            for r in chunk:
                params += (
                    r.url,
                    r.title,
                    r.summary,
                    _dt(r.published_at),
                    r.language,
                    r.guid,
                    r.publisher,
                    r.title_key,
                    stamp,
                    stamp,
                )
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(map(_q, columns))}) "
                f"VALUES {_values(len(chunk), len(columns))} "
                "ON CONFLICT DO NOTHING RETURNING id, url",
                params,
            )
            inserted.update((url, pk) for pk, url in cursor.fetchall())
    return inserted


def item_ids(urls: Sequence[str]) -> dict[str, int]:
    """{url: id} of the stored items among urls."""
    found: dict[str, int] = {}
    for chunk in _chunks(urls):
        found.update(NewsItem.objects.filter(url__in=chunk).values_list("url", "pk"))
    return found


def update_items(rows: Sequence[ItemRow], *, now: datetime) -> None:
    """Write the rows' fields over their stored items (found by pk); an empty or missing
    value keeps the stored one."""
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            # A value the new version lacks keeps the stored one.
            f"UPDATE {_table(NewsItem)} SET title = COALESCE(NULLIF(%s, ''), title), "
            "summary = COALESCE(NULLIF(%s, ''), summary), "
            "published_at = COALESCE(%s, published_at), "
            "language = COALESCE(NULLIF(%s, ''), language), "
            "publisher = COALESCE(NULLIF(%s, ''), publisher), "
            "title_key = COALESCE(NULLIF(%s, ''), title_key), updated_at = %s WHERE id = %s",
            [
                (
                    r.title,
                    r.summary,
                    _dt(r.published_at),
                    r.language,
                    r.publisher,
                    r.title_key,
                    _dt(now),
                    r.pk,
                )
                for r in rows
            ],
        )


def link_items(*, source_id: int, item_ids: Iterable[int]) -> None:
    """Record that the source carried these items (links already there are kept)."""
    pairs = [(item_id, source_id) for item_id in sorted(set(item_ids))]
    with connection.cursor() as cursor:
        for chunk in _chunks(pairs):
            cursor.execute(
                f"INSERT INTO {_table(NewsItem.sources.through)} (newsitem_id, newssource_id) "
                f"VALUES {_values(len(chunk), 2)} ON CONFLICT DO NOTHING",
                [value for pair in chunk for value in pair],
            )


def mentioned_pairs(item_ids: Sequence[int]) -> set[tuple[int, int]]:
    """(item id, person id) of the mentions already recorded for these items."""
    existing: set[tuple[int, int]] = set()
    for chunk in _chunks(item_ids):
        existing.update(
            Mention.objects.filter(news_item_id__in=chunk).values_list("news_item_id", "person_id")
        )
    return existing


def insert_mentions(found: dict[tuple[int, int], list[str]], *, now: datetime) -> int:
    """Insert a new mention for each (item id, person id) not recorded yet, with the terms that
    matched, and its history row; return how many were inserted."""
    if not found:
        return 0
    field = Mention._meta.get_field("matched_terms")
    stamp = _dt(now)
    new = Mention.Status.NEW
    count = 0
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(found.items())):
            params = []
            for (item_id, person_id), terms in chunk:
                terms_value = connection.ops.adapt_json_value(terms, field.encoder)
                params += (stamp, stamp, item_id, person_id, terms_value, new)
            cursor.execute(
                f"INSERT INTO {_table(Mention)} (created_at, updated_at, news_item_id, "
                f"person_id, matched_terms, status) VALUES {_values(len(chunk), 6)} "
                "ON CONFLICT DO NOTHING RETURNING id, news_item_id, person_id",
                params,
            )
            inserted = cursor.fetchall()
            count += len(inserted)
            if not inserted:
                continue
            params = []
            for pk, item_id, person_id in inserted:
                terms_value = connection.ops.adapt_json_value(
                    found[(item_id, person_id)], field.encoder
                )
                params += (pk, stamp, stamp, terms_value, new, item_id, person_id)
                params += (stamp, HISTORY_REASON, "+")
            cursor.execute(
                f"INSERT INTO {_history_table()} (id, created_at, updated_at, matched_terms, "
                "status, news_item_id, person_id, history_date, history_change_reason, "
                f"history_type) VALUES {_values(len(inserted), 10)}",
                params,
            )
    return count
