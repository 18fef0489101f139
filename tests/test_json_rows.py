"""config.json_rows: a record's short lists read in its own query, as the instances a query
would have given (on SQLite and PostgreSQL alike)."""

import datetime

import pytest
from django.db import connection
from django.db.models import OuterRef
from django.test.utils import CaptureQueriesContext

from config.json_rows import instances, json_list
from tracker.cases.services import detained_person_save
from tracker.models import CaseEvent, DetainedPerson

pytestmark = pytest.mark.django_db


def test_the_rows_come_back_as_instances_with_python_values():
    person = detained_person_save(name="Lin Qiuyue", watch_enabled=False)
    event = CaseEvent.objects.create(
        person=person, date=datetime.date(2024, 3, 1), kind="hearing", description="A hearing"
    )
    empty = detained_person_save(name="Nobody yet")
    events = CaseEvent.objects.filter(person=OuterRef("pk"))
    fields = {"id": "id", "date": "date", "kind": "kind", "created_at": "created_at"}
    assert connection.features.supports_json_field  # (SQLite finds out with a query, once)
    with CaptureQueriesContext(connection) as captured:
        rows = dict(
            DetainedPerson.objects.filter(pk__in=[person.pk, empty.pk])
            .annotate(event_rows=json_list(events, **fields))
            .values_list("pk", "event_rows")
        )
    assert len(captured) == 1
    assert instances(CaseEvent, rows[empty.pk]) == []
    (made,) = instances(CaseEvent, rows[person.pk])
    assert made.pk == event.pk and made.date == datetime.date(2024, 3, 1)
    assert made.kind == "hearing" and made.get_kind_display() == event.get_kind_display()
    assert made.created_at == event.created_at and made.created_at.tzinfo is not None
    assert not made._state.adding
    # A field not in the rows is read when used, as a deferred field is.
    with CaptureQueriesContext(connection) as captured:
        assert made.description == "A hearing"
    assert len(captured) == 1


def test_booleans_are_booleans():
    person = detained_person_save(name="Lin Qiuyue", watch_enabled=False)
    row = (
        DetainedPerson.objects.filter(pk=person.pk)
        .annotate(
            me=json_list(
                DetainedPerson.objects.filter(pk=OuterRef("pk")),
                id="id",
                watch_enabled="watch_enabled",
            )
        )
        .values_list("me", flat=True)
        .get()
    )
    (made,) = instances(DetainedPerson, row)
    assert made.watch_enabled is False
