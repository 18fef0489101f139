"""/api/letter-responses/: recording an answer to a letter moves the letter to "responded";
exactly one of person and organization; filters by letter, campaign, person and date; and the
letter's detail says, per recipient, when it was sent, answered and how long they waited."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from campaigns.models import Letter, LetterResponse
from campaigns.services import letter_response_record
from tests.campaigns.factories import (
    CampaignFactory,
    LetterFactory,
    OrganizationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/letter-responses/"


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2025, 3, 14, 12, tzinfo=datetime.UTC), tick=False):
        yield datetime.date(2025, 3, 14)


def _letter(*recipients, **fields):
    fields = {"status": Letter.Status.SENT, "sent_on": datetime.date(2025, 1, 10), **fields}
    letter = LetterFactory(**fields)
    letter.recipients.set(recipients)
    return letter


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()["results"]]


def test_recording_a_response_moves_the_letter_to_responded(editor_client):
    minister = PersonFactory()
    letter = _letter(minister)
    body = {
        "letter": letter.pk,
        "person": minister.pk,
        "received_on": "2025-02-03",
        "summary": "The minister says the case is under review.",
        "url": "https://example.org/reply",
    }
    response = editor_client.post(URL, body)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert {k: data[k] for k in body} == body
    assert data["organization"] is None
    assert data["file"] is None
    saved = LetterResponse.objects.get()
    assert (saved.letter, saved.person, str(saved.received_on)) == (
        letter,
        minister,
        "2025-02-03",
    )
    letter.refresh_from_db()
    assert letter.status == "responded"
    assert editor_client.get(f"/api/letters/{letter.pk}/").json()["status"] == "responded"


def test_an_organization_may_answer_instead_of_a_person(editor_client):
    ministry = OrganizationFactory()
    letter = _letter(PersonFactory(organization=ministry))
    body = {"letter": letter.pk, "organization": ministry.pk, "received_on": "2025-02-03"}
    response = editor_client.post(URL, {**body, "summary": "Acknowledged."})
    assert response.status_code == 201, response.json()
    assert response.json()["person"] is None
    assert LetterResponse.objects.get().organization == ministry


@pytest.mark.parametrize("who", ["neither", "both"])
def test_a_response_needs_exactly_one_of_a_person_and_an_organization(editor_client, who):
    letter = _letter()
    body = {"letter": letter.pk, "received_on": "2025-02-03", "summary": "?"}
    if who == "both":
        body |= {"person": PersonFactory().pk, "organization": OrganizationFactory().pk}
    response = editor_client.post(URL, body)
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["A response comes from exactly one of a person or an organization."]
    }
    assert not LetterResponse.objects.exists()
    letter.refresh_from_db()
    assert letter.status == "sent"


def test_a_patch_that_would_leave_both_responders_is_a_400(editor_client):
    minister = PersonFactory()
    response = letter_response_record(
        letter=_letter(minister), person=minister, received_on="2025-02-03", summary="."
    )
    answer = editor_client.patch(f"{URL}{response.pk}/", {"organization": OrganizationFactory().pk})
    assert answer.status_code == 400
    assert "non_field_errors" in answer.json()
    response.refresh_from_db()
    assert response.organization is None


def test_a_response_received_after_today_is_a_400_naming_received_on(editor_client):
    minister = PersonFactory()
    body = {"letter": _letter(minister).pk, "person": minister.pk, "summary": "?"}
    response = editor_client.post(URL, {**body, "received_on": "2025-03-15"})
    assert response.status_code == 400
    assert list(response.json()) == ["received_on"]
    assert "after today (2025-03-14)" in response.json()["received_on"][0]
    assert not LetterResponse.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"summary": ""}, "summary"),
        ({"received_on": "14/03/2025"}, "received_on"),
        ({"person": "12"}, "person"),
        ({"url": "not a link"}, "url"),
        ({"file": "reply.pdf"}, "file"),
        ({"letter": 999999}, "letter"),
    ],
)
def test_bad_fields_are_400s_naming_them(editor_client, body, field):
    minister = PersonFactory()
    valid = {
        "letter": _letter(minister).pk,
        "person": minister.pk,
        "received_on": "2025-02-03",
        "summary": "Noted.",
    }
    response = editor_client.post(URL, {**valid, **body})
    assert response.status_code == 400
    assert field in response.json()
    assert not LetterResponse.objects.exists()


def test_deleting_the_last_response_moves_the_letter_back_to_sent(editor_client):
    minister = PersonFactory()
    letter = _letter(minister)
    response = letter_response_record(
        letter=letter, person=minister, received_on="2025-02-03", summary="."
    )
    assert editor_client.delete(f"{URL}{response.pk}/").status_code == 204
    letter.refresh_from_db()
    assert letter.status == "sent"
    assert not LetterResponse.objects.exists()


def test_a_letter_with_responses_cannot_be_deleted(editor_client):
    minister = PersonFactory()
    letter = _letter(minister)
    letter_response_record(letter=letter, person=minister, received_on="2025-02-03", summary=".")
    response = editor_client.delete(f"/api/letters/{letter.pk}/")
    assert response.status_code == 409
    assert response.json()["protected"] == {"letter responses": 1}


def test_responses_are_filtered_by_letter_campaign_person_organization_and_date(viewer_client):
    campaign = CampaignFactory(slug="free-them")
    minister, envoy, ministry = PersonFactory(), PersonFactory(), OrganizationFactory()
    in_campaign = _letter(minister, envoy, campaign=campaign)
    elsewhere = _letter(minister)

    def record(letter, received_on, **who):
        return letter_response_record(letter=letter, received_on=received_on, summary=".", **who).pk

    a = record(in_campaign, "2025-01-20", person=minister)
    b = record(in_campaign, "2025-02-20", organization=ministry)
    c = record(elsewhere, "2025-03-01", person=minister)
    d = record(in_campaign, "2025-03-10", person=envoy)
    assert _ids(viewer_client.get(URL)) == [d, c, b, a]  # the latest received first
    assert _ids(viewer_client.get(URL, {"letter": elsewhere.pk})) == [c]
    assert _ids(viewer_client.get(URL, {"campaign": "free-them"})) == [d, b, a]
    assert _ids(viewer_client.get(URL, {"campaign": campaign.pk})) == [d, b, a]
    assert _ids(viewer_client.get(URL, {"person": minister.pk})) == [c, a]
    assert _ids(viewer_client.get(URL, {"organization": ministry.pk})) == [b]
    dates = {"received_after": "2025-02-01", "received_before": "2025-03-01"}
    assert _ids(viewer_client.get(URL, dates)) == [c, b]


@pytest.mark.parametrize(
    "params",
    [{"received_after": "2025-13-01"}, {"campaign": "no-such"}, {"person": "x"}, {"from": "1"}],
)
def test_a_bad_filter_is_a_400_naming_it(viewer_client, params):
    response = viewer_client.get(URL, params)
    assert response.status_code == 400
    assert list(response.json()) == list(params)


def test_a_viewer_reads_responses_but_cannot_record_one(viewer_client):
    minister = PersonFactory()
    letter = _letter(minister)
    body = {"letter": letter.pk, "person": minister.pk, "received_on": "2025-02-03"}
    assert viewer_client.post(URL, {**body, "summary": "."}).status_code == 403
    assert not LetterResponse.objects.exists()
    letter_response_record(letter=letter, person=minister, received_on="2025-02-03", summary=".")
    assert len(_ids(viewer_client.get(URL))) == 1


def test_anonymous_clients_see_no_responses(anonymous_client):
    assert anonymous_client.get(URL).status_code == 401


def test_a_letters_detail_gives_each_recipients_answer_and_days_waiting(viewer_client):
    ministry = OrganizationFactory()
    minister = PersonFactory(full_name="A Minister", organization=ministry)
    envoy = PersonFactory(full_name="B Envoy")
    letter = _letter(minister, envoy, sent_on=datetime.date(2025, 1, 10))
    letter_response_record(
        letter=letter, organization=ministry, received_on="2025-01-20", summary="."
    )
    response = viewer_client.get(f"/api/letters/{letter.pk}/")
    assert response.status_code == 200
    assert response.json()["recipients_status"] == [
        {
            "person": minister.pk,
            "name": "A Minister",
            "sent_on": "2025-01-10",
            "answered_on": "2025-01-20",
            "days_waiting": 10,
        },
        {
            "person": envoy.pk,
            "name": "B Envoy",
            "sent_on": "2025-01-10",
            "answered_on": None,
            "days_waiting": 63,
        },
    ]
    # The list stays as it was: no per-recipient work for each of its letters.
    (listed,) = viewer_client.get("/api/letters/").json()["results"]
    assert "recipients_status" not in listed


def test_a_responses_file_is_linked_for_staff_and_never_served_publicly(
    editor_client, settings, tmp_path, staff_client
):
    settings.MEDIA_ROOT = tmp_path
    minister = PersonFactory()
    response = letter_response_record(
        letter=_letter(minister),
        person=minister,
        received_on="2025-02-03",
        summary="Scanned reply.",
        file=SimpleUploadedFile("reply.pdf", b"%PDF-1.4 the reply"),
    )
    link = editor_client.get(f"{URL}{response.pk}/").json()["file"]
    path = f"/admin/campaigns/letterresponse/{response.pk}/file/"
    assert link == f"http://testserver{path}"
    # Anonymous visitors are sent to the login page; nothing is served from MEDIA_ROOT.
    client = Client()
    anonymous = client.get(path)
    assert anonymous.status_code == 302
    assert "/admin/login/" in anonymous["Location"]
    assert client.get(f"/media/{response.file.name}").status_code == 404
    download = staff_client.get(path)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 the reply"
