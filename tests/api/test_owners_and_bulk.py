"""The API of who owns what (#20 §2) and of changes to many records at once (#20 §7): a
case's officers, the `officer` and `owner` filters, a letter's owner, and the bulk endpoints,
which call the same services as the admin's actions."""

import datetime

import pytest
from django.contrib.auth.models import Permission

from tests.campaigns.factories import CampaignFactory, LetterFactory
from tests.tracker.factories import DetainedPersonFactory
from tracker.cases.models import CaseEventProposal, CaseOfficer
from tracker.cases.services import case_event_record, case_officer_add
from tracker.newswatch.models import Mention, NewsItem

pytestmark = pytest.mark.django_db

PERSONS = "/api/detained-persons/"


@pytest.fixture
def ana(django_user_model):
    return django_user_model.objects.create_user(username="ana", password="x", is_staff=True)


@pytest.fixture
def ben(django_user_model):
    return django_user_model.objects.create_user(username="ben", password="x", is_staff=True)


def test_a_case_lists_its_officers_the_lead_first_in_its_detail_and_in_the_list(
    viewer_client, ana, ben
):
    person = DetainedPersonFactory()
    case_officer_add(person=person, user=ana)
    case_officer_add(person=person, user=ben, lead=True)
    expected = [
        {"user": ben.pk, "username": "ben", "is_lead": True},
        {"user": ana.pk, "username": "ana", "is_lead": False},
    ]

    assert viewer_client.get(f"{PERSONS}{person.pk}/").json()["officers"] == expected
    (row,) = viewer_client.get(PERSONS).json()["results"]
    assert row["officers"] == expected


def test_an_editor_names_an_officer_and_moves_the_lead_and_it_is_in_the_history(
    editor_client, editor, ana, ben
):
    person = DetainedPersonFactory()
    case_officer_add(person=person, user=ana, lead=True)

    response = editor_client.post(
        f"{PERSONS}{person.pk}/officers/", {"user": ben.pk, "is_lead": True}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert [(o["username"], o["is_lead"]) for o in response.json()] == [
        ("ben", True),
        ("ana", False),
    ]
    link = CaseOfficer.objects.get(user=ben)
    assert link.history.get().history_user == editor
    assert CaseOfficer.objects.get(user=ana).history.first().history_user == editor


def test_an_officer_must_be_active_staff_and_the_400_names_user(editor_client, django_user_model):
    person = DetainedPersonFactory()
    outsider = django_user_model.objects.create_user(username="outsider", password="x")

    response = editor_client.post(
        f"{PERSONS}{person.pk}/officers/", {"user": outsider.pk}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["user"]
    assert not CaseOfficer.objects.exists()


def test_an_editor_removes_an_officer_and_removing_a_non_officer_is_a_404(editor_client, ana):
    person = DetainedPersonFactory()
    case_officer_add(person=person, user=ana)

    assert editor_client.delete(f"{PERSONS}{person.pk}/officers/{ana.pk}/").status_code == 204
    assert not CaseOfficer.objects.exists()
    assert editor_client.delete(f"{PERSONS}{person.pk}/officers/{ana.pk}/").status_code == 404


def test_a_viewer_may_not_name_or_remove_officers(viewer_client, ana):
    person = DetainedPersonFactory()
    case_officer_add(person=person, user=ana)
    url = f"{PERSONS}{person.pk}/officers/"

    assert viewer_client.post(
        url, {"user": ana.pk, "is_lead": True}, format="json"
    ).status_code == (403)
    assert viewer_client.delete(f"{url}{ana.pk}/").status_code == 403
    assert list(CaseOfficer.objects.values_list("user", "is_lead")) == [(ana.pk, False)]


def test_the_officer_filter_takes_me_or_a_user_id_and_refuses_anything_else(
    client_for, django_user_model, ana
):
    me = django_user_model.objects.create_user(username="me", password="x", is_staff=True)
    me.user_permissions.add(Permission.objects.get(codename="view_detainedperson"))
    mine, anas, nobodys = DetainedPersonFactory(), DetainedPersonFactory(), DetainedPersonFactory()
    case_officer_add(person=mine, user=me, lead=True)
    case_officer_add(person=mine, user=ana)
    case_officer_add(person=anas, user=ana)
    api = client_for(me)

    def ids(query):
        response = api.get(f"{PERSONS}?{query}")
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids("officer=me") == {mine.pk}
    assert ids(f"officer={ana.pk}") == {mine.pk, anas.pk}
    assert nobodys.pk not in ids(f"officer={ana.pk}")
    response = api.get(f"{PERSONS}?officer=ana")
    assert response.status_code == 400
    assert list(response.json()) == ["officer"]


def test_a_letters_owner_is_written_and_read_and_filters_the_letters(
    editor_client, editor, ana, django_user_model
):
    letter, other = LetterFactory(), LetterFactory()
    editor.is_staff = True
    editor.save()

    response = editor_client.patch(
        f"/api/letters/{letter.pk}/", {"owner": editor.pk}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["owner"] == editor.pk
    letter.refresh_from_db()
    assert letter.owner == editor
    assert {r["id"] for r in editor_client.get("/api/letters/?owner=me").json()["results"]} == {
        letter.pk
    }
    outsider = django_user_model.objects.create_user(username="outsider", password="x")
    refused = editor_client.patch(
        f"/api/letters/{other.pk}/", {"owner": outsider.pk}, format="json"
    )
    assert refused.status_code == 400
    assert list(refused.json()) == ["owner"]


# --- Bulk ----------------------------------------------------------------------------------------


def test_an_editor_adds_many_cases_to_a_campaign_at_once(editor_client, editor):
    campaign = CampaignFactory()
    inside, first, second = (DetainedPersonFactory() for _ in range(3))
    campaign.detained_persons.add(inside)

    response = editor_client.post(
        f"{PERSONS}bulk/add-to-campaign/",
        {"persons": [first.pk, inside.pk, second.pk], "campaign": campaign.pk},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json() == {
        "campaign": campaign.pk,
        "added": [first.pk, second.pk],
        "already": [inside.pk],
    }
    assert set(campaign.detained_persons.all()) == {inside, first, second}
    assert campaign.history.first().history_user == editor


def test_a_bulk_request_naming_an_unknown_record_changes_nothing_and_names_the_field(
    editor_client,
):
    campaign = CampaignFactory()
    person = DetainedPersonFactory()

    response = editor_client.post(
        f"{PERSONS}bulk/add-to-campaign/",
        {"persons": [person.pk, 999999], "campaign": campaign.pk},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["persons"]
    assert "999999" in response.json()["persons"][0]
    assert not campaign.detained_persons.exists()
    for body in ({"persons": [], "campaign": campaign.pk}, {"persons": ["1"], "campaign": 1}):
        response = editor_client.post(f"{PERSONS}bulk/add-to-campaign/", body, format="json")
        assert response.status_code == 400
        assert "persons" in response.json()


def test_an_editor_assigns_an_officer_to_many_cases_at_once(editor_client, editor, ana, ben):
    first, second = DetainedPersonFactory(), DetainedPersonFactory()
    case_officer_add(person=second, user=ben, lead=True)

    response = editor_client.post(
        f"{PERSONS}bulk/assign-officer/",
        {"persons": [first.pk, second.pk], "user": ana.pk, "is_lead": True},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json() == {"user": ana.pk, "is_lead": True, "persons": [first.pk, second.pk]}
    assert set(CaseOfficer.objects.filter(is_lead=True).values_list("person", "user")) == {
        (first.pk, ana.pk),
        (second.pk, ana.pk),
    }
    assert {link.history.first().history_user for link in CaseOfficer.objects.all()} == {editor}


def _mentions(n):
    return [
        Mention.objects.create(
            news_item=NewsItem.objects.create(url=f"https://news.example.org/{i}", title=f"N {i}"),
            person=DetainedPersonFactory(),
            matched_terms=["x"],
        )
        for i in range(n)
    ]


def test_an_editor_reviews_many_mentions_at_once_each_as_one_at_a_time(editor_client, editor):
    first, second = _mentions(2)

    response = editor_client.post(
        "/api/mentions/bulk/review/",
        {"mentions": [first.pk, second.pk], "status": "dismissed"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert [(m["id"], m["status"], m["reviewed_by"]) for m in response.json()] == [
        (first.pk, "dismissed", editor.pk),
        (second.pk, "dismissed", editor.pk),
    ]
    for mention in (first, second):
        assert mention.history.first().history_user == editor


def test_a_viewer_is_refused_every_bulk_endpoint_and_nothing_changes(viewer_client, ana):
    campaign = CampaignFactory()
    person = DetainedPersonFactory()
    (mention,) = _mentions(1)
    for url, body in [
        (f"{PERSONS}bulk/add-to-campaign/", {"persons": [person.pk], "campaign": campaign.pk}),
        (f"{PERSONS}bulk/assign-officer/", {"persons": [person.pk], "user": ana.pk}),
        ("/api/mentions/bulk/review/", {"mentions": [mention.pk], "status": "confirmed"}),
    ]:
        response = viewer_client.post(url, body, format="json")
        assert response.status_code == 403, url
        assert "permission" in response.json()["detail"]
    assert not campaign.detained_persons.exists()
    assert not CaseOfficer.objects.exists()
    mention.refresh_from_db()
    assert mention.status == "new"


def test_confirming_in_bulk_proposes_the_events_and_dismissing_withdraws_them_as_one_at_a_time(
    editor_client, editor
):
    huang = DetainedPersonFactory(name="Huang Xueqin")
    case_event_record(person=huang, date=datetime.date(2021, 9, 19), kind="detained")
    item = NewsItem.objects.create(
        url="https://news.example.org/huang",
        title="Chinese #MeToo journalist Huang Xueqin sentenced to five years for subversion",
        published_at=datetime.datetime(2024, 6, 14, 8, tzinfo=datetime.UTC),
    )
    mention = Mention.objects.create(news_item=item, person=huang, matched_terms=["Huang Xueqin"])
    url = "/api/mentions/bulk/review/"

    confirmed = editor_client.post(
        url, {"mentions": [mention.pk], "status": "confirmed"}, format="json"
    )

    assert confirmed.status_code == 200
    proposal = CaseEventProposal.objects.get()
    assert (proposal.mention, proposal.kind, proposal.status) == (mention, "sentenced", "proposed")

    editor_client.post(url, {"mentions": [mention.pk], "status": "dismissed"}, format="json")

    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == ("rejected", editor)


def test_naming_or_removing_an_officer_moves_the_cases_updated_at_for_syncing(editor_client, ana):
    person = DetainedPersonFactory()
    before = person.updated_at

    editor_client.post(f"{PERSONS}{person.pk}/officers/", {"user": ana.pk}, format="json")
    person.refresh_from_db()
    named = person.updated_at
    editor_client.delete(f"{PERSONS}{person.pk}/officers/{ana.pk}/")
    person.refresh_from_db()

    assert before < named < person.updated_at
