"""The case file and the campaign file (tracker/workspace/casefile.py): a PDF rendered by
WeasyPrint, with the native-script name as text, and a print view, built from the same
permission-filtered selectors as the pages; internal notes only when asked for and allowed;
never a restricted field; a banner on quiet cases; every file recorded in the access log."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from campaigns.models import Campaign, Letter, Person, Signature
from campaigns.services import letter_response_record, letter_save
from config.roles import EDITOR, VIEWER
from tests.conftest import needs_pdf_renderer
from tracker.accesslog.models import AccessRecord
from tracker.cases.services import case_event_record, case_note_save, detained_person_save
from tracker.models import CaseNote, Mention, NewsItem

pytestmark = [pytest.mark.django_db, needs_pdf_renderer]

NOTE = "Sister says the lawyer was refused a visit again."


def ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def lin(staff_user):
    person = detained_person_save(
        name="Lin Qiuyue",
        native_name="林秋月",
        aliases=["Lin Chiu-yueh"],
        country="CN",
        status="detained",
        detained_on=ago(215),
        publicity="public",
        health="Needs insulin daily.",
    )
    case_event_record(
        person=person,
        date=ago(213),
        kind="rsdl",
        description="Family notified of RSDL.",
        source_url="https://news.example.org/rsdl-notice",
    )
    minister = Person.objects.create(full_name="A Minister")
    letter = letter_save(title="Appeal for Lin", status="sent", sent_on=ago(40), persons=[person])
    letter.recipients.add(minister)
    letter_response_record(
        letter=letter,
        person=minister,
        received_on=ago(10),
        summary="The ministry says the case follows the law.",
    )
    item = NewsItem.objects.create(
        url="https://news.example.org/lin",
        title="Lawyer Lin Qiuyue still held",
        published_at=timezone.now(),
        publisher="Example News",
    )
    Mention.objects.create(
        news_item=item, person=person, matched_terms=["林秋月"], status=Mention.Status.CONFIRMED
    )
    case_note_save(note=CaseNote(person=person, text=NOTE), user=staff_user)
    return person


def _staff(django_user_model, role: str) -> Client:
    user = django_user_model.objects.create_user(username=role, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client


def _case_file(client, person, query=""):
    return client.get(reverse("admin:tracker_detainedperson_case_file", args=[person.pk]) + query)


def test_the_case_file_is_a_pdf_with_the_native_name_as_text(staff_client, lin):
    response = _case_file(staff_client, lin)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert ".pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "Lin Qiuyue" in text and "林秋月" in text and "Lin Chiu-yueh" in text
    assert "Residential surveillance at a designated location (RSDL)" in text
    assert "215 days" in text  # days held
    assert "183 days in this status" in text and "30 days over" in text  # the legal limit
    assert "Family notified of RSDL." in text and "rsdl-notice" in text  # timeline, source
    assert "Appeal for Lin" in text and "follows the law" in text  # letters and answers
    assert "Lawyer Lin Qiuyue still held" in text  # confirmed news


def test_the_case_file_has_no_notes_unless_asked_for(staff_client, lin):
    assert NOTE not in pdf_text(_case_file(staff_client, lin).content)
    text = pdf_text(_case_file(staff_client, lin, "?include=notes").content)
    assert NOTE in text and "Internal" in text


def test_a_viewer_asking_for_notes_gets_the_file_without_them(django_user_model, lin):
    client = _staff(django_user_model, VIEWER)
    response = _case_file(client, lin, "?include=notes")
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "林秋月" in text and NOTE not in text


def test_an_editor_asking_for_notes_gets_them(django_user_model, lin):
    text = pdf_text(_case_file(_staff(django_user_model, EDITOR), lin, "?include=notes").content)
    assert NOTE in text


def test_restricted_fields_are_never_in_the_case_file(superuser, lin):
    client = Client()
    client.force_login(superuser)
    for query in ("", "?include=notes"):
        assert "insulin" not in pdf_text(_case_file(client, lin, query).content)
    print_url = reverse("admin:tracker_detainedperson_case_file_print", args=[lin.pk])
    assert "insulin" not in client.get(print_url).content.decode()


def test_a_quiet_case_file_says_do_not_publish(staff_client, lin):
    detained_person_save(person=lin, publicity="quiet")
    text = pdf_text(_case_file(staff_client, lin).content)
    assert "QUIET ADVOCACY" in text and "do not publish" in text
    detained_person_save(person=lin, publicity="public")
    assert "QUIET ADVOCACY" not in pdf_text(_case_file(staff_client, lin).content)


def test_every_case_file_is_recorded_in_the_access_log(staff_client, staff_user, lin):
    _case_file(staff_client, lin)
    staff_client.get(reverse("admin:tracker_detainedperson_case_file_print", args=[lin.pk]))
    records = AccessRecord.objects.filter(action="download").order_by("at", "pk")
    assert [(r.user, r.model, r.object_id) for r in records] == [
        (staff_user, "tracker.detainedperson", str(lin.pk))
    ] * 2
    names = [r.details["file"] for r in records]
    assert names[0].startswith("case-file-lin-qiuyue-") and names[0].endswith(".pdf")
    assert names[1].endswith(".html")


def test_the_print_view_is_a_page_with_the_same_content(staff_client, lin):
    response = staff_client.get(
        reverse("admin:tracker_detainedperson_case_file_print", args=[lin.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "林秋月" in page and "Family notified of RSDL." in page and NOTE not in page
    assert reverse("admin:tracker_detainedperson_case_file", args=[lin.pk]) in page


def test_the_case_page_has_buttons_for_the_case_file(staff_client, lin):
    page = staff_client.get(
        reverse("admin:tracker_detainedperson_change", args=[lin.pk])
    ).content.decode()
    file_url = reverse("admin:tracker_detainedperson_case_file", args=[lin.pk])
    assert "Case file (PDF)" in page and f'href="{file_url}"' in page
    assert f'href="{file_url}?include=notes"' in page
    assert reverse("admin:tracker_detainedperson_case_file_print", args=[lin.pk]) in page


def test_no_case_file_without_the_permission_to_view_the_case(django_user_model, lin):
    user = django_user_model.objects.create_user(username="other", password="x", is_staff=True)
    client = Client()
    client.force_login(user)
    assert _case_file(client, lin).status_code == 403
    assert not AccessRecord.objects.filter(action="download").exists()


def test_a_case_file_leaves_out_what_the_user_may_not_view(django_user_model, lin):
    """A role given the cases alone gets their names and status, no letters, events or news."""
    user = django_user_model.objects.create_user(username="cases", password="x", is_staff=True)
    user.user_permissions.add(
        *Group.objects.get(name=VIEWER).permissions.filter(codename="view_detainedperson")
    )
    client = Client()
    client.force_login(user)
    text = pdf_text(_case_file(client, lin).content)
    assert "林秋月" in text and "215 days" in text
    assert "Appeal for Lin" not in text and "Family notified" not in text
    assert "still held" not in text


# --- The campaign's file ---------------------------------------------------------------------


def test_the_campaign_file_lists_its_cases_with_days_held_and_its_letters(staff_client, lin):
    quiet = detained_person_save(
        name="Zhao Hailin", native_name="赵海林", detained_on=ago(20), publicity="quiet"
    )
    campaign = Campaign.objects.create(name="Free Lin", slug="free-lin")
    campaign.detained_persons.add(lin, quiet)
    letter = Letter.objects.get(title="Appeal for Lin")
    letter.campaign = campaign
    letter.save()
    for name in ("Ana", "Ben"):
        Signature.objects.create(letter=letter, person=Person.objects.create(full_name=name))
    response = staff_client.get(reverse("admin:campaigns_campaign_file", args=[campaign.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Free Lin" in text and "林秋月" in text and "赵海林" in text
    assert "215" in text and "20" in text  # days held
    assert "Appeal for Lin" in text and "2 signatures" in text and "follows the law" in text
    assert "QUIET ADVOCACY" in text
    assert NOTE not in text
    record = AccessRecord.objects.get(action="download")
    assert record.model == "campaigns.campaign" and record.details["file"].endswith(".pdf")
    page = staff_client.get(
        reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    ).content.decode()
    assert "Campaign file (PDF)" in page
    print_view = staff_client.get(
        reverse("admin:campaigns_campaign_file_print", args=[campaign.pk])
    )
    assert "赵海林" in print_view.content.decode()


# --- The same file through the API ------------------------------------------------------------


def _api_case_file(user, person, **query):
    from tests.conftest import token_client

    return token_client(user).get(f"/api/detained-persons/{person.pk}/case-file/", query)


def test_the_api_gives_the_case_file_as_a_pdf_and_records_it(django_user_model, lin):
    editor = django_user_model.objects.create_user(username="integration", password="x")
    editor.groups.add(Group.objects.get(name=EDITOR))
    response = _api_case_file(editor, lin)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "林秋月" in text and NOTE not in text
    assert NOTE in pdf_text(_api_case_file(editor, lin, include="notes").content)
    records = AccessRecord.objects.filter(action="download", user=editor)
    assert [(r.interface, r.object_id) for r in records] == [("api", str(lin.pk))] * 2


def test_the_api_case_file_follows_the_same_permissions(django_user_model, nobody, lin):
    viewer = django_user_model.objects.create_user(username="reader", password="x")
    viewer.groups.add(Group.objects.get(name=VIEWER))
    assert NOTE not in pdf_text(_api_case_file(viewer, lin, include="notes").content)
    assert _api_case_file(nobody, lin).status_code == 403
    assert "Needs insulin daily." not in pdf_text(_api_case_file(viewer, lin).content)


def test_the_api_case_file_refuses_unknown_parameters(django_user_model, lin):
    editor = django_user_model.objects.create_user(username="integration", password="x")
    editor.groups.add(Group.objects.get(name=EDITOR))
    response = _api_case_file(editor, lin, include="everything")
    assert (response.status_code, list(response.json())) == (400, ["include"])
    response = _api_case_file(editor, lin, format="docx")
    assert response.status_code in (400, 404)


def test_the_api_gives_the_campaign_file_as_a_pdf(django_user_model, nobody, lin):
    from tests.conftest import token_client

    campaign = Campaign.objects.create(name="Free Lin", slug="free-lin")
    campaign.detained_persons.add(lin)
    viewer = django_user_model.objects.create_user(username="reader", password="x")
    viewer.groups.add(Group.objects.get(name=VIEWER))
    url = f"/api/campaigns/{campaign.pk}/file/"
    response = token_client(viewer).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Free Lin" in pdf_text(response.content) and "林秋月" in pdf_text(response.content)
    record = AccessRecord.objects.get(action="download")
    assert (record.interface, record.model) == ("api", "campaigns.campaign")
    assert token_client(nobody).get(url).status_code == 403
    assert list(token_client(viewer).get(url, {"x": "1"}).json()) == ["x"]
