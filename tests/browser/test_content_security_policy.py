"""Issue 18 §4: under the Content-Security-Policy (config/settings/base.py) the admin's theme
(Alpine.js, htmx, Chart.js) and the API docs (Swagger UI) still work, and Chromium reports no
violation on the pages that use the most of them."""

import contextlib

import pytest
from django.urls import NoReverseMatch, reverse

from tracker.models import DetainedPerson
from tracker.workspace.demo import seed_demo

pytestmark = pytest.mark.django_db(transaction=True)

# Runs before any script of the page: records every violation Chromium reports.
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


def alpine_started(page) -> bool:
    """Alpine.js (the theme's components) ran: it removes `x-cloak` from what it set up."""
    return page.evaluate(
        "typeof window.Alpine === 'object' && !document.documentElement.hasAttribute('x-cloak')"
    )


# Console messages of a policy refusing something, or of a header the browser rejects.
SIGNS_OF_A_REFUSAL = ["Content Security Policy", "Refused to", "Permissions-Policy"]


@pytest.fixture
def watch():
    """`watch(page)`: from then on, the page's CSP violations, console errors about them and
    uncaught script errors are collected; `watch.problems(page)` returns them."""

    class Watcher:
        def __init__(self):
            self.console = []
            self.errors = []

        def __call__(self, page):
            page.add_init_script(COLLECT_VIOLATIONS)
            page.on("console", self.on_console)
            page.on("pageerror", lambda error: self.errors.append(str(error)))
            return page

        def on_console(self, message):
            if any(sign in message.text for sign in SIGNS_OF_A_REFUSAL):
                self.console.append(message.text)

        def problems(self, page):
            violations = page.evaluate("window.__cspViolations || []")
            return violations + self.console + self.errors

    return Watcher()


def test_the_dashboard_draws_its_charts_without_a_violation(staff_page, watch):
    seed_demo()
    page = watch(staff_page)
    page.goto(page.base_url + reverse("admin:index"))
    page.wait_for_load_state("networkidle")
    # Chart.js drew both charts (dashboard.js marks each canvas with its number of bars).
    assert page.locator("#vd-status-chart").get_attribute("data-rendered")
    assert page.locator("#vd-weekly-chart").get_attribute("data-rendered") == "26"
    assert alpine_started(page)
    assert watch.problems(page) == []


def test_a_case_page_works_without_a_violation(staff_page, watch):
    seed_demo()
    person = DetainedPerson.objects.get(native_name="林秋月")
    page = watch(staff_page)
    page.goto(page.base_url + reverse("admin:tracker_detainedperson_change", args=[person.pk]))
    page.wait_for_load_state("networkidle")
    assert page.locator("#case-summary").is_visible()
    assert alpine_started(page)
    assert watch.problems(page) == []


def test_a_list_with_its_filters_works_without_a_violation(staff_page, watch):
    seed_demo()
    page = watch(staff_page)
    page.goto(
        page.base_url + reverse("admin:tracker_detainedperson_changelist") + "?status__exact=held"
    )
    page.wait_for_load_state("networkidle")
    # The filter panel is an Alpine.js component: it opens on a click.
    page.locator("[x-on\\:click='filterOpen = true']").first.click()
    page.locator("#changelist-filter").wait_for(state="visible")
    assert alpine_started(page)
    assert watch.problems(page) == []


def test_the_api_docs_render_without_a_violation(anon_page, watch):
    page = watch(anon_page)
    page.goto(page.base_url + "/api/docs/")
    # Swagger UI read the schema and listed the operations.
    page.locator(".opblock").first.wait_for(state="visible")
    assert page.locator(".opblock").count() > 20
    assert watch.problems(page) == []


def _admin_pages() -> list[str]:
    """Every list, add form, first record's page and history in the admin, and the pages of
    the two-factor set-up and of the CSV imports."""
    from django.contrib import admin

    pages = [
        reverse("admin:index"),
        reverse("two_factor:profile"),
        reverse("two_factor:setup"),
        reverse("admin:password_change"),
    ]
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages.append(reverse(f"{info}_changelist"))
        first = model.objects.order_by("pk").first()
        if first is not None and model._meta.app_label in ("campaigns", "tracker"):
            pages.append(reverse(f"{info}_change", args=[first.pk]))
            pages.append(reverse(f"{info}_history", args=[first.pk]))
        pages.append(reverse(f"{info}_add"))
        with contextlib.suppress(NoReverseMatch):  # only some lists import CSV
            pages.append(reverse(f"{info}_import"))
    # Pages of their own: a digest's preview (the email in a sandboxed frame), a letter's
    # signature import.
    from campaigns.models import Letter
    from tracker.models import Subscription

    subscription = Subscription.objects.create(email="partner@example.org")
    subscription.persons.set(DetainedPerson.objects.all())
    letter = Letter.objects.first()
    pages.append(reverse("admin:tracker_subscription_preview", args=[subscription.pk]))
    pages.append(reverse("admin:campaigns_letter_import_signatures", args=[letter.pk]))
    return pages


def test_no_admin_page_breaks_the_policy(staff_page, watch):
    seed_demo()
    page = watch(staff_page)
    broken, seen = {}, []
    for path in _admin_pages():
        response = page.goto(page.base_url + path)
        if response.status >= 400:  # a list without an add form answers 403
            continue
        seen.append(path)
        page.wait_for_load_state("networkidle")
        problems = watch.problems(page)
        if problems:
            broken[path] = problems
        watch.console.clear()
        watch.errors.clear()
    assert broken == {}
    assert len(seen) > 40
    own_pages = [path for path in seen if path.endswith(("/preview/", "/import-signatures/"))]
    assert len(own_pages) == 2


def test_the_login_page_works_without_a_violation(anon_page, watch):
    page = watch(anon_page)
    page.goto(page.base_url + reverse("admin:login"))
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("button", name="Log in").is_visible()
    assert watch.problems(page) == []
