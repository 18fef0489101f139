"""Questions an admin list asks about its whole table, answered from indexes in one query each
rather than by reading every row: which of a few conditions some record meets (the years of a
list's date links, the countries its filter offers), and which values a column holds."""

import datetime

from django.conf import settings
from django.db import connections, models


def met(queryset, field: models.Field, lookups: tuple[str, ...], candidates: list) -> list:
    """The candidates some record of `queryset` meets, in their order, in one query: candidate
    `c` (a tuple, a value per lookup) is met when `queryset.filter(**dict(zip(lookups, c)))`
    has a record. `field` is the field the lookups compare (a date, a country).

    SELECT EXISTS (the first's records), EXISTS (the second's), ... : each EXISTS stops at the
    first record it finds, through an index on the field. The query's SQL is Django's for
    one candidate, compiled once, its values then replaced by each candidate's: compiling
    dozens of subqueries through the ORM took longer than running them."""
    if not candidates:
        return []
    connection = connections[queryset.db]

    def adapt(value):  # as a lookup's right-hand side reaches the database
        return field.get_db_prep_value(value, connection, prepared=False)

    marks = [_mark(field, i) for i in range(len(lookups))]
    probe = queryset.order_by().filter(**dict(zip(lookups, marks, strict=True)))
    sql, params = probe.query.exists().get_compiler(using=queryset.db).as_sql()
    params = list(params)
    places = [i for mark in map(adapt, marks) for i, p in enumerate(params) if p == mark]
    if len(places) != len(lookups):  # a value not passed as is: compile each probe instead
        return _met_one_by_one(queryset, lookups, candidates)
    every_params = []
    for candidate in candidates:
        one = list(params)
        for place, value in zip(places, candidate, strict=True):
            one[place] = adapt(value)
        every_params.extend(one)
    # Raw SQL made of Django's own for one candidate, repeated (see above): the list's page
    # would otherwise spend more time building its date links than finding them.
    every_sql = "SELECT " + ", ".join(f"EXISTS ({sql})" for _ in candidates)
    with connection.cursor() as cursor:
        cursor.execute(every_sql, every_params)
        found = cursor.fetchone()
    return [candidate for candidate, yes in zip(candidates, found, strict=True) if yes]


def _mark(field: models.Field, i: int):
    """A value of `field`'s kind that no query of a list holds, to find in compiled SQL."""
    if isinstance(field, models.DateTimeField):
        zone = datetime.UTC if settings.USE_TZ else None
        return datetime.datetime(1, 1, 1 + i, 0, 0, 7, tzinfo=zone)
    if isinstance(field, models.DateField):
        return datetime.date(1, 1, 1 + i)
    return f"\u2063vigil probe {i}\u2063"


def _met_one_by_one(queryset, lookups, candidates) -> list:
    records = queryset.order_by()
    probes = {
        f"p{i}": models.Exists(records.filter(**dict(zip(lookups, candidate, strict=True))))
        for i, candidate in enumerate(candidates)
    }
    rows = list(
        queryset.model._base_manager.db_manager(queryset.db)
        .order_by()
        .annotate(**probes)
        .values_list(*probes)[:1]
    )
    if not rows:
        return []
    return [candidate for candidate, yes in zip(candidates, rows[0], strict=True) if yes]


def values_in_column(field: models.Field, using: str) -> list:
    """The distinct non-null values of `field`'s column over its whole table, smallest first,
    each found by one step along the column's index: as many steps as values (a few dozen
    countries), not a read of every row."""
    connection = connections[using]
    table = connection.ops.quote_name(field.model._meta.db_table)
    column = connection.ops.quote_name(field.column)
    # Raw SQL: Django's ORM has no recursive query. `SELECT DISTINCT country` would read every
    # case on every visit of the list, so that the page slowed as the cases grew; this walks the
    # index from each value to the next (PostgreSQL and SQLite alike). The names in it are
    # the model's own table and column, quoted; no value is written into it.
    sql = (
        f"WITH RECURSIVE used(value) AS ("  # noqa: S608
        f" SELECT MIN({column}) FROM {table}"
        f" UNION ALL"
        f" SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > used.value)"
        f" FROM used WHERE used.value IS NOT NULL"
        f") SELECT value FROM used WHERE value IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [value for (value,) in cursor.fetchall()]
