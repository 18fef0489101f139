"""Dates in the words staff read. The formats are in `en/formats.py` (FORMAT_MODULE_PATH);
these two helpers are for text built in Python (a record's name, a message) rather than by a
template, so that it reads as the pages do."""

import datetime

from django.utils import formats, timezone


def staff_date(value: datetime.date | None) -> str:
    """ "6 December 2026"."""
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def staff_datetime(value: datetime.datetime | None) -> str:
    """ "6 December 2026, 07:33", in the server's time zone."""
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT")
