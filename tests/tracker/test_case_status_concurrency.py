"""Two events recorded at the same moment: the status still follows the latest one."""

import datetime

import pytest
from django.db import connection

from tests.concurrency import at_once
from tracker.cases.services import case_event_record
from tracker.models import DetainedPerson

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI's second run)"
    ),
]


def _record(person_id: int, when: datetime.date, kind: str):
    """The write alone, for at_once to start with the other: the person is read here, before
    the barrier, so both writes begin together."""
    person = DetainedPerson.objects.get(pk=person_id)
    return lambda: case_event_record(person=person, date=when, kind=kind)


def test_concurrent_events_leave_the_status_of_the_latest_one():
    for _ in range(10):
        person = DetainedPerson.objects.create(name="Wang Yu", status="detained")
        at_once(
            _record(person.pk, datetime.date(2016, 8, 1), "released_on_bail"),
            _record(person.pk, datetime.date(2015, 7, 9), "rsdl"),
        )
        person.refresh_from_db()
        assert person.events.count() == 2
        assert person.status == "released_on_bail"
