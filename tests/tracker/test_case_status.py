import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from tests.tracker.factories import DetainedPersonFactory
from tracker.cases.services import (
    case_event_delete,
    case_event_record,
    case_event_save,
    detained_person_save,
)
from tracker.models import CaseEvent, DetainedPerson

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


# --- The status follows the timeline only ------------------------------------------------------


def _timeline(person) -> list[tuple[datetime.date, str]]:
    return list(CaseEvent.objects.filter(person=person).values_list("date", "kind"))


def test_changing_the_status_records_a_status_event_dated_today(today):
    person = detained_person_save(name="Gao Yu")
    detained_person_save(person=person, status="released")
    assert _status(person) == "released"
    assert _timeline(person) == [(today, "released")]


def test_a_status_change_may_be_dated_in_the_past(today):
    person = detained_person_save(name="Gao Yu")
    detained_person_save(person=person, status="released", status_date=D(2015, 11, 26))
    assert _timeline(person) == [(D(2015, 11, 26), "released")]
    assert _status(person) == "released"


def test_a_new_persons_status_is_recorded_as_of_their_detention(today):
    person = detained_person_save(name="Gao Yu", status="detained", detained_on=D(2014, 4, 24))
    assert _timeline(person) == [(D(2014, 4, 24), "detained")]
    undated = detained_person_save(name="Liu Xia", status="disappeared")
    assert _timeline(undated) == [(today, "disappeared")]


def test_a_new_person_given_a_detention_date_and_no_status_has_the_detained_event(today):
    person = detained_person_save(name="Gao Yu", detained_on=D(2014, 4, 24))
    assert _status(person) == "detained"
    assert _timeline(person) == [(D(2014, 4, 24), "detained")]


def test_a_new_person_given_neither_status_nor_detention_date_has_an_empty_timeline(today):
    person = detained_person_save(name="Gao Yu")
    assert _status(person) == "detained"
    assert _timeline(person) == []


def test_a_new_persons_detention_date_after_today_is_refused(today):
    with pytest.raises(ValidationError) as refused:
        detained_person_save(name="Gao Yu", detained_on=D(2031, 1, 1))
    assert list(refused.value.message_dict) == ["detained_on"]
    assert not DetainedPerson.objects.exists()


def test_saving_a_person_without_changing_the_status_records_nothing(today):
    person = detained_person_save(name="Gao Yu", status="detained", detained_on=D(2014, 4, 24))
    detained_person_save(person=person, status="detained", sentence="Seven years")
    assert _timeline(person) == [(D(2014, 4, 24), "detained")]


def test_a_status_the_timeline_contradicts_is_refused(today):
    person = detained_person_save(name="Gao Yu", status="detained", detained_on=D(2014, 4, 24))
    case_event_record(person=person, date=D(2015, 4, 17), kind="sentenced")
    with pytest.raises(ValidationError) as refused:
        detained_person_save(person=person, status="released", status_date=D(2015, 1, 1))
    assert list(refused.value.message_dict) == ["status_date"]
    assert "later status event (Sentenced on 2015-04-17)" in str(refused.value)
    assert _status(person) == "sentenced"
    assert len(_timeline(person)) == 2


def test_a_status_change_on_the_day_of_the_latest_event_follows_it(today):
    person = detained_person_save(name="Gao Yu", status="detained", detained_on=D(2014, 4, 24))
    detained_person_save(person=person, status="rsdl", status_date=D(2014, 4, 24))
    assert _status(person) == "rsdl"


def test_a_status_change_dated_after_today_is_refused(today):
    person = detained_person_save(name="Gao Yu")
    with pytest.raises(ValidationError) as refused:
        detained_person_save(person=person, status="deceased", status_date=D(2031, 1, 1))
    assert list(refused.value.message_dict) == ["status_date"]
    assert _status(person) == "detained"
    assert _timeline(person) == []


def test_a_status_date_without_a_new_status_is_refused(today):
    person = detained_person_save(name="Gao Yu", status="detained")
    with pytest.raises(ValidationError) as refused:
        detained_person_save(person=person, status="detained", status_date=D(2014, 4, 24))
    assert list(refused.value.message_dict) == ["status_date"]
    assert _timeline(person) == [(today, "detained")]
