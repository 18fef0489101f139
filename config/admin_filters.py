"""List filters shared by the admins of both apps."""

from django.contrib import admin
from django.db import models
from django_countries import countries

NO_COUNTRY = "No country given"


class CountryInUseFilter(admin.ChoicesFieldListFilter):
    """Filter by a country field, offering only the countries this list's records have, by name.

    The stock filter offers every country in the world (about 250 links). Use it as
    `list_filter = [("country", CountryInUseFilter)]`, or `("person__country", ...)` across a
    relation. The URLs are the stock filter's (`?country__exact=CN`)."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        # One DISTINCT query over the records this admin lists (e.g. only the people with case
        # events, for the case events' filter on their person's country).
        codes = set(
            model_admin.get_queryset(request)
            .order_by()
            .values_list(field_path, flat=True)
            .distinct()
        )
        named = sorted(((code, countries.name(code)) for code in codes if code), key=_by_name)
        self.lookup_choices = named + ([("", NO_COUNTRY)] if "" in codes else [])

    def has_output(self):
        return bool(self.lookup_choices) or self.lookup_val is not None

    def get_facet_counts(self, pk_attname, filtered_qs):
        return {
            f"{i}__c": models.Count(pk_attname, filter=models.Q((self.lookup_kwarg, code)))
            for i, (code, _name) in enumerate(self.lookup_choices)
        }

    def choices(self, changelist):
        facet_counts = self.get_facet_queryset(changelist) if changelist.add_facets else None
        yield {
            "selected": self.lookup_val is None,
            "query_string": changelist.get_query_string(
                remove=[self.lookup_kwarg, self.lookup_kwarg_isnull]
            ),
            "display": "All",
        }
        for i, (code, name) in enumerate(self.lookup_choices):
            yield {
                "selected": self.lookup_val is not None and code in self.lookup_val,
                "query_string": changelist.get_query_string(
                    {self.lookup_kwarg: code}, [self.lookup_kwarg_isnull]
                ),
                "display": f"{name} ({facet_counts[f'{i}__c']})" if facet_counts else name,
            }


def _by_name(choice: tuple[str, str]) -> str:
    return choice[1].casefold()
