"""The SQL of the ingest hot path: plain rows in, a fixed number of statements per batch.

Every poll stores up to a few hundred items, their links to the source and their mentions. The
ORM's `bulk_create` spends most of its time turning model instances into parameters, field by
field (about 40 µs an item on SQLite, 95 µs on PostgreSQL, more than fetching and parsing the
item), and with `ignore_conflicts` it cannot say which rows it inserted. So this module writes
the rows itself, in statements both PostgreSQL and SQLite (3.35 and later) understand:

    INSERT ... VALUES (...), (...) ON CONFLICT DO NOTHING RETURNING id, ...

which inserts what is new and says exactly which rows those were, in one round trip, while a
row another worker stored first is skipped by the database's own unique constraint.

On PostgreSQL the rows travel as one array per column instead (`INSERT ... SELECT * FROM
unnest(%s::text[], ...)`, `url = ANY(%s)`): the SQL text then has the same few placeholders
however many rows there are. A `VALUES` list of 50 items is over 4 KB of SQL, which psycopg
does not cache, and splitting it at its 500 placeholders cost about 1.5 ms a statement, twice
what PostgreSQL took to run it. Mentions and their history rows are then one statement (a
data-modifying `WITH`).

Table and column names come from the models' `_meta`, and values go through the backend's own
adapters (`adapt_datetimefield_value`, `adapt_json_value`), so the rows are those the ORM would
write.

`load_source` reads the source a poll starts from with one plain query, for the same reason:
building the ORM query costs several times what running it does, on every poll.

Mentions are written together with their history rows (django-simple-history's table), so
what the news watch found is audited like every other change.
"""

import functools
import json
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection

from config.batching import chunks
from tracker.newswatch.models import Mention, NewsItem, NewsSource

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


# --- SQL text, built once per shape (names come from the models' _meta) -----------------------


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model) -> str:
    return _q(model._meta.db_table)


def _placeholders(n: int) -> str:
    return ", ".join(["%s"] * n)


def _arrays() -> bool:
    """Whether rows go to the database as one array per column (PostgreSQL)."""
    return connection.vendor == "postgresql"


def _insert(table: str, columns: Sequence[str], rows: int, tail: str = "") -> str:
    one = f"({_placeholders(len(columns))})"
    return (
        f"INSERT INTO {table} ({', '.join(map(_q, columns))}) "
        f"VALUES {', '.join([one] * rows)} {tail}".rstrip()
    )


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
_ITEM_INSERT = (
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
# An ItemRow's values, in the order of _ITEM_INSERT without its two timestamps.
_item_values = operator.attrgetter(*_ITEM_INSERT[:-2])
_ITEM_FOUND = ("id", "url", "guid", "title_key", "title", "summary")
_MENTION_INSERT = (
    "created_at",
    "updated_at",
    "news_item_id",
    "person_id",
    "matched_terms",
    "status",
)
# A history row copies the mention as inserted (its id included), then says when and why.
_MENTION_COPIED = ("id", *_MENTION_INSERT)
_MENTION_HISTORY_INSERT = (
    *_MENTION_COPIED,
    "history_date",
    "history_change_reason",
    "history_type",
)


@functools.cache
def _source_columns() -> tuple[str, ...]:
    # In the model's field order, which Model.from_db expects.
    return tuple(f.column for f in NewsSource._meta.concrete_fields if f.attname in _SOURCE_FIELDS)


@functools.cache
def _load_source_sql() -> str:
    columns = ", ".join(map(_q, _source_columns()))
    return f"SELECT {columns} FROM {_table(NewsSource)} WHERE id = %s"


@functools.cache
def _record_poll_sql(validators: bool) -> str:
    extra = ", etag = %s, last_modified = %s" if validators else ""
    return (
        f"UPDATE {_table(NewsSource)} SET last_polled_at = %s, last_status = %s, "
        f"last_error = %s, consecutive_failures = 0, next_poll_at = %s{extra} WHERE id = %s"
    )


@functools.cache
def _claim_due_sql() -> str:
    # Raw SQL for safety, not speed: UPDATE ... RETURNING claims the due sources and says which
    # in one statement, so two schedulers never claim one source (a provider asked twice at once
    # answers 429). The ORM's update() returns only a count, and a read followed by an update
    # lets two SQLite schedulers read the same rows before either writes. The CASE gives feeds
    # and search sources their own lease.
    return (
        f"UPDATE {_table(NewsSource)} "
        "SET next_poll_at = CASE WHEN kind = %s THEN %s ELSE %s END "
        "WHERE active AND (next_poll_at IS NULL OR next_poll_at <= %s) RETURNING id"
    )


def _find_statement(matches: Callable[[str, int], str], urls: int, guids: int, keys: int) -> str:
    """The look-up of stored items by URL, by guid among a source's items and by title key, for
    lists of the given lengths (a part whose list is empty is left out). `matches(column, n)`
    writes the test of a column against a list of n values, as each backend takes lists."""
    table, links = _table(NewsItem), _table(NewsItem.sources.through)
    columns = ", ".join(f"i.{_q(c)}" for c in _ITEM_FOUND)
    parts = []
    if urls:
        parts.append(f"SELECT 0, {columns} FROM {table} i WHERE {matches('i.url', urls)}")
    if guids:
        # An item whose guid differs from its URL is in the (partial) guid index; one whose
        # guid is its URL is found by URL. The conditions repeat the index's, so it is used.
        # CROSS JOIN: SQLite then reads the items first (by index), never all of the
        # source's links; PostgreSQL plans it as any inner join.
        by_guid = (
            f"SELECT 1, {columns} FROM {table} i CROSS JOIN {links} l "
            "WHERE l.newsitem_id = i.id AND l.newssource_id = %s "
        )
        parts.append(
            f"{by_guid}AND {matches('i.guid', guids)} "
            "AND (NOT (i.guid = '') AND NOT (i.guid = (i.url)))"
        )
        parts.append(f"{by_guid}AND {matches('i.url', guids)} AND i.guid = i.url")
    if keys:
        # NOT (title_key = ''): the condition of the partial index this uses.
        parts.append(
            f"SELECT 2, {columns} FROM {table} i WHERE {matches('i.title_key', keys)} "
            "AND NOT (i.title_key = '') AND i.first_seen_at >= %s"
        )
    return " UNION ALL ".join(parts)


@functools.lru_cache(maxsize=256)  # keyed by three counts: bounded, unlike the others
def _find_sql(urls: int, guids: int, keys: int) -> str:
    return _find_statement(lambda column, n: f"{column} IN ({_placeholders(n)})", urls, guids, keys)


@functools.cache
def _insert_items_sql(rows: int) -> str:
    return _insert(_table(NewsItem), _ITEM_INSERT, rows, "ON CONFLICT DO NOTHING RETURNING id, url")


@functools.cache
def _update_item_sql() -> str:
    # A value the new version lacks keeps the stored one.
    return (
        f"UPDATE {_table(NewsItem)} SET title = COALESCE(NULLIF(%s, ''), title), "
        "summary = COALESCE(NULLIF(%s, ''), summary), "
        "published_at = COALESCE(%s, published_at), "
        "language = COALESCE(NULLIF(%s, ''), language), "
        "publisher = COALESCE(NULLIF(%s, ''), publisher), "
        "title_key = COALESCE(NULLIF(%s, ''), title_key), updated_at = %s WHERE id = %s"
    )


@functools.cache
def _link_sql(rows: int) -> str:
    table = _table(NewsItem.sources.through)
    return _insert(table, ("newsitem_id", "newssource_id"), rows, "ON CONFLICT DO NOTHING")


@functools.cache
def _insert_mentions_sql(rows: int) -> str:
    tail = "ON CONFLICT DO NOTHING RETURNING id, news_item_id, person_id"
    return _insert(_table(Mention), _MENTION_INSERT, rows, tail)


@functools.cache
def _insert_mention_history_sql(rows: int) -> str:
    # (Reading `Mention.history` builds a manager: done once here.)
    return _insert(_table(Mention.history.model), _MENTION_HISTORY_INSERT, rows)


@functools.cache
def _find_array_sql() -> str:
    """_find_sql for PostgreSQL: each list is one array parameter, every part present."""
    return _find_statement(lambda column, _n: f"{column} = ANY(%s::text[])", 1, 1, 1)


@functools.cache
def _insert_items_array_sql() -> str:
    # One array per column of _ITEM_INSERT but the two timestamps every row shares.
    kinds = {"published_at": "timestamptz"}
    arrays = ", ".join(f"%s::{kinds.get(column, 'text')}[]" for column in _ITEM_INSERT[:-2])
    return (
        f"INSERT INTO {_table(NewsItem)} ({', '.join(map(_q, _ITEM_INSERT))}) "
        f"SELECT u.*, %s, %s FROM unnest({arrays}) AS u "
        "ON CONFLICT DO NOTHING RETURNING id, url"
    )


@functools.cache
def _link_array_sql() -> str:
    return (
        f"INSERT INTO {_table(NewsItem.sources.through)} (newsitem_id, newssource_id) "
        "SELECT unnest(%s::bigint[]), %s ON CONFLICT DO NOTHING"
    )


@functools.cache
def _insert_mentions_array_sql() -> str:
    """The new mentions and their history rows in one statement; its row count is how many
    mentions were inserted."""
    copied = ", ".join(map(_q, _MENTION_COPIED))
    return (
        f"WITH inserted AS (INSERT INTO {_table(Mention)} ({', '.join(map(_q, _MENTION_INSERT))}) "
        "SELECT %s, %s, u.item, u.person, u.terms::jsonb, %s "
        "FROM unnest(%s::bigint[], %s::bigint[], %s::text[]) AS u (item, person, terms) "
        f"ON CONFLICT DO NOTHING RETURNING {copied}) "
        f"INSERT INTO {_table(Mention.history.model)} "
        f"({', '.join(map(_q, _MENTION_HISTORY_INSERT))}) "
        f"SELECT {copied}, %s, %s, %s FROM inserted"
    )


# --- Values -------------------------------------------------------------------------------------


def _datetime_adapter() -> Callable[[datetime | None], object]:
    """A function giving a datetime as the backend stores it: what the backend's
    `adapt_datetimefield_value` returns, at a fraction of its cost on SQLite (a test compares
    the two)."""
    adapt = connection.ops.adapt_datetimefield_value
    if connection.vendor != "sqlite":
        return adapt

    def to_sqlite(value: datetime | None) -> object:
        if value is None or value.tzinfo is None:  # (a naive one is refused, as by Django)
            return adapt(value)
        if value.tzinfo is not UTC:  # (parsed dates and timezone.now() are in UTC already)
            value = value.astimezone(UTC)
        return value.isoformat(" ")[:-6]  # str() of the naive time: without "+00:00"

    return to_sqlite


# --- Statements ---------------------------------------------------------------------------------


def load_source(source_id: int) -> NewsSource:
    """The source, as `NewsSource.objects.only(*_SOURCE_FIELDS).get(pk=source_id)` returns it:
    the text and integer fields a poll reads, which need no conversion on any backend (the
    others are deferred, and read on first access)."""
    with connection.cursor() as cursor:
        cursor.execute(_load_source_sql(), [source_id])
        row = cursor.fetchone()
    if row is None:
        raise NewsSource.DoesNotExist(f"There is no news source {source_id}.")
    return NewsSource.from_db(connection.alias, _source_columns(), row)


def record_poll(
    source_id: int,
    *,
    polled_at: datetime,
    status: str,
    next_poll_at: datetime,
    error: str = "",
    etag: str | None = None,
    last_modified: str | None = None,
) -> None:
    """A successful poll on the source: its status and time, the next poll, no failure count,
    `error` (a note on a partial failure, or none); and the validators the server sent, when
    given."""
    dt = _datetime_adapter()
    params = [dt(polled_at), status, error[:2000], dt(next_poll_at)]
    if etag is not None:
        params += [etag, last_modified or ""]
    with connection.cursor() as cursor:
        cursor.execute(_record_poll_sql(etag is not None), [*params, source_id])


def claim_due_sources(*, now: datetime, feed_until: datetime, search_until: datetime) -> list[int]:
    """Move next_poll_at to `feed_until` (feeds) or `search_until` (search sources) on every
    active source whose next poll is not after `now` (or was never set), and return their ids,
    in order.

    One statement: a source due at `now` is claimed by exactly one caller, however many run at
    once (PostgreSQL re-checks the condition on a row another transaction just updated; SQLite
    runs one writer at a time)."""
    dt = _datetime_adapter()
    with connection.cursor() as cursor:
        params = [NewsSource.Kind.FEED.value, dt(feed_until), dt(search_until), dt(now)]
        cursor.execute(_claim_due_sql(), params)
        return sorted(pk for (pk,) in cursor.fetchall())


def find_items(
    *,
    source_id: int,
    urls: Sequence[str],
    guids: Sequence[str],
    title_keys: Sequence[str],
    keys_since: datetime,
) -> tuple[list[ItemRow], list[ItemRow], list[ItemRow]]:
    """Items already stored: (by canonical URL, by guid among this source's items, by title key
    among items first seen since `keys_since`), with one query (per CHUNK of each, on SQLite)."""
    since = _datetime_adapter()(keys_since)
    with connection.cursor() as cursor:
        if _arrays():
            params = [list(urls), source_id, list(guids), source_id, list(guids)]
            cursor.execute(_find_array_sql(), [*params, list(title_keys), since])
            rows = cursor.fetchall()
        else:
            rows = []
            for start in range(0, max(len(urls), len(guids), len(title_keys)), CHUNK):
                u, g, k = (values[start : start + CHUNK] for values in (urls, guids, title_keys))
                params = [
                    *u,
                    *([source_id, *g, source_id, *g] if g else []),
                    *([*k, since] if k else []),
                ]
                cursor.execute(_find_sql(len(u), len(g), len(k)), params)
                rows += cursor.fetchall()
    found: tuple[list[ItemRow], list[ItemRow], list[ItemRow]] = ([], [], [])
    for kind, pk, url, guid, title_key, title, summary in rows:
        found[kind].append(ItemRow(url, title, summary, None, "", guid, "", title_key, pk))
    return found


def insert_items(rows: Sequence[ItemRow], *, now: datetime) -> dict[str, int]:
    """Insert the rows whose URL is not stored yet; return {url: id} of those inserted (a URL
    another worker stored first is left out)."""
    if not rows:
        return {}
    dt = _datetime_adapter()
    stamp = dt(now)
    with connection.cursor() as cursor:
        if _arrays():
            columns = [list(column) for column in zip(*map(_item_values, rows), strict=True)]
            columns[3] = [dt(value) for value in columns[3]]  # published_at
            cursor.execute(_insert_items_array_sql(), [stamp, stamp, *columns])
            return {url: pk for pk, url in cursor.fetchall()}
        inserted: dict[str, int] = {}
        for chunk in chunks(rows, CHUNK):
            params: list = []
            for url, title, summary, published, *rest in map(_item_values, chunk):
                params += (url, title, summary, dt(published), *rest, stamp, stamp)
            cursor.execute(_insert_items_sql(len(chunk)), params)
            inserted.update((url, pk) for pk, url in cursor.fetchall())
    return inserted


def item_ids(urls: Sequence[str]) -> dict[str, int]:
    """{url: id} of the stored items among urls."""
    found: dict[str, int] = {}
    for chunk in chunks(urls, CHUNK):
        found.update(NewsItem.objects.filter(url__in=chunk).values_list("url", "pk"))
    return found


def update_items(rows: Sequence[ItemRow], *, now: datetime) -> None:
    """Write the rows' fields over their stored items (found by pk); an empty or missing
    value keeps the stored one."""
    if not rows:
        return
    dt = _datetime_adapter()
    stamp = dt(now)
    with connection.cursor() as cursor:
        cursor.executemany(
            _update_item_sql(),
            [
                (
                    r.title,
                    r.summary,
                    dt(r.published_at),
                    r.language,
                    r.publisher,
                    r.title_key,
                    stamp,
                    r.pk,
                )
                for r in rows
            ],
        )


def link_items(*, source_id: int, item_ids: Iterable[int]) -> None:
    """Record that the source carried these items (links already there are kept)."""
    ids = sorted(set(item_ids))  # in key order: concurrent polls then lock rows in one order
    if not ids:
        return
    with connection.cursor() as cursor:
        if _arrays():
            cursor.execute(_link_array_sql(), [ids, source_id])
            return
        for chunk in chunks(ids, CHUNK):
            params = [value for item_id in chunk for value in (item_id, source_id)]
            cursor.execute(_link_sql(len(chunk)), params)


def mentioned_pairs(item_ids: Sequence[int]) -> set[tuple[int, int]]:
    """(item id, person id) of the mentions already recorded for these items."""
    existing: set[tuple[int, int]] = set()
    for chunk in chunks(item_ids, CHUNK):
        existing.update(
            Mention.objects.filter(news_item_id__in=chunk).values_list("news_item_id", "person_id")
        )
    return existing


def insert_mentions(found: dict[tuple[int, int], list[str]], *, now: datetime) -> int:
    """Insert a new mention for each (item id, person id) not recorded yet, with the terms that
    matched, and its history row; return how many were inserted."""
    if not found:
        return 0
    pairs = sorted(found)  # in key order, as link_items
    encoder = Mention._meta.get_field("matched_terms").encoder
    stamp = _datetime_adapter()(now)
    new = Mention.Status.NEW
    with connection.cursor() as cursor:
        if _arrays():
            terms = [json.dumps(found[pair], cls=encoder) for pair in pairs]
            items, people = (list(column) for column in zip(*pairs, strict=True))
            cursor.execute(
                _insert_mentions_array_sql(),
                [stamp, stamp, new, items, people, terms, stamp, HISTORY_REASON, "+"],
            )
            return cursor.rowcount
        adapted = {pair: connection.ops.adapt_json_value(found[pair], encoder) for pair in pairs}
        count = 0
        for chunk in chunks(pairs, CHUNK):
            params: list = []
            for item_id, person_id in chunk:
                params += (stamp, stamp, item_id, person_id, adapted[item_id, person_id], new)
            cursor.execute(_insert_mentions_sql(len(chunk)), params)
            inserted = cursor.fetchall()
            count += len(inserted)
            if not inserted:
                continue
            params = []
            for pk, item_id, person_id in inserted:
                params += (pk, stamp, stamp, item_id, person_id, adapted[item_id, person_id], new)
                params += (stamp, HISTORY_REASON, "+")
            cursor.execute(_insert_mention_history_sql(len(inserted)), params)
    return count
