"""A list's date links (its `date_hierarchy`) without reading the whole list:
`{% vigil_date_hierarchy cl %}` in place of Django's `{% date_hierarchy cl %}`.

Django finds the years that have records with `SELECT DISTINCT DATE_TRUNC('year', column)`
over the whole (filtered) list: every row read on every visit of the list, 30,000 cases'
worth at 30,000 cases. Here the links are the same (only the years, months or days that have
a record, the same titles and addresses), found another way:

- the first and last date by MIN and MAX (each of Vigil's `date_hierarchy` columns has an
  index, whose ends they read), which choose the level as Django does (one year: its months;
  one month: its days);
- then one query asking, for each year between the first and the last (each month of the
  year, each day of the month), whether a record falls in it: an EXISTS over that range of
  the index, which stops at the first record it finds.

A list searched or filtered down to a few records (at most `FEW`, its count already known)
is left to Django's query, which reads just those; so is one whose first and last dates are
more than `MAX_YEARS` years apart (a date typed wrong, say), rather than ask about each year.

Every list's page calls it in templates/admin/change_list.html's `date_hierarchy` block
(`{% load vigil_dates %}`), in place of the theme's call of Django's tag.
"""

import calendar
import datetime

from django import template
from django.conf import settings
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.utils import get_fields_from_path
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from config.probes import met

register = template.Library()

FEW = 1000
MAX_YEARS = 100


def date_hierarchy(cl) -> dict:
    """The context of the theme's admin/date_hierarchy.html, as Django's `date_hierarchy`."""
    if not cl.date_hierarchy:
        return {"show": False}
    capped = getattr(getattr(cl, "paginator", None), "capped", False)
    if cl.result_count <= FEW and not capped:
        return admin_list.date_hierarchy(cl)
    field_name = cl.date_hierarchy
    field = get_fields_from_path(cl.model, field_name)[-1]
    moments = isinstance(field, models.DateTimeField)
    year_field, month_field, day_field = (f"{field_name}__{p}" for p in ("year", "month", "day"))
    year, month, day = (cl.params.get(name) for name in (year_field, month_field, day_field))

    def link(filters):
        return cl.get_query_string(filters, [f"{field_name}__"])

    if not year:
        ends = cl.queryset.aggregate(first=models.Min(field_name), last=models.Max(field_name))
        first, last = ends["first"], ends["last"]
        if first is None or last is None:
            return {"show": True, "back": None, "choices": []}
        if moments:
            first, last = (_local(first), _local(last))
        if first.year != last.year or month or day:  # (a month or day without a year: years)
            if last.year - first.year > MAX_YEARS:
                return admin_list.date_hierarchy(cl)
            years = [datetime.date(y, 1, 1) for y in range(first.year, last.year + 1)]
            found = _with_records(cl.queryset, field_name, moments, years, _next_year)
            return {
                "show": True,
                "back": None,
                "choices": [
                    {"link": link({year_field: str(y.year)}), "title": str(y.year)} for y in found
                ],
            }
        year = first.year
        if first.month == last.month:
            month = first.month

    if year and month and day:
        shown = datetime.date(int(year), int(month), int(day))
        return {
            "show": True,
            "back": {
                "link": link({year_field: year, month_field: month}),
                "title": capfirst(formats.date_format(shown, "YEAR_MONTH_FORMAT")),
            },
            "choices": [{"title": capfirst(formats.date_format(shown, "MONTH_DAY_FORMAT"))}],
        }
    if year and month:
        y, m = int(year), int(month)
        days = [datetime.date(y, m, d) for d in range(1, calendar.monthrange(y, m)[1] + 1)]
        found = _with_records(cl.queryset, field_name, moments, days, _next_day)
        return {
            "show": True,
            "back": {"link": link({year_field: year}), "title": str(year)},
            "choices": [
                {
                    "link": link({year_field: year, month_field: month, day_field: d.day}),
                    "title": capfirst(formats.date_format(d, "MONTH_DAY_FORMAT")),
                }
                for d in found
            ],
        }
    months = [datetime.date(int(year), m, 1) for m in range(1, 13)]
    found = _with_records(cl.queryset, field_name, moments, months, _next_month)
    return {
        "show": True,
        "back": {"link": link({}), "title": _("All dates")},
        "choices": [
            {
                "link": link({year_field: year, month_field: m.month}),
                "title": capfirst(formats.date_format(m, "YEAR_MONTH_FORMAT")),
            }
            for m in found
        ],
    }


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _next_year(start: datetime.date) -> datetime.date:
    return start.replace(year=start.year + 1)


def _next_month(start: datetime.date) -> datetime.date:
    return (start + datetime.timedelta(days=32)).replace(day=1)


def _next_day(start: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=1)


def _with_records(queryset, field_name, moments, starts, following) -> list[datetime.date]:
    """The periods of `starts` (each up to `following(start)`) in which `queryset` has a
    record, in one query (config.probes.met)."""

    def bound(day: datetime.date):
        if not moments:
            return day
        midnight = datetime.datetime.combine(day, datetime.time())
        return timezone.make_aware(midnight) if settings.USE_TZ else midnight

    field = get_fields_from_path(queryset.model, field_name)[-1]
    lookups = (f"{field_name}__gte", f"{field_name}__lt")
    periods = [(bound(start), bound(following(start))) for start in starts]
    found = set(met(queryset, field, lookups, periods))
    return [start for start, period in zip(starts, periods, strict=True) if period in found]


@register.tag(name="vigil_date_hierarchy")
def vigil_date_hierarchy_tag(parser, token):
    return InclusionAdminNode(
        parser, token, func=date_hierarchy, template_name="date_hierarchy.html", takes_context=False
    )
