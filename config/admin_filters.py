"""List filters shared by the admins of both apps."""

from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django_countries import countries
from unfold.contrib.filters.admin import ChoicesDropdownFilter, DropdownFilter

from config.probes import met, values_in_column

NO_COUNTRY = "No country given"
# The dropdown's value for "No country given": the theme's filter form leaves empty values out
# of the URL (empty is "All"), and no country code is written in lower case.
NO_COUNTRY_VALUE = "none"


class CountryInUseFilter(ChoicesDropdownFilter):
    """Filter by a country field, offering only the countries this list's records have, by name,
    in a dropdown (the theme's, django-unfold's).

    The stock filter offers every country in the world (about 250 links). Use it as
    `list_filter = [("country", CountryInUseFilter)]`, or `("person__country", ...)` across a
    relation. The URLs are the stock filter's (`?country__exact=CN`); records without a country
    are `?country__exact=none` (or the stock `?country__exact=`)."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        codes = countries_in_use(model_admin.get_queryset(request), field, field_path)
        named = sorted(((code, countries.name(code)) for code in codes if code), key=_by_name)
        self.lookup_choices = named + ([("", NO_COUNTRY)] if "" in codes else [])

    def has_output(self):
        return bool(self.lookup_choices) or self.lookup_val is not None

    def queryset(self, request, queryset):
        if self.lookup_val is None:
            return queryset
        code = self.value()
        code = "" if code == NO_COUNTRY_VALUE else code
        return queryset.filter(**{self.lookup_kwarg: code})

    def get_facet_counts(self, pk_attname, filtered_qs):
        return {
            f"{i}__c": models.Count(pk_attname, filter=models.Q((self.lookup_kwarg, code)))
            for i, (code, _name) in enumerate(self.lookup_choices)
        }

    def choices(self, changelist):
        facet_counts = self.get_facet_queryset(changelist) if changelist.add_facets else None
        options = [self.all_option]
        for i, (code, name) in enumerate(self.lookup_choices):
            label = f"{name} ({facet_counts[f'{i}__c']})" if facet_counts else name
            options.append((code or NO_COUNTRY_VALUE, label))
        chosen = self.value()
        if chosen == "" and self.lookup_val is not None:
            chosen = NO_COUNTRY_VALUE
        yield {
            "form": self.form_class(
                label=f" By {self.title} ",
                name=self.lookup_kwarg,
                choices=options,
                data={self.lookup_kwarg: chosen},
            ),
        }


def countries_in_use(records, field, field_path: str) -> set[str]:
    """The country codes of `records` (the records an admin lists; "" for none given), from
    indexes rather than a `SELECT DISTINCT` over every record: the codes the country column
    holds (config.probes.values_in_column, a walk over its index), then, for a country across
    a relation (the case events' person's) or a list showing part of its table, which of those
    the records have (config.probes.met: an EXISTS per code)."""
    codes = values_in_column(field, records.db)
    if LOOKUP_SEP not in field_path and not records.query.where:
        return set(codes)
    return {code for (code,) in met(records, field, (field_path,), [(code,) for code in codes])}


def _by_name(choice: tuple[str, str]) -> str:
    return choice[1].casefold()


def staff_owner_filter(*, title: str, parameter: str, user_path: str):
    """A dropdown filter on who owns a record: "Me", "Anyone" (someone does), "Nobody".
    `user_path` is the lookup from the listed model to the owning users (a case's officers:
    `officer_links__user`; a mention's case's: `person__officer_links__user`; a letter's
    owner: `owner`). The dashboard's "My work" links to `?<parameter>=me`."""

    class StaffOwnerFilter(DropdownFilter):
        parameter_name = parameter

        def lookups(self, request, model_admin):
            return [(ME, "Me"), (ANYONE, "Anyone"), (NOBODY, "Nobody")]

        def queryset(self, request, queryset):
            value = self.value()
            if value not in (ME, ANYONE, NOBODY):
                return queryset
            # A subquery, not a join: no row twice, whatever the relation.
            owned = queryset.model._default_manager.filter(pk=models.OuterRef("pk"))
            if value == ME:
                return queryset.filter(models.Exists(owned.filter(**{user_path: request.user})))
            owned = owned.filter(**{f"{user_path}__isnull": False})
            return queryset.filter(
                models.Exists(owned) if value == ANYONE else ~models.Exists(owned)
            )

    StaffOwnerFilter.title = title
    StaffOwnerFilter.__name__ = f"{parameter.title().replace('_', '')}Filter"
    return StaffOwnerFilter


ME, ANYONE, NOBODY = "me", "anyone", "nobody"
