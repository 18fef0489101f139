"""Filter building blocks: every malformed or unknown value is a 400 naming its parameter."""

from django import forms
from django_countries import countries
from django_filters import rest_framework as filters
from django_filters.fields import BaseCSVField
from rest_framework.exceptions import ValidationError


class StrictFilterBackend(filters.DjangoFilterBackend):
    """django-filter's backend, plus: a query parameter that is not a filter of this endpoint
    (a typo such as `?stauts=`) is a 400, never an unfiltered list."""

    always_allowed = frozenset({"page", "page_size", "format"})

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            known = set(filterset_class.base_filters) | self.always_allowed
            unknown = sorted(set(request.query_params) - known)
            if unknown:
                raise ValidationError({name: ["Unknown query parameter."] for name in unknown})
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
