"""tracker 0012: existing statuses that no status event backs get one."""

import datetime
import importlib

import pytest
from django.apps import apps

from tests.tracker.factories import CaseEventFactory, DetainedPersonFactory
from tracker.models import CaseEvent, DetainedPerson

pytestmark = pytest.mark.django_db

D = datetime.date
migration = importlib.import_module("tracker.migrations.0015_back_every_status_with_a_case_event")


def _timeline(person) -> list[tuple[datetime.date, str]]:
    return list(CaseEvent.objects.filter(person=person).values_list("date", "kind"))


def test_every_existing_status_is_backed_by_the_latest_status_event():
    # Rows as the old code could leave them: statuses set by hand, with or without events.
    no_events = DetainedPersonFactory(status="sentenced", detained_on=D(2014, 4, 24))
    undated = DetainedPersonFactory(status="rsdl", detained_on=None)
    contradicted = DetainedPersonFactory(status="released", detained_on=D(2015, 7, 9))
    CaseEventFactory(person=contradicted, date=D(2016, 1, 8), kind="arrested")
    CaseEventFactory(person=contradicted, date=D(2017, 5, 1), kind="hearing")
    agreeing = DetainedPersonFactory(status="arrested")
    CaseEventFactory(person=agreeing, date=D(2016, 1, 8), kind="arrested")
    DetainedPerson.objects.filter(pk=no_events.pk).update(
        updated_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )

    migration.back_statuses(apps, None)

    assert _timeline(no_events) == [(D(2014, 4, 24), "sentenced")]
    assert _timeline(undated) == [(undated.created_at.date(), "rsdl")]
    assert _timeline(contradicted) == [
        (D(2017, 5, 1), "hearing"),
        (D(2016, 1, 8), "released"),
        (D(2016, 1, 8), "arrested"),
    ]
    assert _timeline(agreeing) == [(D(2016, 1, 8), "arrested")]
    # Not news for the digests: dated in the record's past, not the migration's day.
    backed = CaseEvent.objects.get(person=no_events)
    assert backed.created_at == datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    assert "approximate" in backed.description
    for person in (no_events, undated, contradicted, agreeing):
        latest = person.events.filter(kind__in=DetainedPerson.Status.values).first()
        assert latest.kind == DetainedPerson.objects.get(pk=person.pk).status


def test_backing_the_statuses_twice_changes_nothing():
    DetainedPersonFactory(status="sentenced", detained_on=D(2014, 4, 24))
    migration.back_statuses(apps, None)
    migration.back_statuses(apps, None)
    assert CaseEvent.objects.count() == 1
