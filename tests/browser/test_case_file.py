"""A caseworker's morning on one case, in Chromium with real clicks and typing: log in as an
Editor, open the case, add an internal note through the page, and download the case file: a PDF
whose text holds the native-script name (and, asked for with the notes, the note)."""

import io

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from pypdf import PdfReader

from config.roles import EDITOR, sync_roles
from tests.browser.test_staff_workflow import PASSWORD, _log_in
from tests.conftest import needs_pdf_renderer
from tracker.accesslog.models import AccessRecord
from tracker.cases.services import detained_person_save
from tracker.models import CaseNote

pytestmark = [pytest.mark.django_db(transaction=True), needs_pdf_renderer]

NOTE = "Called her sister: the lawyer was refused a visit again."


def _pdf_text(path) -> str:
    with open(path, "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_open_a_case_add_a_note_and_download_its_case_file(anon_page, step, django_user_model):
    page = anon_page
    # The roles migration made the groups; an earlier browser test may have flushed the
    # database since, so make them again the way the migrations do.
    sync_roles(MigrationLoader(connection).project_state().apps)
    editor = django_user_model.objects.create_user("caseworker", password=PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITOR))
    person = detained_person_save(
        name="Lin Qiuyue",
        native_name="林秋月",
        country="CN",
        status="detained",
        detained_on="2026-01-05",
    )
    with step(page, "log-in"):
        _log_in(page, "caseworker")
    with step(page, "open-the-case"):
        page.goto(page.base_url + reverse("admin:tracker_detainedperson_change", args=[person.pk]))
        assert "林秋月" in page.locator("#case-summary").inner_text()
    with step(page, "add-a-note"):
        page.locator("#add-note").get_by_label("Note").fill(NOTE)
        with page.expect_navigation():
            page.get_by_role("button", name="Add the note").click()
        assert NOTE in page.locator("#internal-records").inner_text()
        note = CaseNote.objects.get()
        assert (note.person_id, note.author_id) == (person.pk, editor.pk)
    with step(page, "download-the-case-file"):
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Case file (PDF)").click()
        download = download_info.value
        assert download.suggested_filename.startswith("case-file-lin-qiuyue-")
        assert download.suggested_filename.endswith(".pdf")
        text = _pdf_text(download.path())
        assert "林秋月" in text and "Lin Qiuyue" in text
        assert NOTE not in text  # notes only when asked for
    with step(page, "download-it-with-the-notes"):
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Case file with notes (PDF)").click()
        text = _pdf_text(download_info.value.path())
        assert "林秋月" in text and NOTE in text
    assert AccessRecord.objects.filter(action="download", user=editor).count() == 2
