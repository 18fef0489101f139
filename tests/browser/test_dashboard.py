"""The dashboard and a case page in Chromium at 1366 px: the counts the database holds, charts
drawn, and nothing spilling sideways."""

import pytest
from django.urls import reverse

from tracker.cases.limits import held_cases
from tracker.models import DetainedPerson, Mention
from tracker.workspace.demo import seed_demo

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_dashboard_shows_the_databases_counts_and_draws_its_charts(staff_page):
    seed_demo()
    staff_page.goto(staff_page.base_url + reverse("admin:index"))
    figures = staff_page.locator(".vd-figures li strong").all_inner_texts()
    new = Mention.objects.filter(status="new").count()
    held = held_cases().count()
    assert figures[:2] == [str(DetainedPerson.objects.count()), str(held)]
    assert figures[3] == str(new)
    # Chart.js drew both charts (dashboard.js marks each canvas with its number of bars).
    assert staff_page.locator("#vd-status-chart").get_attribute("data-rendered") == str(
        DetainedPerson.objects.values("status").distinct().count()
    )
    assert staff_page.locator("#vd-weekly-chart").get_attribute("data-rendered") == "26"
    # Their tables open on a click.
    staff_page.get_by_text("Show cases by status as a table").click()
    assert staff_page.locator("#vd-status-table").is_visible()
    assert staff_page.evaluate("document.documentElement.scrollWidth") <= 1366
    # A bar leads to those cases: the status table's first link opens the filtered list.
    staff_page.locator("#vd-status-table a").first.click()
    assert "status__exact=" in staff_page.url


def test_a_case_page_shows_its_summary_above_the_form(staff_page):
    seed_demo()
    lin = DetainedPerson.objects.get(native_name="林秋月")
    staff_page.goto(
        staff_page.base_url + reverse("admin:tracker_detainedperson_change", args=[lin.pk])
    )
    summary = staff_page.locator("#case-summary")
    assert "30 days over the limit" in summary.inner_text()
    box = summary.bounding_box()
    assert box["y"] < staff_page.locator("#id_name").bounding_box()["y"]
    assert staff_page.evaluate("document.documentElement.scrollWidth") <= 1366
