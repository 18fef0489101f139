"""A record's small related lists read with the record itself, in one query.

`json_list(queryset, **fields)` is a correlated subquery giving the rows of `queryset` (filtered
on the outer row with OuterRef) as one JSON array of objects, on PostgreSQL (JSONB_AGG) and
SQLite (JSON_GROUP_ARRAY) alike; `instances(model, rows)` makes model instances of them again,
with their values in Python's types, as a query would have. A page that shows a record with a
few short lists (a case's campaigns, notes and documents) reads them all in the record's query
rather than one query each.

The array's order is not the query's: sort the instances in Python.
"""

import re
from datetime import UTC

from django.conf import settings
from django.db import models
from django.db.models import Aggregate, F, Func, JSONField, Subquery
from django.utils.dateparse import parse_date, parse_datetime


class JSONList(Aggregate):
    """The rows' values as one JSON array."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


class JSONValue(Func):
    """A JSONField's column for json_list's `fields`: its JSON, where SQLite would give the
    text it stores it as."""

    function = "JSON"
    output_field = JSONField()

    def __init__(self, expression):
        super().__init__(F(expression) if isinstance(expression, str) else expression)

    def as_postgresql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])


class JSONRow(Func):
    """JSONObject(**fields) with its keys written into the SQL rather than passed as parameters
    (each cast to text on PostgreSQL): the same object, for less to compile. The keys are
    names (checked), never data."""

    output_field = JSONField()

    def __init__(self, **fields):
        for key in fields:
            if not re.fullmatch(r"[a-z_][a-z0-9_]*", key):
                raise ValueError(f"not a name: {key!r}")
        self.keys = list(fields)
        super().__init__(*fields.values())

    def as_sql(self, compiler, connection, **extra_context):
        function = "JSONB_BUILD_OBJECT" if connection.vendor == "postgresql" else "JSON_OBJECT"
        parts, params = [], []
        for key, expression in zip(self.keys, self.get_source_expressions(), strict=True):
            sql, expression_params = compiler.compile(expression)
            parts.append(f"'{key}', {sql}")
            params.extend(expression_params)
        return f"{function}({', '.join(parts)})", params


def json_list(queryset: models.QuerySet, **fields) -> Subquery:
    """`queryset`'s rows as a JSON array of objects with `fields` (name: field path or
    expression), for an annotation: [] or None when it has none. `queryset` is filtered on the
    outer row, such as person=OuterRef("pk")."""
    rows = (
        queryset.order_by()
        # Grouped by a constant, which adds no GROUP BY: one row, aggregating them all.
        .annotate(_all=models.Value(1))
        .values("_all")
        .annotate(rows=JSONList(JSONRow(**fields)))
        .values("rows")
    )
    return Subquery(rows, output_field=JSONField())


def all_fields(model: type[models.Model]) -> dict[str, str]:
    """json_list's `fields` for every column of `model`: instances() then makes whole records."""
    return {
        field.attname: JSONValue(field.attname) if isinstance(field, JSONField) else field.attname
        for field in model._meta.concrete_fields
    }


def _python(field: models.Field, value):
    """A JSON value of `field` as the field's type in Python, as the database backend gives it."""
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        # PostgreSQL writes an offset ("...T08:00:00+00:00"); SQLite stores UTC without one.
        parsed = parse_datetime(value)
        if settings.USE_TZ and parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed
    if isinstance(field, models.DateField):
        return parse_date(value)
    if isinstance(field, models.BooleanField):
        return bool(value)  # SQLite's 0 and 1
    return value


def instances(model: type[models.Model], rows: list[dict] | None) -> list[models.Model]:
    """Instances of `model` from json_list's rows, whose keys are field attnames ("id",
    "author_id"): the fields not in them are deferred (read when first used)."""
    fields = model._meta.concrete_fields
    made = []
    for row in rows or []:
        names = [f.attname for f in fields if f.attname in row]
        values = [_python(f, row[f.attname]) for f in fields if f.attname in row]
        made.append(model.from_db(None, names, values))
    return made
