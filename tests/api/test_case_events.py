"""/api/case-events/: a status-kind event that is the latest moves the person's status."""

import datetime

import pytest
import time_machine

from tests.tracker.factories import CaseEventFactory, DetainedPersonFactory
from tracker.models import CaseEvent, DetainedPerson

pytestmark = pytest.mark.django_db

URL = "/api/case-events/"


def status_via_api(client, person) -> str:
    response = client.get(f"/api/detained-persons/{person.pk}/")
    assert response.status_code == 200
    return response.json()["status"]


def status_in_db(person) -> str:
    return DetainedPerson.objects.get(pk=person.pk).status


def record(client, person, date, kind, **extra):
    body = {"person": person.pk, "date": date, "kind": kind, **extra}
    response = client.post(URL, body)
    assert response.status_code == 201, response.json()
    return response.json()


def test_recording_the_latest_status_event_moves_the_persons_status(editor_client):
    person = DetainedPersonFactory(status="detained")
    body = {
        "person": person.pk,
        "date": "2016-01-08",
        "kind": "arrested",
        "description": "Formally arrested for subversion.",
        "source_url": "https://example.org/news/1",
    }
    response = editor_client.post(URL, body)
    assert response.status_code == 201, response.json()
    assert response.json() | body == response.json()
    assert {"id", "created_at", "updated_at"} <= set(response.json())
    event = CaseEvent.objects.get(pk=response.json()["id"])
    assert (event.person, event.date, event.kind) == (person, datetime.date(2016, 1, 8), "arrested")
    assert status_via_api(editor_client, person) == "arrested"
    assert status_in_db(person) == "arrested"


def test_an_older_status_event_does_not_move_the_status_back(editor_client):
    person = DetainedPersonFactory()
    record(editor_client, person, "2016-08-01", "released_on_bail")
    record(editor_client, person, "2015-07-09", "detained")
    assert status_via_api(editor_client, person) == "released_on_bail"
    assert status_in_db(person) == "released_on_bail"


def test_an_event_that_is_not_a_status_leaves_the_status_alone(editor_client):
    person = DetainedPersonFactory(status="rsdl")
    record(editor_client, person, "2030-01-01", "health_concern")
    assert status_via_api(editor_client, person) == "rsdl"
    assert status_in_db(person) == "rsdl"


def test_deleting_the_latest_status_event_returns_to_the_previous_status(editor_client):
    person = DetainedPersonFactory()
    record(editor_client, person, "2015-07-09", "detained")
    latest = record(editor_client, person, "2016-01-08", "indicted")
    assert status_in_db(person) == "indicted"
    assert editor_client.delete(f"{URL}{latest['id']}/").status_code == 204
    assert not CaseEvent.objects.filter(pk=latest["id"]).exists()
    assert status_via_api(editor_client, person) == "detained"


def test_correcting_the_kind_of_the_latest_event_corrects_the_status(editor_client):
    person = DetainedPersonFactory()
    latest = record(editor_client, person, "2016-01-08", "arrested")
    response = editor_client.patch(f"{URL}{latest['id']}/", {"kind": "sentenced"})
    assert response.status_code == 200
    assert response.json()["kind"] == "sentenced"
    assert status_in_db(person) == "sentenced"


def test_moving_the_latest_event_into_the_past_lets_the_new_latest_decide(editor_client):
    person = DetainedPersonFactory()
    record(editor_client, person, "2015-07-09", "detained")
    arrested = record(editor_client, person, "2016-01-08", "arrested")
    response = editor_client.patch(f"{URL}{arrested['id']}/", {"date": "2015-01-01"})
    assert response.status_code == 200
    assert status_via_api(editor_client, person) == "detained"


@pytest.fixture
def today():
    with time_machine.travel(datetime.datetime(2025, 3, 14, 12, tzinfo=datetime.UTC), tick=False):
        yield datetime.date(2025, 3, 14)


def test_a_status_event_dated_after_today_is_refused_naming_the_date(editor_client, today):
    person = DetainedPersonFactory(status="detained")
    response = editor_client.post(
        URL, {"person": person.pk, "date": "2099-01-01", "kind": "deceased"}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["date"]
    assert "cannot be dated after today (2025-03-14)" in response.json()["date"][0]
    assert not CaseEvent.objects.exists()
    assert status_via_api(editor_client, person) == "detained"


def test_a_status_event_dated_today_is_accepted(editor_client, today):
    person = DetainedPersonFactory(status="detained")
    record(editor_client, person, "2025-03-14", "released")
    assert status_in_db(person) == "released"


def test_an_upcoming_hearing_may_be_dated_ahead(editor_client, today):
    person = DetainedPersonFactory(status="detained")
    hearing = record(editor_client, person, "2025-03-15", "hearing")
    assert CaseEvent.objects.get().pk == hearing["id"]
    assert status_in_db(person) == "detained"


def test_moving_a_status_event_after_today_is_refused(editor_client, today):
    person = DetainedPersonFactory()
    event = record(editor_client, person, "2016-01-08", "arrested")
    response = editor_client.patch(f"{URL}{event['id']}/", {"date": "2031-01-01"})
    assert response.status_code == 400
    assert list(response.json()) == ["date"]
    assert CaseEvent.objects.get().date == datetime.date(2016, 1, 8)
    assert status_in_db(person) == "arrested"


def test_an_event_cannot_move_to_another_person(editor_client):
    event = CaseEventFactory()
    other = DetainedPersonFactory()
    response = editor_client.patch(f"{URL}{event.pk}/", {"person": other.pk})
    assert response.status_code == 400
    assert list(response.json()) == ["person"]
    event.refresh_from_db()
    assert event.person_id != other.pk


def test_a_viewer_cannot_record_an_event_nor_move_the_status(viewer_client):
    person = DetainedPersonFactory(status="detained")
    response = viewer_client.post(
        URL, {"person": person.pk, "date": "2016-01-08", "kind": "released"}
    )
    assert response.status_code == 403
    assert not CaseEvent.objects.exists()
    assert status_in_db(person) == "detained"


def test_an_event_for_a_person_who_does_not_exist_is_refused(editor_client):
    response = editor_client.post(URL, {"person": 999, "date": "2016-01-08", "kind": "arrested"})
    assert response.status_code == 400
    assert list(response.json()) == ["person"]
    assert not CaseEvent.objects.exists()


def test_an_unknown_event_kind_is_refused(editor_client):
    person = DetainedPersonFactory()
    response = editor_client.post(URL, {"person": person.pk, "date": "2016-01-08", "kind": "won"})
    assert response.status_code == 400
    assert list(response.json()) == ["kind"]
    assert status_in_db(person) == "detained"


@pytest.fixture
def timeline():
    liu, gao = DetainedPersonFactory(), DetainedPersonFactory()
    D = datetime.date
    events = {
        "liu_detained": CaseEventFactory(person=liu, date=D(2010, 10, 8), kind="detained"),
        "liu_hearing": CaseEventFactory(person=liu, date=D(2012, 1, 1), kind="hearing"),
        "gao_detained": CaseEventFactory(person=gao, date=D(2014, 4, 24), kind="detained"),
        "gao_sentenced": CaseEventFactory(person=gao, date=D(2015, 4, 17), kind="sentenced"),
    }
    return liu, gao, events


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["gao_sentenced", "gao_detained", "liu_hearing", "liu_detained"]),
        ({"kind": "detained"}, ["gao_detained", "liu_detained"]),
        ({"kind": "hearing,sentenced"}, ["gao_sentenced", "liu_hearing"]),
        ({"after": "2012-01-01"}, ["gao_sentenced", "gao_detained", "liu_hearing"]),
        ({"before": "2014-04-24"}, ["gao_detained", "liu_hearing", "liu_detained"]),
        ({"after": "2011-01-01", "before": "2014-12-31"}, ["gao_detained", "liu_hearing"]),
    ],
)
def test_case_events_can_be_filtered(viewer_client, timeline, query, expected):
    *_, events = timeline
    response = viewer_client.get(URL, query)
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [
        events[name].pk for name in expected
    ]


def test_case_events_can_be_filtered_by_person(viewer_client, timeline):
    liu, _, events = timeline
    response = viewer_client.get(URL, {"person": liu.pk})
    assert [item["id"] for item in response.json()["results"]] == [
        events["liu_hearing"].pk,
        events["liu_detained"].pk,
    ]
