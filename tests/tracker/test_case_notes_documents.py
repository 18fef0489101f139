"""A case's internal notes and documents: on the case's page beside the timeline, not on it;
for Editors and Case officers, not Viewers; documents under the letter responses' upload rules,
served only by the admin's download, each download in the access log; in the API; never in a
digest."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from config.roles import CASE_OFFICER, EDITOR, VIEWER
from tests.tracker.digests.conftest import START, mention, subscribe
from tracker.accesslog.models import AccessRecord
from tracker.cases.services import case_document_save, case_note_save, detained_person_save
from tracker.digests.sending import digest_send, digests_create_due
from tracker.models import CaseDocument, CaseNote

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 the verdict"
MB = 1024 * 1024
NOTE = "Sister says the lawyer was refused a visit again."


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def lin():
    return detained_person_save(name="Lin Qiuyue", native_name="林秋月", publicity="public")


@pytest.fixture
def note(lin, staff_user):
    return case_note_save(note=CaseNote(person=lin, text=NOTE), user=staff_user)


@pytest.fixture
def document(lin, staff_user):
    doc = CaseDocument(
        person=lin,
        title="First-instance verdict",
        kind="verdict",
        file=SimpleUploadedFile("verdict.pdf", PDF),
    )
    return case_document_save(document=doc, user=staff_user)


def _staff(django_user_model, role: str) -> Client:
    user = django_user_model.objects.create_user(username=role, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client


def _case_page(client, person):
    return client.get(reverse("admin:tracker_detainedperson_change", args=[person.pk]))


@pytest.mark.parametrize("role", [EDITOR, CASE_OFFICER])
def test_editors_and_case_officers_see_notes_and_documents_on_the_case_page(
    django_user_model, role, lin, note, document
):
    page = _case_page(_staff(django_user_model, role), lin).content.decode()
    assert 'id="internal-records"' in page and NOTE in page
    assert reverse("admin:tracker_casedocument_file", args=[document.pk]) in page
    # Beside the timeline, not on it: the summary above the form does not carry them.
    summary = page[page.index('id="case-summary"') : page.index('name="name"')]
    assert NOTE not in summary


def test_a_viewer_sees_no_notes_or_documents(django_user_model, lin, note, document):
    client = _staff(django_user_model, VIEWER)
    page = _case_page(client, lin).content.decode()
    assert NOTE not in page and "verdict.pdf" not in page
    file_url = reverse("admin:tracker_casedocument_file", args=[document.pk])
    assert client.get(file_url).status_code in (302, 403)
    assert client.get(reverse("admin:tracker_casenote_changelist")).status_code == 403
    assert not AccessRecord.objects.filter(action="download").exists()


def test_a_note_added_on_the_case_page_is_the_writers(staff_client, staff_user, lin):
    page = _case_page(staff_client, lin).content.decode()
    add_url = reverse("admin:tracker_detainedperson_add_note", args=[lin.pk])
    assert f'action="{add_url}"' in page
    response = staff_client.post(add_url, {"note-written_on": "2026-01-05", "note-text": NOTE})
    change_url = reverse("admin:tracker_detainedperson_change", args=[lin.pk])
    assert response.status_code == 302 and response["Location"].startswith(change_url)
    saved = CaseNote.objects.get()
    assert (saved.person, saved.author, saved.text) == (lin, staff_user, NOTE)
    assert saved.written_on == datetime.date(2026, 1, 5)
    assert saved.history.count() == 1
    assert NOTE in _case_page(staff_client, lin).content.decode()


def test_adding_a_note_saves_nothing_else_of_the_case(staff_client, lin):
    before = lin.updated_at
    staff_client.post(
        reverse("admin:tracker_detainedperson_add_note", args=[lin.pk]),
        {"note-written_on": "2026-01-05", "note-text": NOTE, "name": "Someone else"},
    )
    lin.refresh_from_db()
    assert (lin.name, lin.updated_at) == ("Lin Qiuyue", before)


def test_a_viewer_cannot_add_a_note(django_user_model, lin):
    client = _staff(django_user_model, VIEWER)
    response = client.post(
        reverse("admin:tracker_detainedperson_add_note", args=[lin.pk]), {"note-text": NOTE}
    )
    assert response.status_code == 403
    assert not CaseNote.objects.exists()


def test_a_document_uploaded_on_the_case_page_is_the_uploaders(staff_client, staff_user, lin):
    response = staff_client.post(
        reverse("admin:tracker_detainedperson_add_document", args=[lin.pk]),
        {
            "document-title": "Letter from her mother",
            "document-kind": "family_letter",
            "document-file": SimpleUploadedFile("mother.pdf", PDF),
        },
    )
    assert response.status_code == 302
    document = CaseDocument.objects.get()
    assert (document.person, document.uploaded_by) == (lin, staff_user)
    page = _case_page(staff_client, lin).content.decode()
    assert reverse("admin:tracker_casedocument_file", args=[document.pk]) in page


def test_a_document_over_the_upload_limit_is_refused_on_the_case_page(staff_client, lin, settings):
    settings.UPLOAD_MAX_BYTES = 1 * MB
    response = staff_client.post(
        reverse("admin:tracker_detainedperson_add_document", args=[lin.pk]),
        {
            "document-title": "Notice of RSDL",
            "document-kind": "notice",
            "document-file": SimpleUploadedFile("notice.pdf", b"%" * (3 * MB // 2)),
        },
        follow=True,
    )
    assert not CaseDocument.objects.exists()
    shown = [str(m) for m in response.context["messages"]]
    assert shown == ["Not added: File: The file is 1.5 MB; the largest accepted is 1.0 MB."]


def test_a_document_over_the_upload_limit_is_refused(staff_client, lin, settings):
    settings.UPLOAD_MAX_BYTES = 1 * MB
    page = staff_client.post(
        reverse("admin:tracker_casedocument_add"),
        {
            "person": lin.pk,
            "title": "Notice of RSDL",
            "kind": "notice",
            "file": SimpleUploadedFile("notice.pdf", b"%" * (3 * MB // 2)),
        },
    )
    assert page.status_code == 200
    assert page.context["adminform"].form.errors["file"] == [
        "The file is 1.5 MB; the largest accepted is 1.0 MB."
    ]
    assert not CaseDocument.objects.exists()


def test_a_document_that_a_browser_would_run_is_refused(staff_client, lin):
    page = staff_client.post(
        reverse("admin:tracker_casedocument_add"),
        {
            "person": lin.pk,
            "title": "Page",
            "kind": "other",
            "file": SimpleUploadedFile("page.html", b"<script>alert(1)</script>"),
        },
    )
    assert page.status_code == 200
    assert "file" in page.context["adminform"].form.errors
    assert not CaseDocument.objects.exists()


def test_a_document_uploaded_in_the_admin_is_the_uploaders(staff_client, staff_user, lin):
    response = staff_client.post(
        reverse("admin:tracker_casedocument_add"),
        {
            "person": lin.pk,
            "title": "Letter from her mother",
            "kind": "family_letter",
            "file": SimpleUploadedFile("mother.pdf", PDF),
        },
    )
    assert response.status_code == 302
    assert CaseDocument.objects.get().uploaded_by == staff_user


def test_downloading_a_document_is_recorded_in_the_access_log(staff_client, staff_user, document):
    response = staff_client.get(reverse("admin:tracker_casedocument_file", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    record = AccessRecord.objects.get(action="download")
    assert record.user == staff_user
    assert record.model == "tracker.casedocument"
    assert record.details == {"file": "verdict.pdf"}


# --- API -------------------------------------------------------------------------------------


def test_an_editor_writes_a_note_through_the_api_as_its_author(editor, editor_client, lin):
    response = editor_client.post(
        "/api/case-notes/",
        {"person": lin.pk, "written_on": "2026-01-05", "text": NOTE},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["author"] == editor.pk
    assert CaseNote.objects.get().author == editor
    listed = editor_client.get(f"/api/case-notes/?person={lin.pk}").json()
    assert [n["text"] for n in listed["results"]] == [NOTE]


def test_a_notes_author_cannot_be_set_through_the_api(editor_client, superuser, lin):
    response = editor_client.post(
        "/api/case-notes/",
        {"person": lin.pk, "text": NOTE, "author": superuser.pk},
        format="json",
    )
    assert response.status_code == 400
    assert not CaseNote.objects.exists()


def test_a_viewer_reads_no_notes_or_documents_through_the_api(viewer_client, note, document):
    assert viewer_client.get("/api/case-notes/").status_code == 403
    assert viewer_client.get("/api/case-documents/").status_code == 403


def test_documents_are_listed_with_a_link_to_the_admins_download(editor_client, document):
    body = editor_client.get(f"/api/case-documents/?person={document.person_id}").json()
    [row] = body["results"]
    assert row["title"] == "First-instance verdict" and row["kind"] == "verdict"
    assert row["file"].endswith(reverse("admin:tracker_casedocument_file", args=[document.pk]))
    assert row["file_name"] == "verdict.pdf"
    # Uploads are made in the admin.
    assert editor_client.post("/api/case-documents/", {}, format="json").status_code == 405


def test_notes_sync_with_updated_since(editor_client, note):
    def since(delta):
        moment = (note.updated_at + datetime.timedelta(seconds=delta)).isoformat()
        return editor_client.get("/api/case-notes/", {"updated_since": moment}).json()["count"]

    assert (since(1), since(-1)) == (0, 1)


# --- Never in a digest -----------------------------------------------------------------------


def test_notes_and_documents_are_never_in_a_digest(clock, staff_user, lin):
    case_note_save(note=CaseNote(person=lin, text=NOTE), user=staff_user)
    doc = CaseDocument(
        person=lin, title="Secret family letter", file=SimpleUploadedFile("f.pdf", PDF)
    )
    case_document_save(document=doc, user=staff_user)
    staff_user.email = "researcher@ngo.example"
    staff_user.save()
    for address in ("researcher@ngo.example", "ally@partner.example"):
        subscribe(address, persons=[lin], include_unreviewed=True)
    clock.move_to(START + datetime.timedelta(hours=1))
    mention(lin)
    clock.move_to(START + datetime.timedelta(days=1))
    for pk in digests_create_due(frequency="daily"):
        digest_send(delivery_id=pk)
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        bodies = [message.body, *(alt[0] for alt in getattr(message, "alternatives", []))]
        assert "Lin Qiuyue" in message.body
        for body in bodies:
            assert NOTE not in body and "Secret family letter" not in body
