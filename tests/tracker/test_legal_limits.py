"""Legal limits: data staff edit, seeded with China's two, and each case's days against them."""

import datetime

import pytest
from django.db import IntegrityError
from django.urls import reverse

from tracker.cases.limits import cases_near_limit, clock_of
from tracker.cases.services import case_event_record, detained_person_save
from tracker.models import LegalLimit

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 1)


def _person(*, country="CN", events=(), detained_on=None, name="Lin Qiuyue"):
    """A person whose status comes from `events` [(days before TODAY, kind)], as staff record
    them."""
    first = TODAY - datetime.timedelta(days=events[0][0]) if events else None
    person = detained_person_save(
        name=name, country=country, detained_on=detained_on or first, status=events[0][1]
    )
    for days_ago, kind in events[1:]:
        case_event_record(person=person, date=TODAY - datetime.timedelta(days=days_ago), kind=kind)
    return person


def test_the_migration_seeds_chinas_limits_for_rsdl_and_criminal_detention():
    limits = {(str(x.country), x.status): x for x in LegalLimit.objects.all()}
    assert limits[("CN", "rsdl")].max_days == 183
    assert limits[("CN", "detained")].max_days == 37
    assert "six months" in limits[("CN", "rsdl")].legal_basis
    assert "art. 91" in limits[("CN", "detained")].legal_basis


def test_a_country_has_one_limit_per_status_in_the_database():
    with pytest.raises(IntegrityError):
        LegalLimit.objects.create(country="CN", status="rsdl", max_days=200)


def test_days_held_count_from_the_detention_and_the_limit_from_the_current_status():
    person = _person(events=[(215, "detained"), (213, "rsdl")])
    clock = clock_of(person, today=TODAY)
    assert clock.days_held == 215
    assert clock.days_in_status == 213
    assert clock.limit.max_days == 183
    assert clock.days_over == 30
    assert clock.is_over
    assert clock.limit_ends_on == TODAY - datetime.timedelta(days=30)


def test_without_a_detention_date_days_held_count_from_the_first_detention_event():
    person = _person(events=[(100, "disappeared"), (90, "rsdl")])
    person.detained_on = None
    person.save()
    assert clock_of(person, today=TODAY).days_held == 100


def test_a_case_exactly_at_its_limit_is_listed_as_reached_not_over():
    person = _person(events=[(37, "detained")])
    clock = clock_of(person, today=TODAY)
    assert (clock.days_over, clock.days_left, clock.is_over, clock.percent) == (0, 0, False, 100)
    assert [c.person for c in cases_near_limit(today=TODAY)] == [person]


def test_a_case_seven_days_from_its_limit_is_listed_and_eight_days_is_not():
    seven = _person(events=[(30, "detained")], name="Seven")
    _person(events=[(29, "detained")], name="Eight")
    listed = cases_near_limit(today=TODAY)
    assert [(c.person, c.days_left) for c in listed] == [(seven, 7)]


def test_the_most_days_over_come_first_and_released_people_are_not_listed():
    rsdl = _person(events=[(200, "rsdl")], name="RSDL 17 over")
    detained = _person(events=[(40, "detained")], name="Detained 3 over")
    freed = _person(events=[(300, "rsdl"), (10, "released")], name="Released")
    listed = cases_near_limit(today=TODAY)
    assert [(c.person, c.days_over) for c in listed] == [(rsdl, 17), (detained, 3)]
    assert clock_of(freed, today=TODAY).limit is None


def test_a_limit_applies_only_in_its_country():
    person = _person(country="VN", events=[(300, "rsdl")])
    assert clock_of(person, today=TODAY).limit is None
    assert cases_near_limit(today=TODAY) == []


def test_a_limit_staff_change_applies_at_once():
    person = _person(events=[(20, "detained")])
    assert cases_near_limit(today=TODAY) == []
    LegalLimit.objects.filter(country="CN", status="detained").update(max_days=25)
    assert [(c.person, c.days_left) for c in cases_near_limit(today=TODAY)] == [(person, 5)]


def test_an_editor_changes_a_limit_in_the_admin_and_a_viewer_only_reads_it(client, editor, viewer):
    limit = LegalLimit.objects.get(country="CN", status="detained")
    url = reverse("admin:tracker_legallimit_change", args=[limit.pk])
    for user in (editor, viewer):
        user.is_staff = True
        user.save()
    client.force_login(viewer)
    assert client.get(url).status_code == 200
    assert (
        client.post(url, {"country": "CN", "status": "detained", "max_days": 30}).status_code == 403
    )
    client.force_login(editor)
    response = client.post(
        url, {"country": "CN", "status": "detained", "max_days": 30, "legal_basis": "Amended."}
    )
    assert response.status_code == 302
    limit.refresh_from_db()
    assert (limit.max_days, limit.legal_basis) == (30, "Amended.")
    assert limit.history.first().history_user == editor
