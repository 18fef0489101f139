"""Who owns a case: its officers (active staff, one of them the lead), named in the admin and
through the services; the lists' "My cases" filter."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.tracker.factories import DetainedPersonFactory
from tracker.cases.models import CaseOfficer
from tracker.cases.services import case_officer_add, case_officer_assign, case_officer_remove

pytestmark = pytest.mark.django_db

CASES = reverse("admin:tracker_detainedperson_changelist")


@pytest.fixture
def staff(django_user_model):
    def make(username, **extra):
        return django_user_model.objects.create_user(
            username=username, password="x", is_staff=True, **extra
        )

    return make


def _officers(person):
    return list(
        CaseOfficer.objects.filter(person=person)
        .order_by("-is_lead", "user__username")
        .values_list("user__username", "is_lead")
    )


def test_naming_a_lead_moves_the_lead_and_the_previous_one_stays_an_officer(staff):
    person = DetainedPersonFactory()
    ana, ben = staff("ana"), staff("ben")
    case_officer_add(person=person, user=ana, lead=True)

    case_officer_add(person=person, user=ben, lead=True)

    assert _officers(person) == [("ben", True), ("ana", False)]


def test_adding_an_officer_again_changes_nothing_and_writes_no_version(staff):
    person = DetainedPersonFactory()
    ana = staff("ana")
    link = case_officer_add(person=person, user=ana, lead=True)
    versions = link.history.count()

    case_officer_add(person=person, user=ana)

    assert _officers(person) == [("ana", True)]
    assert link.history.count() == versions


def test_a_user_who_is_not_active_staff_cannot_be_an_officer(staff, django_user_model):
    person = DetainedPersonFactory()
    outsider = django_user_model.objects.create_user(username="outsider", password="x")
    gone = staff("gone", is_active=False)
    for user in (outsider, gone):
        with pytest.raises(ValidationError) as error:
            case_officer_add(person=person, user=user)
        assert "user" in error.value.message_dict
    assert _officers(person) == []


def test_removing_an_officer_is_recorded_in_the_history(staff):
    person = DetainedPersonFactory()
    ana = staff("ana")
    link = case_officer_add(person=person, user=ana, lead=True)

    case_officer_remove(person=person, user=ana)

    assert _officers(person) == []
    assert list(link.history.values_list("history_type", flat=True)) == ["-", "+"]


def test_assigning_an_officer_to_many_cases_is_all_or_nothing(staff, django_user_model):
    first, second = DetainedPersonFactory(), DetainedPersonFactory()
    ana, ben = staff("ana"), staff("ben")
    case_officer_add(person=second, user=ben, lead=True)

    case_officer_assign(persons=[first, second], user=ana, lead=True)

    assert _officers(first) == [("ana", True)]
    assert _officers(second) == [("ana", True), ("ben", False)]
    outsider = django_user_model.objects.create_user(username="outsider", password="x")
    with pytest.raises(ValidationError):
        case_officer_assign(persons=[first, second], user=outsider)
    assert not CaseOfficer.objects.filter(user=outsider).exists()


# --- The admin -----------------------------------------------------------------------------------


def _inline(rows, initial=0):
    data = {
        "officer_links-TOTAL_FORMS": str(len(rows)),
        "officer_links-INITIAL_FORMS": str(initial),
        "officer_links-MIN_NUM_FORMS": "0",
        "officer_links-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"officer_links-{i}-{key}"] = value
    return data


def _case_form(person, **inline):
    return {
        "name": person.name,
        "status": person.status,
        "publicity": person.publicity,
        "watch_enabled": "on",
        "country": "CN",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
        **inline,
    }


def test_staff_name_the_officers_on_the_cases_page_and_move_the_lead_in_one_save(
    staff_client, staff
):
    person = DetainedPersonFactory()
    ana, ben = staff("ana"), staff("ben")
    url = reverse("admin:tracker_detainedperson_change", args=[person.pk])

    response = staff_client.post(
        url,
        _case_form(
            person,
            **_inline([{"user": ana.pk, "is_lead": "on", "person": person.pk}, {"user": ben.pk}]),
        ),
    )
    assert response.status_code == 302, response.context["errors"]
    assert _officers(person) == [("ana", True), ("ben", False)]

    ana_link, ben_link = CaseOfficer.objects.get(user=ana), CaseOfficer.objects.get(user=ben)
    response = staff_client.post(
        url,
        _case_form(
            person,
            **_inline(
                [
                    {"id": ana_link.pk, "user": ana.pk, "person": person.pk},
                    {"id": ben_link.pk, "user": ben.pk, "is_lead": "on", "person": person.pk},
                ],
                initial=2,
            ),
        ),
    )
    assert response.status_code == 302, response.context["errors"]
    assert _officers(person) == [("ben", True), ("ana", False)]


def test_the_cases_page_refuses_two_leads(staff_client, staff):
    person = DetainedPersonFactory()
    ana, ben = staff("ana"), staff("ben")
    response = staff_client.post(
        reverse("admin:tracker_detainedperson_change", args=[person.pk]),
        _case_form(
            person,
            **_inline([{"user": ana.pk, "is_lead": "on"}, {"user": ben.pk, "is_lead": "on"}]),
        ),
    )
    assert response.status_code == 200
    assert "A case has one lead officer" in response.content.decode()
    assert _officers(person) == []


def test_the_cases_list_filters_my_cases_anyones_and_the_unassigned(client, staff):
    ana, ben = staff("ana"), staff("ben")
    ana.user_permissions.add(Permission.objects.get(codename="view_detainedperson"))
    mine, theirs, nobodys = (DetainedPersonFactory() for _ in range(3))
    case_officer_add(person=mine, user=ana, lead=True)
    case_officer_add(person=mine, user=ben)
    case_officer_add(person=theirs, user=ben)
    client.force_login(ana)

    def shown(query):
        response = client.get(f"{CASES}?{query}")
        assert response.status_code == 200
        return {p.pk for p in response.context["cl"].result_list}

    assert shown("officer=me") == {mine.pk}
    assert shown("officer=anyone") == {mine.pk, theirs.pk}
    assert shown("officer=nobody") == {nobodys.pk}


def test_an_editor_picks_officers_from_active_staff_without_seeing_the_users_list(
    client, editor, staff
):
    editor.is_staff = True
    editor.save()
    staff("ana")
    staff("gone", is_active=False)
    client.force_login(editor)
    query = {"app_label": "tracker", "model_name": "caseofficer", "field_name": "user"}

    response = client.get(reverse("admin:autocomplete"), query)

    assert response.status_code == 200
    assert {row["text"] for row in response.json()["results"]} == {"ana", "editor"}
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    letters = {**query, "app_label": "campaigns", "model_name": "letter", "field_name": "owner"}
    assert client.get(reverse("admin:autocomplete"), letters).status_code == 200
    other = {**query, "app_label": "authtoken", "model_name": "token"}
    assert client.get(reverse("admin:autocomplete"), other).status_code == 403
