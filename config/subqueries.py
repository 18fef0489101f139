"""Subqueries that several reads share."""

from django.db.models import Func, IntegerField, QuerySet, Subquery


def count_of(queryset: QuerySet) -> Subquery:
    """How many rows `queryset` has, as a scalar subquery to annotate another query with: the
    database reads it once (it refers to nothing outside it), so a panel's rows and its count
    come in one query."""
    return Subquery(
        # COUNT(*): an index of the columns filtered on answers it alone.
        queryset.order_by().values(n=Func(template="COUNT(*)", output_field=IntegerField())),
        output_field=IntegerField(),
    )
