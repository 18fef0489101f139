"""Restricted case fields in Chromium, for a Viewer and for a Case officer: the Confidential tab
of a case shows the Viewer "Withheld" for each field and no export button; the Case officer
reads the values, changes one, saves, and finds it changed."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from playwright.sync_api import expect

from config.roles import CASE_OFFICER, VIEWER, sync_roles
from tracker.cases.services import detained_person_save

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"
SECRETS = {
    "family_contact": "Sister Mei, +86 139 0000 1111",
    "lawyer": "Wen Donghai",
    "health": "Untreated heart condition",
}


@pytest.fixture
def case(django_user_model):
    # The roles migration made the groups; this test's database was flushed since.
    sync_roles(MigrationLoader(connection).project_state().apps)
    return detained_person_save(
        name="Zhao Hailin", native_name="赵海林", country="CN", publicity="quiet", **SECRETS
    )


def _log_in_as(page, django_user_model, username: str, group: str) -> None:
    user = django_user_model.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    page.goto(page.base_url + reverse("admin:login"))
    page.fill("input[name='auth-username']", username)
    page.fill("input[name='auth-password']", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


def _open_confidential_tab(page, case) -> None:
    page.goto(page.base_url + reverse("admin:tracker_detainedperson_change", args=[case.pk]))
    page.get_by_role("button", name="Confidential", exact=True).click()


def test_a_viewer_sees_withheld_and_cannot_export(anon_page, step, django_user_model, case):
    page = anon_page
    with step(page, "log-in"):
        _log_in_as(page, django_user_model, "viewer", VIEWER)
    with step(page, "withheld"):
        _open_confidential_tab(page, case)
        withheld = page.locator(".vigil-withheld")
        expect(withheld.first).to_be_visible()
        assert withheld.count() == 6
        body = page.locator("body").inner_text()
        for secret in SECRETS.values():
            assert secret not in body
        assert "Quiet advocacy only" in body
    with step(page, "no-export"):
        page.goto(page.base_url + reverse("admin:tracker_detainedperson_changelist"))
        assert page.get_by_role("link", name=re.compile("Export")).count() == 0


def test_a_case_officer_reads_and_changes_a_restricted_field(
    anon_page, step, django_user_model, case
):
    page = anon_page
    with step(page, "log-in"):
        _log_in_as(page, django_user_model, "officer", CASE_OFFICER)
    with step(page, "read"):
        _open_confidential_tab(page, case)
        expect(page.locator("#id_lawyer")).to_be_visible()
        assert page.locator("#id_lawyer").input_value() == "Wen Donghai"
        assert page.locator("#id_health").input_value() == "Untreated heart condition"
    with step(page, "change"):
        page.fill("#id_lawyer", "Liang Xiaojun")
        with page.expect_navigation():
            page.locator("button[name='_continue']").click()
        case.refresh_from_db()
        assert case.lawyer == "Liang Xiaojun"
        assert case.health == "Untreated heart condition"
