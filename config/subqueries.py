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
