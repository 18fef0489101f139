"""A caseworker's morning, end to end in Chromium with real clicks and typing: sign in, see
"My work" (the hearing follow-up Vigil made for the case's lead), search the case by its
native-script name, open it, add an internal note, tick the follow-up done, and download the
case file: a PDF whose text holds the native-script name."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from config.roles import EDITOR, sync_roles
from tests.browser.test_staff_workflow import PASSWORD, _log_in
from tests.conftest import needs_pdf_renderer
from tracker.cases.services import case_event_record, case_officer_add, detained_person_save
from tracker.models import CaseNote
from tracker.workspace.models import Task
from tracker.workspace.services import follow_ups_create

pytestmark = [pytest.mark.django_db(transaction=True), needs_pdf_renderer]

NOTE = "Called her sister before the hearing: the lawyer was refused a visit again."


def test_a_caseworkers_morning(anon_page, step, django_user_model):
    page = anon_page
    # The roles migration made the groups; an earlier browser test may have flushed them.
    sync_roles(MigrationLoader(connection).project_state().apps)
    caseworker = django_user_model.objects.create_user(
        "caseworker", password=PASSWORD, is_staff=True
    )
    caseworker.groups.add(Group.objects.get(name=EDITOR))
    person = detained_person_save(
        name="Lin Qiuyue", native_name="林秋月", country="CN", detained_on="2026-01-05"
    )
    detained_person_save(name="Zhao Hailin", native_name="赵海林", country="CN")
    case_officer_add(person=person, user=caseworker, lead=True)
    today = timezone.localdate()
    case_event_record(
        person=person, date=today + datetime.timedelta(days=3), kind="hearing", description=""
    )
    follow_ups_create(today=today)  # what beat does each morning
    follow_up = Task.objects.get(assignee=caseworker)

    with step(page, "sign-in"):
        _log_in(page, "caseworker")
    with step(page, "my-work"):
        my_work = page.locator("#vd-my-work")
        assert "Lin Qiuyue" in my_work.inner_text()
        assert my_work.get_by_role("link", name=follow_up.title[:40]).count() == 1
    with step(page, "search-the-native-name"):
        page.get_by_label("Search cases, organizations, people, campaigns").fill("林秋月")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "Zhao Hailin" not in page.locator("#content").inner_text()
        with page.expect_navigation():
            page.get_by_role("link", name="Lin Qiuyue").first.click()
        assert "林秋月" in page.locator("#case-summary").inner_text()
    with step(page, "add-a-note"):
        page.locator("#add-note").get_by_label("Note").fill(NOTE)
        with page.expect_navigation():
            page.get_by_role("button", name="Add the note").click()
        assert NOTE in page.locator("#internal-records").inner_text()
        assert CaseNote.objects.get().author == caseworker
    with step(page, "tick-the-follow-up-done"):
        page.goto(page.base_url + reverse("admin:index"))
        with page.expect_navigation():
            page.locator("#vd-my-work").get_by_role("link", name=follow_up.title[:40]).click()
        page.get_by_label("Done").check()
        with page.expect_navigation():
            page.locator("button[name='_save']").click()
        follow_up.refresh_from_db()
        assert follow_up.done_by == caseworker and follow_up.done_at is not None
        page.goto(page.base_url + reverse("admin:index"))
        assert "You have no open tasks." in page.locator("#vd-my-work").inner_text()
    with step(page, "download-the-case-file"):
        page.goto(page.base_url + reverse("admin:tracker_detainedperson_change", args=[person.pk]))
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Case file (PDF)").click()
        with open(download_info.value.path(), "rb") as handle:
            reader = PdfReader(io.BytesIO(handle.read()))
        text = "\n".join(p.extract_text() for p in reader.pages)
        assert "林秋月" in text and "Lin Qiuyue" in text
