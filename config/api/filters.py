"""Filter building blocks: every malformed or unknown value is a 400 naming its parameter.

Dates are filtered by one rule on every endpoint: `<field>_after` and `<field>_before`, named
after the field without its `_on`/`_at` (`sent_on`: `sent_after`; `date`: `date_after`;
`created_at`: `created_after`), both inclusive. A date field takes YYYY-MM-DD; a date-time field
takes YYYY-MM-DD (that whole day, UTC) or an ISO 8601 date-time. Names from before the rule are
kept for a release with `deprecated_alias`, and the schema marks them deprecated. Every list
also takes `updated_since` and `ordering=updated_at` (SyncFilterSet), for partners who sync."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_countries import countries
from django_filters import rest_framework as filters
from django_filters.fields import BaseCSVField, IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

ALWAYS_ALLOWED = frozenset({"page", "page_size", "format"})


def refuse_unknown_parameters(filterset_class, request) -> None:
    """A query parameter that is neither a filter of `filterset_class` nor the page's is a 400
    naming it."""
    known = set(filterset_class.base_filters) | ALWAYS_ALLOWED
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise ValidationError({name: ["Unknown query parameter."] for name in unknown})


class StrictFilterBackend(filters.DjangoFilterBackend):
    """django-filter's backend, plus: a query parameter that is not a filter of this endpoint
    (a typo such as `?stauts=`) is a 400, never an unfiltered list."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            refuse_unknown_parameters(filterset_class, request)
        return super().filter_queryset(request, queryset, view)


class _NoBlankItemsCSVField(BaseCSVField):
    """A comma-separated value whose items are all filled in (`detained,` is a mistake)."""

    def clean(self, value):
        if value and any(not str(item).strip() for item in value):
            raise forms.ValidationError("Remove the empty item from the list.", code="blank_item")
        return super().clean(value)


class ChoiceInFilter(filters.BaseInFilter, filters.ChoiceFilter):
    """`?status=detained,rsdl`: one value or a comma-separated list, each a valid choice."""

    base_field_class = _NoBlankItemsCSVField


class _StrictBooleanField(forms.Field):
    TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no"}

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError("Must be true or false.", code="invalid")


class StrictBooleanFilter(filters.BooleanFilter):
    """`true`/`false` (or 1/0, yes/no); anything else is a 400, not "no filter"."""

    field_class = _StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class IsoDateFilter(filters.DateFilter):
    """A date as YYYY-MM-DD only (not the locale formats Django's forms also accept)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(*args, **kwargs)


def in_utc(moment: datetime.datetime) -> datetime.datetime:
    """An aware moment in UTC. PostgreSQL refuses offsets beyond ±15:59 (`-23:52` is a 500 if
    passed on as written), and a moment near year 1 or 9999 may not exist in UTC at all: a
    400 naming the parameter, not a 500."""
    try:
        return moment.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        raise forms.ValidationError(
            "Enter a date-time between the years 1 and 9999 in UTC.", code="out_of_range"
        ) from None


class _IsoMomentField(IsoDateTimeField):
    def to_python(self, value):
        moment = super().to_python(value)
        return None if moment is None else in_utc(moment)


class IsoMomentFilter(filters.IsoDateTimeFilter):
    """An ISO 8601 date-time, whatever its offset, compared in UTC."""

    field_class = _IsoMomentField


class _DateOrDateTimeField(forms.Field):
    """YYYY-MM-DD (a date) or an ISO 8601 date-time (aware; a naive one is read as UTC)."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip()
        try:
            if len(text) == 10:
                return datetime.date.fromisoformat(text)
            moment = parse_datetime(text)
        except ValueError:
            moment = None
        if moment is None:
            raise forms.ValidationError(
                "Enter a date (YYYY-MM-DD) or an ISO 8601 date-time (2025-01-31T12:00:00Z).",
                code="invalid",
            )
        if timezone.is_naive(moment):
            return timezone.make_aware(moment, datetime.UTC)
        return in_utc(moment)


@extend_schema_field(OpenApiTypes.STR)
class DateTimeBoundFilter(filters.Filter):
    """`?created_after=2025-01-31` (from the start of that day, UTC) or
    `?created_after=2025-01-31T12:00:00Z` (from that moment); `bound="before"` the same way up
    to the end of the day, or to the moment. For date-time fields."""

    field_class = _DateOrDateTimeField

    def __init__(self, *args, bound: str, **kwargs):
        if bound not in ("after", "before"):
            raise ValueError(f"bound is 'after' or 'before', not {bound!r}")
        self.bound = bound
        kwargs.setdefault(
            "help_text",
            f"On or {bound} this day (YYYY-MM-DD, UTC) or this moment (ISO 8601 date-time).",
        )
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        op = "gte" if self.bound == "after" else "lte"
        if isinstance(value, datetime.datetime):
            lookup = f"{self.field_name}__{op}"
        else:
            lookup = f"{self.field_name}__date__{op}"
        return self.get_method(qs)(**{lookup: value})


def deprecated_alias(filter_: filters.Filter, *, of: str) -> filters.Filter:
    """An old name of the filter `of`, kept for a release: it filters as `of` does, and the
    schema marks it deprecated (config.api.schema.FilterExtension)."""
    filter_.deprecated = True
    filter_.extra["help_text"] = (
        f"Deprecated: use `{of}`, which does the same. This name will be removed in a "
        "future release."
    )
    return filter_


class _CountryField(forms.CharField):
    def clean(self, value):
        value = (super().clean(value) or "").strip().upper()
        if value and value not in countries:
            raise forms.ValidationError(
                "Enter an ISO 3166 two-letter country code, e.g. CN.", code="invalid_choice"
            )
        return value


class CountryFilter(filters.CharFilter):
    """`?country=cn`: an ISO 3166 alpha-2 code, any case; an unknown code is a 400."""

    field_class = _CountryField


class StableOrderingFilter(filters.OrderingFilter):
    """`?ordering=-detained_on`: valid names only, and ties broken by id so that pages never
    overlap or skip records."""

    base_field_class = _NoBlankItemsCSVField

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, "pk")
        return qs


class SyncFilterSet(filters.FilterSet):
    """What every list's filters share, so that a partner can sync: `updated_since` (records
    created or changed at or after a moment) and `ordering=updated_at` (or `-updated_at`).

    A FilterSet whose model keeps its change time under another name redeclares both."""

    updated_since = IsoMomentFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Records created or changed at or after this moment (ISO 8601 date-time, "
        "e.g. 2025-01-31T12:00:00Z). To sync: ask with `ordering=updated_at`, and next time "
        "with the latest `updated_at` seen. Deletions: /api/deletions/.",
    )
    ordering = StableOrderingFilter(fields=["updated_at"])
