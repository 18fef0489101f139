"""Two events recorded at the same moment: the status still follows the latest one."""

import datetime
import threading

import pytest
from django.db import connection, connections

from tracker.models import DetainedPerson
from tracker.services import case_event_record

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI's second run)"
    ),
]


def _record(person_id: int, when: datetime.date, kind: str, barrier: threading.Barrier):
    try:
        person = DetainedPerson.objects.get(pk=person_id)
        barrier.wait(timeout=10)
        case_event_record(person=person, date=when, kind=kind)
    finally:
        connections.close_all()


def test_concurrent_events_leave_the_status_of_the_latest_one():
    for _ in range(10):
        person = DetainedPerson.objects.create(name="Wang Yu", status="detained")
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(
                target=_record,
                args=(person.pk, datetime.date(2016, 8, 1), "released_on_bail", barrier),
            ),
            threading.Thread(
                target=_record, args=(person.pk, datetime.date(2015, 7, 9), "rsdl", barrier)
            ),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        person.refresh_from_db()
        assert person.events.count() == 2
        assert person.status == "released_on_bail"
