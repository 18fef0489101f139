"""CaseCount and CaseDates (tracker/cases/summaries.py): after every kind of write to cases, their
events and the legal limits, they hold what tracker.cases.limits computes from the cases
themselves, in the same transaction; and the triggers that keep them are the code's."""

import datetime
from collections import Counter

import pytest
from django.db import connection, transaction
from django.urls import reverse

from tracker.cases import summaries
from tracker.cases.limits import NOT_HELD_STATUSES, limits_by_key, with_clock
from tracker.cases.services import case_event_record
from tracker.models import CaseCount, CaseDates, CaseEvent, DetainedPerson, LegalLimit

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 3, 1)


def _truth() -> tuple[Counter, dict]:
    counts = Counter(DetainedPerson.objects.values_list("status", "country"))
    limits = limits_by_key()
    dates = {}
    for p in with_clock(DetainedPerson.objects.all()):
        held = p.status not in NOT_HELD_STATUSES
        limit = limits.get((str(p.country), p.status)) if held else None
        ends = None
        if limit and p.status_since:
            ends = p.status_since + datetime.timedelta(days=limit.max_days)
        dates[p.pk] = (p.status, str(p.country), held, p.held_since, p.status_since, limit, ends)
    return counts, dates


def _stored() -> tuple[Counter, dict]:
    counts = Counter(
        {(s, c): n for s, c, n in CaseCount.objects.values_list("status", "country", "cases") if n}
    )
    dates = {
        d.pk: (d.status, d.country, d.held, d.held_since, d.status_since, d.limit, d.limit_ends_on)
        for d in CaseDates.objects.select_related("limit")
    }
    return counts, dates


def assert_exact():
    assert _stored() == _truth()


def test_every_kind_of_write_keeps_the_counts_and_the_dates_exact():
    limit = LegalLimit.objects.get(country="CN", status="rsdl")  # the migration's
    a = DetainedPerson.objects.create(name="A", status="rsdl", country="CN")
    b = DetainedPerson.objects.create(name="B", status="detained", country="CN", detained_on=DAY)
    assert_exact()
    assert CaseDates.objects.get(pk=b.pk).held_since == DAY

    # Events: recorded, moved to another day, another kind, another case, deleted.
    first = CaseEvent.objects.create(person=a, date=DAY, kind="disappeared")
    rsdl = CaseEvent.objects.create(person=a, date=DAY + datetime.timedelta(days=5), kind="rsdl")
    CaseEvent.objects.create(person=a, date=DAY + datetime.timedelta(days=9), kind="hearing")
    assert_exact()
    dates = CaseDates.objects.get(pk=a.pk)
    assert (dates.held_since, dates.status_since, dates.limit) == (DAY, rsdl.date, limit)
    assert dates.limit_ends_on == rsdl.date + datetime.timedelta(days=limit.max_days)
    rsdl.date = DAY + datetime.timedelta(days=7)
    rsdl.save()
    assert_exact()
    first.kind = "hearing"
    first.save()
    assert_exact()
    first.person = b
    first.kind = "arrested"
    first.save()
    assert_exact()
    rsdl.delete()
    assert_exact()

    # Cases: saved with a new status, country, detention date; updated in bulk; raw SQL.
    a.status = "detained"
    a.save()
    b.detained_on = None
    b.save()
    assert_exact()
    DetainedPerson.objects.filter(pk=a.pk).update(country="VN")
    DetainedPerson.objects.update(detained_on=DAY)
    assert_exact()
    # Raw SQL on purpose: a write that bypasses Django entirely must be counted too (the
    # triggers are in the database, not in the ORM).
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tracker_detainedperson SET status = 'released' WHERE id = %s", [b.pk]
        )
    assert_exact()

    # In bulk: cases and events created, events deleted, a case deleted.
    people = DetainedPerson.objects.bulk_create(
        DetainedPerson(name=f"Bulk {i}", status="rsdl", country="CN") for i in range(5)
    )
    CaseEvent.objects.bulk_create(CaseEvent(person=p, date=DAY, kind="rsdl") for p in people)
    assert_exact()
    CaseEvent.objects.filter(person=people[0]).delete()
    people[0].delete()
    CaseEvent.objects.filter(person=b).delete()
    b.delete()
    assert_exact()

    # Legal limits: changed, moved to another status, added, deleted.
    limit.max_days = 100
    limit.save()
    assert_exact()
    assert CaseDates.objects.get(pk=people[1].pk).limit_ends_on == DAY + datetime.timedelta(100)
    DetainedPerson.objects.filter(pk=people[2].pk).update(status="arrested")
    limit.status = "arrested"
    limit.save()
    assert_exact()
    LegalLimit.objects.create(country="CN", status="rsdl", max_days=30)
    assert_exact()
    LegalLimit.objects.filter(status="rsdl").delete()
    assert_exact()
    LegalLimit.objects.filter(status="arrested").delete()
    assert_exact()
    assert not CaseDates.objects.filter(person__in=people[1:], limit__isnull=False).exists()


def test_a_status_recorded_through_the_service_moves_the_counts_and_the_clock():
    person = DetainedPerson.objects.create(name="C", status="detained", country="CN")
    case_event_record(person=person, date=DAY, kind="rsdl")
    assert_exact()
    assert CaseCount.objects.get(status="rsdl", country="CN").cases == 1
    assert CaseCount.objects.get(status="detained", country="CN").cases == 0


def test_what_a_rolled_back_transaction_wrote_is_not_counted():
    DetainedPerson.objects.create(name="Kept", status="rsdl", country="CN")
    with pytest.raises(RuntimeError), transaction.atomic():
        DetainedPerson.objects.create(name="Undone", status="rsdl", country="CN")
        raise RuntimeError
    assert CaseCount.objects.get(status="rsdl", country="CN").cases == 1
    assert_exact()


def test_an_edit_in_the_admin_shows_on_the_dashboard_at_once(admin_client):
    person = DetainedPerson.objects.create(name="Edited", status="detained", country="CN")
    home = reverse("admin:index")
    assert admin_client.get(home).context["dashboard"]["by_status"][0]["status"] == "detained"
    person.status = "sentenced"
    person.save()
    by_status = admin_client.get(home).context["dashboard"]["by_status"]
    assert [(row["status"], row["count"]) for row in by_status] == [("sentenced", 1)]


def test_the_triggers_in_the_database_are_those_the_code_writes():
    """Fails when a migration rebuilt a table on SQLite (its triggers go with the old table) or
    the statuses changed: add a migration that runs tracker.cases.summaries.install again."""
    assert summaries.installed(connection) == summaries.expected(connection.vendor)


def test_every_migrate_checks_the_triggers():
    from django.apps import apps
    from django.db.models.signals import post_migrate

    from tracker.apps import keep_case_summaries

    # The receivers a post_migrate of the tracker app reaches (Signal's own lookup).
    sync_receivers, _ = post_migrate._live_receivers(apps.get_app_config("tracker"))
    assert keep_case_summaries in sync_receivers


@pytest.mark.django_db(transaction=True)
def test_the_check_puts_back_triggers_that_a_table_rebuild_dropped():
    # What a later migration that rebuilds the cases' table does to its triggers on SQLite
    # (an AddField with a default): they are gone, and cases written then are not counted.
    from tracker.apps import keep_case_summaries

    with connection.schema_editor() as editor:
        summaries.uninstall(editor)
    DetainedPerson.objects.create(name="Chen Qiushi", status="detained", country="CN")
    assert not CaseCount.objects.filter(country="CN").exists()

    keep_case_summaries(using=connection.alias)  # as the next migrate runs it
    assert summaries.installed(connection) == summaries.expected(connection.vendor)
    assert CaseCount.objects.get(status="detained", country="CN").cases == 1
