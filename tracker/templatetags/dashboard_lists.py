"""Two filters for the dashboard's lists (templates/admin/index.html), which write a link and a
date on every row: Django's {% url %} and |date cost some 40 microseconds each, and a page of
lists has a few hundred. Both remember what they wrote (a link is the same while the URLs and
the script prefix are; a date's words the same in the same language): pure functions of
their arguments, not of any record, so nothing they remember goes stale."""

import datetime
from functools import lru_cache

from django import template
from django.template.defaultfilters import date as date_filter
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=4096)
def _reverse(viewname: str, pk: str, urlconf, prefix: str) -> str:
    return reverse(viewname, urlconf=urlconf, args=[pk])


@register.filter
def change_url(pk, model: str) -> str:
    """The admin page of record `pk` of `model` ("app_model"), as
    {% url "admin:<model>_change" pk %} writes it."""
    return _reverse(f"admin:{model}_change", str(pk), get_urlconf(), get_script_prefix())


@lru_cache(maxsize=4096)
def _date(value: datetime.date, format_name: str, language: str) -> str:
    return date_filter(value, format_name)


@register.filter(expects_localtime=True)
def day(value, format_name: str = "DATE_FORMAT") -> str:
    """|date for a day (a datetime.date); a datetime is passed on to |date."""
    if type(value) is not datetime.date:
        return date_filter(value, format_name)
    return _date(value, format_name, get_language())
