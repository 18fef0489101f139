"""OSDI's `filter` query parameter, as Action Network reads it: `modified_date gt '2026-01-01'`.

Supported: `created_date` and `modified_date`, compared with `gt`, `lt` or `eq` to a date
(`'2026-01-01'`, midnight UTC; `eq` means that whole day) or a date-time in ISO 8601
(`'2026-01-01T10:00:00Z'`; without an offset, UTC), and clauses joined with `and`. Anything else
is refused by name, never ignored: a client that filtered on a field Vigil does not know would
otherwise receive every record as if it matched.
"""

import datetime
import re

from django.db.models import Q
from django.utils.dateparse import parse_date, parse_datetime

FIELDS = {"created_date": "created_at", "modified_date": "updated_at"}
OPERATORS = {"gt": "gt", "lt": "lt", "eq": "eq"}
SUPPORTED = (
    "filter=<created_date|modified_date> <gt|lt|eq> '<date or ISO 8601 date-time>', clauses "
    "joined with 'and' (for example: filter=modified_date gt '2026-01-01')"
)
_CLAUSE = re.compile(r"^\s*(\w+)\s+(\w+)\s+'([^']*)'\s*$")
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


class FilterError(ValueError):
    """The filter cannot be read; the message says what is supported."""


def _moment(text: str) -> tuple[datetime.datetime, bool]:
    """(the moment, whether it was a bare date)."""
    day = parse_date(text)
    if day is not None:
        return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC), True
    try:
        moment = parse_datetime(text.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None:
        raise FilterError(
            f"'{text}' is not a date or an ISO 8601 date-time. Supported: {SUPPORTED}."
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC), False


def filter_q(expression: str | None, *, prefix: str = "") -> Q:
    """The records `expression` asks for, as a Q on fields reached through `prefix` (the
    outreaches' letter: "letter__"). An empty or absent filter asks for every record."""
    if not expression or not expression.strip():
        return Q()
    condition = Q()
    for clause in _AND.split(expression.strip()):
        match = _CLAUSE.match(clause)
        if not match:
            raise FilterError(f"Cannot read the filter '{clause.strip()}'. Supported: {SUPPORTED}.")
        field, operator, value = match.groups()
        if field not in FIELDS:
            raise FilterError(f"Cannot filter on '{field}'. Supported: {SUPPORTED}.")
        if operator.lower() not in OPERATORS:
            raise FilterError(f"Unknown comparison '{operator}'. Supported: {SUPPORTED}.")
        moment, whole_day = _moment(value)
        column = prefix + FIELDS[field]
        operator = operator.lower()
        if operator == "eq" and whole_day:
            next_day = moment + datetime.timedelta(days=1)
            condition &= Q(**{f"{column}__gte": moment, f"{column}__lt": next_day})
        elif operator == "eq":
            condition &= Q(**{column: moment})
        else:
            condition &= Q(**{f"{column}__{operator}": moment})
    return condition
