"""WCAG 2.2 AA on every staff page (issue 24): axe-core finds no violation (none critical or
serious, and no moderate one that tests/browser/accessibility.py does not explain) on
the dashboard, every list, every add and change page with its inlines (and each add page in its
error state), the case and campaign files, the sign-in, two-factor and lockout pages and the API
docs, on the demo data at 1366 x 768."""

import contextlib

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from campaigns.models import Campaign
from tests.browser.accessibility import audit, problems
from tracker.models import DetainedPerson
from tracker.workspace.demo import seed_demo

pytestmark = pytest.mark.django_db(transaction=True)


def _admin_pages() -> list[tuple[str, str, bool]]:
    """(label, path, submit it empty too) for every registered admin's list, add page and the
    change page of its first record."""
    pages = []
    for model in sorted(admin.site._registry, key=lambda model: model._meta.label):
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        pages.append((f"{opts.label} list", reverse(f"{name}_changelist"), False))
        with contextlib.suppress(NoReverseMatch):  # an admin without an add page
            pages.append((f"{opts.label} add", reverse(f"{name}_add"), True))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(
                (f"{opts.label} change", reverse(f"{name}_change", args=[first.pk]), False)
            )
    return pages


def _other_pages() -> list[tuple[str, str]]:
    case = DetainedPerson.objects.order_by("pk").first()
    campaign = Campaign.objects.order_by("pk").first()
    return [
        ("dashboard", reverse("admin:index")),
        ("case file", reverse("admin:tracker_detainedperson_case_file_print", args=[case.pk])),
        ("campaign file", reverse("admin:campaigns_campaign_file_print", args=[campaign.pk])),
        ("two-factor profile", reverse("two_factor:profile")),
        ("two-factor set-up", reverse("two_factor:setup")),
        ("API docs", reverse("api-docs")),
    ]


def _submit_empty(page) -> None:
    """Save an add page as it opened: the page comes back with its errors."""
    with page.expect_navigation():
        page.locator("[type=submit][name='_save']").first.click()


def test_no_staff_page_has_a_violation(staff_page):
    seed_demo()
    page = staff_page
    found = {}
    for label, path in _other_pages():
        page.goto(page.base_url + path)
        if found_here := problems(audit(page)):
            found[label] = found_here
    for label, path, submit in _admin_pages():
        if page.goto(page.base_url + path).status == 403:  # a page no one may open (axes')
            continue
        if found_here := problems(audit(page)):
            found[label] = found_here
        if submit and page.locator("[type=submit][name='_save']").count():
            _submit_empty(page)
            # The error summary is announced and the keyboard starts from it.
            if page.locator(".errornote").count() and not page.evaluate(
                "() => document.activeElement.matches('.errornote[role=alert]')"
            ):
                found[f"{label} (errors)"] = ["the error summary is not announced and focused"]
            if found_here := problems(audit(page)):
                found[f"{label} (errors)"] = found_here
    assert found == {}, "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in found.items())


def test_the_sign_in_and_lockout_pages_have_no_violation(anon_page, settings, django_user_model):
    django_user_model.objects.create_user("researcher", password="right", is_staff=True)
    page = anon_page
    page.goto(page.base_url + reverse("admin:login"))
    found = {}
    if found_here := problems(audit(page)):
        found["sign-in"] = found_here
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.fill("input[name='auth-username']", "researcher")
        page.fill("input[name='auth-password']", "wrong")
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()
    assert "locked" in page.content().lower()
    if found_here := problems(audit(page)):
        found["lockout"] = found_here
    assert found == {}, "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in found.items())
