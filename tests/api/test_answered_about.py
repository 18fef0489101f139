"""The API's side of #20 §6: a response's `persons` (whom it answers about, only among its
letter's), a letter's `answered_about`, and a detained person's `letters_asking` and
`letters_answered`."""

import datetime

import pytest
from django.contrib.auth.models import Permission

from campaigns.models import LetterResponse
from campaigns.services import letter_response_record, letter_save
from tests.campaigns.factories import PersonFactory
from tests.tracker.factories import DetainedPersonFactory

pytestmark = pytest.mark.django_db

SENT = datetime.date(2025, 1, 10)


@pytest.fixture
def people():
    return [DetainedPersonFactory(name=f"Person {i}") for i in range(4)]


@pytest.fixture
def letter(people):
    letter = letter_save(title="Four cases", status="sent", sent_on=SENT, persons=people)
    letter.recipients.add(PersonFactory())
    return letter


def _answer(letter, *about):
    return letter_response_record(
        letter=letter,
        person=letter.recipients.get(),
        received_on=SENT,
        summary="Noted.",
        persons=about,
    )


def test_recording_a_response_stores_whom_it_answers_about(editor_client, letter, people):
    body = {
        "letter": letter.pk,
        "person": letter.recipients.get().pk,
        "received_on": "2025-02-03",
        "summary": "Two of them are well.",
        "persons": [people[0].pk, people[2].pk],
    }
    response = editor_client.post("/api/letter-responses/", body, format="json")
    assert response.status_code == 201, response.json()
    assert sorted(response.json()["persons"]) == [people[0].pk, people[2].pk]
    saved = LetterResponse.objects.get()
    assert set(saved.persons.all()) == {people[0], people[2]}


def test_a_response_about_a_person_the_letter_is_not_about_is_a_400_naming_persons(
    editor_client, letter, people
):
    stranger = DetainedPersonFactory(name="Stranger")
    body = {
        "letter": letter.pk,
        "person": letter.recipients.get().pk,
        "received_on": "2025-02-03",
        "summary": "?",
        "persons": [people[0].pk, stranger.pk],
    }
    response = editor_client.post("/api/letter-responses/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["persons"]
    assert "Stranger" in response.json()["persons"][0]
    assert not LetterResponse.objects.exists()


def test_patching_a_responses_persons_replaces_them_and_leaving_them_out_keeps_them(
    editor_client, letter, people
):
    answer = _answer(letter, people[0])
    url = f"/api/letter-responses/{answer.pk}/"
    response = editor_client.patch(url, {"summary": "Changed."}, format="json")
    assert response.status_code == 200 and response.json()["persons"] == [people[0].pk]
    response = editor_client.patch(url, {"persons": [people[3].pk]}, format="json")
    assert response.status_code == 200 and response.json()["persons"] == [people[3].pk]
    assert list(answer.persons.all()) == [people[3]]


def test_a_letter_says_whom_it_was_answered_about(viewer_client, letter, people):
    _answer(letter, people[0])
    _answer(letter, people[0], people[2])
    expected = {
        "asked": 4,
        "answered": 2,
        "persons_answered": sorted([people[0].pk, people[2].pk]),
        "persons_unanswered": sorted([people[1].pk, people[3].pk]),
    }
    detail = viewer_client.get(f"/api/letters/{letter.pk}/")
    assert detail.status_code == 200
    assert detail.json()["answered_about"] == expected
    listed = viewer_client.get("/api/letters/").json()["results"]
    assert [item["answered_about"] for item in listed] == [expected]


def test_answered_about_is_null_without_permission_to_view_responses(viewer, client_for, letter):
    viewer.groups.clear()
    viewer.user_permissions.set(Permission.objects.filter(codename="view_letter"))
    response = client_for(viewer).get(f"/api/letters/{letter.pk}/")
    assert response.status_code == 200
    assert response.json()["answered_about"] is None


def test_a_detained_person_says_how_many_letters_asked_and_answered_about_them(
    viewer_client, letter, people
):
    other = letter_save(title="Another", status="sent", sent_on=SENT, persons=[people[0]])
    other.recipients.add(PersonFactory())
    _answer(letter, people[0])
    detail = viewer_client.get(f"/api/detained-persons/{people[0].pk}/").json()
    assert (detail["letters_asking"], detail["letters_answered"]) == (2, 1)
    listed = {
        item["id"]: (item["letters_asking"], item["letters_answered"])
        for item in viewer_client.get("/api/detained-persons/").json()["results"]
    }
    assert listed == {
        people[0].pk: (2, 1),
        people[1].pk: (1, 0),
        people[2].pk: (1, 0),
        people[3].pk: (1, 0),
    }


def test_a_detained_persons_letter_counts_follow_the_permissions(viewer, client_for, people):
    viewer.groups.clear()
    viewer.user_permissions.set(
        Permission.objects.filter(codename__in=["view_detainedperson", "view_letter"])
    )
    detail = client_for(viewer).get(f"/api/detained-persons/{people[0].pk}/").json()
    assert (detail["letters_asking"], detail["letters_answered"]) == (0, None)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_detainedperson"))
    listed = client_for(viewer).get("/api/detained-persons/").json()["results"]
    assert {(item["letters_asking"], item["letters_answered"]) for item in listed} == {(None, None)}
