"""Dates as staff read them, everywhere in the admin: "6 December 2026", "6 December 2026, 07:33".

One format for every page (lists, records, History, the dashboard, the case page), in place of
Django's American English ("Dec. 6, 2026, 7:33 a.m."). The API keeps ISO 8601 (DRF's own
settings), and form fields keep taking ISO dates (`DATE_INPUT_FORMATS` is Django's).
Settings FORMAT_MODULE_PATH points here; LANGUAGE_CODE is "en".
"""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j F Y"
SHORT_DATETIME_FORMAT = "j F Y, H:i"
