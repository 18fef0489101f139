import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from tests.tracker.factories import DetainedPersonFactory
from tracker.models import CaseEvent, DetainedPerson
from tracker.services import case_event_delete, case_event_record, case_event_save

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2025, 3, 14)


@pytest.fixture
def today():
    """The clock stopped at noon UTC on TODAY."""
    with time_machine.travel(datetime.datetime(2025, 3, 14, 12, tzinfo=datetime.UTC), tick=False):
        yield TODAY


def _status(person) -> str:
    return DetainedPerson.objects.get(pk=person.pk).status


def test_latest_status_event_moves_the_status():
    person = DetainedPersonFactory(status="detained")
    case_event_record(person=person, date=D(2016, 1, 8), kind="arrested")
    assert _status(person) == "arrested"
    assert person.status == "arrested"  # the caller's instance is refreshed too


def test_an_older_status_event_does_not_move_the_status_back():
    person = DetainedPersonFactory()
    case_event_record(person=person, date=D(2016, 8, 1), kind="released_on_bail")
    case_event_record(person=person, date=D(2015, 7, 9), kind="detained")
    assert _status(person) == "released_on_bail"


def test_an_event_that_is_not_a_status_leaves_the_status_alone():
    person = DetainedPersonFactory(status="rsdl")
    case_event_record(person=person, date=D(2030, 1, 1), kind="health_concern")
    assert _status(person) == "rsdl"


def test_same_day_events_are_ordered_by_when_they_were_recorded():
    person = DetainedPersonFactory()
    case_event_record(person=person, date=D(2016, 1, 8), kind="arrested")
    case_event_record(person=person, date=D(2016, 1, 8), kind="indicted")
    assert _status(person) == "indicted"


def test_deleting_the_latest_status_event_returns_to_the_previous_one():
    person = DetainedPersonFactory()
    case_event_record(person=person, date=D(2015, 7, 9), kind="detained")
    latest = case_event_record(person=person, date=D(2016, 1, 8), kind="arrested")
    case_event_delete(event=latest)
    assert _status(person) == "detained"
    assert not CaseEvent.objects.filter(pk=latest.pk).exists()


def test_moving_the_latest_event_into_the_past_lets_the_new_latest_decide():
    person = DetainedPersonFactory()
    case_event_record(person=person, date=D(2015, 7, 9), kind="detained")
    arrested = case_event_record(person=person, date=D(2016, 1, 8), kind="arrested")
    case_event_save(event=arrested, date=D(2015, 1, 1))
    assert _status(person) == "detained"


def test_correcting_the_kind_of_the_latest_event_corrects_the_status():
    person = DetainedPersonFactory()
    event = case_event_record(person=person, date=D(2016, 1, 8), kind="arrested")
    case_event_save(event=event, kind="indicted")
    assert _status(person) == "indicted"


def test_every_status_value_is_an_event_kind():
    assert set(DetainedPerson.Status.values) <= set(CaseEvent.Kind.values)
    assert set(DetainedPerson.Status.values) == {
        "detained",
        "disappeared",
        "rsdl",
        "arrested",
        "indicted",
        "on_trial",
        "sentenced",
        "released",
        "released_on_bail",
        "exit_ban",
        "deceased",
    }


def test_each_status_event_kind_has_the_statuss_label():
    for status in DetainedPerson.Status:
        assert CaseEvent.Kind(status.value).label == status.label
    assert CaseEvent.Kind.RSDL.label == "Residential surveillance at a designated location (RSDL)"
    assert CaseEvent.Kind.ON_TRIAL.label == "On trial"
    assert CaseEvent.Kind.RELEASED_ON_BAIL.label == "Released on bail"


def test_a_status_event_dated_after_today_is_refused_and_leaves_the_status(today):
    person = DetainedPersonFactory(status="detained")
    with pytest.raises(ValidationError) as refused:
        case_event_record(person=person, date=D(2099, 1, 1), kind="deceased")
    assert list(refused.value.message_dict) == ["date"]
    assert "cannot be dated after today (2025-03-14)" in refused.value.message_dict["date"][0]
    assert _status(person) == "detained"
    assert not CaseEvent.objects.exists()


def test_a_status_event_dated_today_moves_the_status(today):
    person = DetainedPersonFactory(status="detained")
    case_event_record(person=person, date=today, kind="released")
    assert _status(person) == "released"


def test_an_upcoming_hearing_may_be_dated_ahead(today):
    person = DetainedPersonFactory(status="detained")
    hearing = case_event_record(person=person, date=today + datetime.timedelta(1), kind="hearing")
    assert CaseEvent.objects.get().pk == hearing.pk
    assert _status(person) == "detained"


def test_an_upcoming_event_cannot_become_a_status_change(today):
    person = DetainedPersonFactory(status="detained")
    hearing = case_event_record(person=person, date=D(2031, 5, 1), kind="hearing")
    with pytest.raises(ValidationError) as refused:
        case_event_save(event=hearing, kind="deceased")
    assert list(refused.value.message_dict) == ["date"]
    assert CaseEvent.objects.get().kind == "hearing"
    assert _status(person) == "detained"
