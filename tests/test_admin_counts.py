"""Every admin list counts up to a cap (config/admin_counts.py): exact below it, "more than N"
above it, every page still reachable, and no count of the whole table."""

import datetime
import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config import admin_dates
from config.admin_counts import BoundedCountMixin, BoundedPaginator
from tests.tracker.factories import DetainedPersonFactory
from tracker.cases.admin import DetainedPersonAdmin
from tracker.models import DetainedPerson

pytestmark = pytest.mark.django_db

URL = reverse("admin:tracker_detainedperson_changelist")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _pagination(response) -> str:
    """The text of the list's foot: its page links and its count."""
    html = response.content.decode()
    return _text(html[html.index("lg:h-[64px]") : html.index('id="modal-overlay"')])


def _names(response) -> list[str]:
    return [p.name for p in response.context["cl"].result_list]


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of 2 cases, counted up to 5 (or ten pages past the one asked for)."""
    monkeypatch.setattr(DetainedPersonAdmin, "list_per_page", 2)
    monkeypatch.setattr(DetainedPersonAdmin, "list_count_cap", 5)


def test_every_admin_counts_up_to_a_cap_and_never_counts_the_whole_table():
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, BoundedCountMixin), model._meta.label
        assert model_admin.show_full_result_count is False, model._meta.label


def test_below_the_cap_the_count_is_exact(staff_client, small_pages):
    for i in range(5):
        DetainedPersonFactory(name=f"Case {i}")
    response = staff_client.get(URL)
    cl = response.context["cl"]
    assert (cl.result_count, cl.paginator.capped) == (5, False)
    foot = _pagination(response)
    assert "5 detained persons" in foot
    assert "more than" not in foot and "Next" not in foot


def test_above_the_cap_the_list_says_more_than_and_goes_on(staff_client, small_pages):
    for i in range(30):
        DetainedPersonFactory(name=f"Case {i:02}")
    response = staff_client.get(URL)
    foot = _pagination(response)
    # Page 1 counts up to max(5, (1 + 10) * 2) = 22 cases.
    assert "more than 22 detained persons" in foot
    assert re.search(r"\b11 12 … Next\b", foot), foot
    assert response.context["cl"].paginator.capped

    # The last page linked, and later ones: each counts ten pages past itself.
    assert _names(staff_client.get(URL, {"p": 12})) == ["Case 22", "Case 23"]
    later = staff_client.get(URL, {"p": 14})
    assert _names(later) == ["Case 26", "Case 27"]
    assert "30 detained persons" in _pagination(later)  # (14 + 10) * 2 = 48 > 30: exact
    assert _names(staff_client.get(URL, {"p": 15})) == ["Case 28", "Case 29"]


def test_a_search_says_how_many_it_found_up_to_the_cap(staff_client, small_pages):
    for i in range(30):
        DetainedPersonFactory(name=f"Case {i:02}", search_names=f"case {i:02}")
    DetainedPersonFactory(name="Other", search_names="other")
    capped = _text(staff_client.get(URL, {"q": "case"}).content.decode())
    assert "more than 22 results ( Show all )" in capped
    assert "Select all detained persons (more than 22)" in capped
    exact = _text(staff_client.get(URL, {"q": "case 1"}).content.decode())  # "case", "1"
    assert "12 results ( Show all )" in exact
    assert "Select all 12 detained persons" in exact
    # An unfiltered list names no count in its header.
    assert "results ( Show all )" not in _text(staff_client.get(URL).content.decode())


def test_the_count_reads_at_most_the_cap_and_the_list_no_total(staff_client, small_pages):
    DetainedPersonFactory.create_batch(30)
    with CaptureQueriesContext(connection) as page:
        staff_client.get(URL, {"q": "detainee"})
    counts = [q["sql"] for q in page.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts, "the list counts its records"
    for sql in counts:
        assert re.search(r"LIMIT 23\b", sql), sql  # (1 + 10) * 2 + 1: no count of them all
        assert "ORDER BY" not in sql


def test_a_list_takes_as_many_queries_for_many_records_as_for_few(
    staff_client, small_pages, monkeypatch
):
    monkeypatch.setattr(admin_dates, "FEW", 0)  # the date links found year by year, always
    DetainedPersonFactory.create_batch(3, detained_on=datetime.date(2019, 5, 1))
    with CaptureQueriesContext(connection) as few:
        staff_client.get(URL)
    for year in range(2010, 2020):
        DetainedPersonFactory.create_batch(4, detained_on=datetime.date(year, 5, 1))
    with CaptureQueriesContext(connection) as many:
        staff_client.get(URL)
    assert len(many) == len(few)


def test_the_page_past_the_cap_is_whole():
    DetainedPersonFactory.create_batch(12)
    paginator = BoundedPaginator(DetainedPerson.objects.order_by("pk"), 2, cap=5)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (6, True, 3)
    assert len(paginator.page(3)) == 2  # not cut to the one record past the cap


def test_a_page_asked_before_counting_is_counted_to(monkeypatch):
    """The autocomplete's pages: the paginator asked for page 6 first counts to (6 + 10) * 2."""
    DetainedPersonFactory.create_batch(12)
    paginator = BoundedPaginator(DetainedPerson.objects.order_by("pk"), 2, cap=5)
    assert len(paginator.page(6)) == 2
    assert (paginator.count, paginator.capped) == (12, False)
