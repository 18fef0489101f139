"""#20 §1 in a browser: the search box in the admin's header is reached and used with the
keyboard alone, its page lists the results by kind, links included, and the
Content-Security-Policy refuses nothing on the way."""

import pytest
from django.urls import reverse

from tests.browser.test_content_security_policy import watch  # noqa: F401 (a fixture)
from tracker.workspace.demo import seed_demo

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_search_from_any_page_with_the_keyboard(staff_page, watch):  # noqa: F811
    seed_demo()
    page = watch(staff_page)
    page.goto(page.base_url + reverse("admin:campaigns_letter_changelist"))
    box = page.get_by_label("Search cases, organizations, people, campaigns, letters and news")
    box.focus()
    page.keyboard.type("xu zhiyong")
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/search/?q=xu+zhiyong")
    results = page.locator(".vigil-search-results")
    assert results.get_by_role("heading", name="Cases (1)").is_visible()
    case = results.get_by_role("link", name="Xu Zhiyong (许志永)")
    assert case.is_visible()
    case.click()
    page.wait_for_url("**/admin/tracker/detainedperson/*/change/")
    page.goto(page.base_url + reverse("admin:search") + "?q=Zzyzx")
    assert page.get_by_text("No results for “Zzyzx”.").is_visible()
    assert watch.problems(page) == []
