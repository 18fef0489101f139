"""Subqueries that several reads share."""

from django.db.models import Func, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce


def count_of(queryset: QuerySet) -> Subquery:
    """How many rows `queryset` has, as a scalar subquery to annotate another query with: the
    database reads it once (it refers to nothing outside it), so a panel's rows and its count
    come in one query."""
    return Subquery(
        # COUNT(*): an index of the columns filtered on answers it alone.
        queryset.order_by().values(n=Func(template="COUNT(*)", output_field=IntegerField())),
        output_field=IntegerField(),
    )


def nth_value(queryset: QuerySet, field: str, n: int, *, default):
    """`field` of the `n`th row of `queryset` ordered by it (`default` when there are fewer
    rows), as a scalar subquery: `field <= nth_value(...)` takes the first `n` rows, and any
    that tie with the last of them, from an index of `field`, in a query that reads other rows
    too (`| Q(...)`), where a LIMIT could not."""
    output_field = queryset.model._meta.get_field(field)
    return Coalesce(
        Subquery(queryset.order_by(field).values(field)[n - 1 : n]),
        Value(default, output_field=output_field),
        output_field=output_field,
    )


def keys_of(*querysets: QuerySet) -> QuerySet:
    """The primary keys of the rows of `querysets` (of one model; each may be sliced, the first
    n of an ordering), for `pk__in=`: a UNION, which the database estimates at its few rows and
    so reads those rows alone, where `pk IN (a) OR pk IN (b)` is a filter on every row of the
    table. Each is wrapped in a subquery of its own: SQLite takes no LIMIT in a UNION's parts."""
    if len(querysets) == 1:
        return querysets[0].values("pk")
    model = querysets[0].model
    parts = [
        model._base_manager.filter(pk__in=qs.values("pk")).order_by().values("pk")
        for qs in querysets
    ]
    return parts[0].union(*parts[1:], all=True)
