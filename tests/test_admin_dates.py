"""A list's date links (config/admin_dates.py) are Django's, found without reading the list."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import date_hierarchy as djangos
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config import admin_dates, probes
from tests.tracker.factories import DetainedPersonFactory
from tracker.models import DetainedPerson, NewsItem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def always_probe(monkeypatch):
    """Probe period by period however few records the list has (it leaves a few to Django),
    with the query compiled once (not the slower way, which the probes fall back on)."""
    monkeypatch.setattr(admin_dates, "FEW", -1)
    monkeypatch.setattr(probes, "_met_one_by_one", None)


def _changelist(model, admin_user, **query):
    request = RequestFactory().get("/", {k: str(v) for k, v in query.items()})
    request.user = admin_user
    return admin.site._registry[model].get_changelist_instance(request)


def _both(model, admin_user, **query):
    cl = _changelist(model, admin_user, **query)
    with CaptureQueriesContext(connection) as queries:
        ours = admin_dates.date_hierarchy(cl)
    return ours, djangos(cl), [q["sql"] for q in queries.captured_queries]


DAYS = [
    datetime.date(2009, 3, 4),
    datetime.date(2011, 1, 30),
    datetime.date(2011, 1, 31),
    datetime.date(2011, 12, 1),
    datetime.date(2024, 2, 29),
]


@pytest.fixture
def cases():
    for day in DAYS:
        DetainedPersonFactory(detained_on=day)
    DetainedPersonFactory(detained_on=None)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"detained_on__year": 2011},
        {"detained_on__year": 2011, "detained_on__month": 1},
        {"detained_on__year": 2011, "detained_on__month": 1, "detained_on__day": 31},
        {"detained_on__year": 2010},  # no case that year: no month
        {"detained_on__month": 1},  # a month without a year: the years with such a month
        {"status__exact": "released"},  # no case at all
    ],
)
def test_the_date_links_are_djangos(cases, admin_user, query):
    ours, theirs, queries = _both(DetainedPerson, admin_user, **query)
    assert ours == theirs
    assert len(queries) <= 2
    assert not any("DISTINCT" in sql.upper() for sql in queries)


def test_only_the_years_with_records_are_links(cases, admin_user):
    ours, _, queries = _both(DetainedPerson, admin_user)
    assert [c["title"] for c in ours["choices"]] == ["2009", "2011", "2024"]
    assert len(queries) == 2  # the first and last dates; then each year between, at once


def test_one_year_of_records_shows_its_months_and_one_month_its_days(admin_user):
    DetainedPersonFactory(detained_on=datetime.date(2020, 5, 2))
    DetainedPersonFactory(detained_on=datetime.date(2020, 5, 20))
    ours, theirs, _ = _both(DetainedPerson, admin_user)
    assert ours == theirs
    assert [c["title"] for c in ours["choices"]] == ["2 May", "20 May"]
    DetainedPersonFactory(detained_on=datetime.date(2020, 9, 1))
    ours, theirs, _ = _both(DetainedPerson, admin_user)
    assert ours == theirs
    assert [c["title"] for c in ours["choices"]] == ["May 2020", "September 2020"]


@pytest.mark.parametrize(
    "query",
    [{}, {"published_at__year": 2023}, {"published_at__year": 2023, "published_at__month": 12}],
)
def test_a_lists_moments_are_grouped_in_the_time_zone_as_djangos(admin_user, settings, query):
    settings.TIME_ZONE = "Asia/Shanghai"  # 2023-12-31 20:00 UTC is 1 January 2024 there
    with timezone.override("Asia/Shanghai"):
        for i, moment in enumerate(["2021-06-01T12:00Z", "2023-12-31T20:00Z", "2023-12-05T10:00Z"]):
            NewsItem.objects.create(
                url=f"https://news.example.org/{i}",
                title=f"Item {i}",
                published_at=datetime.datetime.fromisoformat(moment),
            )
        ours, theirs, _ = _both(NewsItem, admin_user, **query)
    assert ours == theirs
    assert ours["choices"]


def test_dates_too_far_apart_are_left_to_django(admin_user):
    DetainedPersonFactory(detained_on=datetime.date(1850, 1, 1))  # typed wrong
    DetainedPersonFactory(detained_on=datetime.date(2020, 1, 1))
    ours, theirs, queries = _both(DetainedPerson, admin_user)
    assert ours == theirs
    assert any("DISTINCT" in sql.upper() for sql in queries)
