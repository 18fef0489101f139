"""/api/campaigns/, organizations/, people/, letters/ and signatures/: the records, their
relations as ids, their filters and the deletes that history forbids."""

import datetime

import pytest

from campaigns.models import Campaign, Letter, Organization, Person, Signature
from tests.campaigns.factories import (
    CampaignFactory,
    LetterFactory,
    OrganizationFactory,
    PersonFactory,
    SignatureFactory,
)
from tests.tracker.factories import DetainedPersonFactory

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()["results"]]


# --- campaigns ------------------------------------------------------------------------------


def test_creating_a_campaign_derives_its_slug_from_the_name(editor_client):
    response = editor_client.post("/api/campaigns/", {"name": "Free the Jasmine Seven"})
    assert response.status_code == 201
    assert response.json()["slug"] == "free-the-jasmine-seven"
    assert Campaign.objects.get().slug == "free-the-jasmine-seven"


def test_a_second_campaign_with_the_same_name_gets_its_own_slug(editor_client):
    CampaignFactory(name="Free them", slug="free-them")
    response = editor_client.post("/api/campaigns/", {"name": "Free them"})
    assert response.status_code == 201
    assert response.json()["slug"] == "free-them-2"


def test_a_slug_another_campaign_uses_is_refused(editor_client):
    CampaignFactory(slug="taken")
    response = editor_client.post("/api/campaigns/", {"name": "New", "slug": "taken"})
    assert response.status_code == 400
    assert "slug" in response.json()
    assert Campaign.objects.count() == 1


def test_a_campaign_links_detained_persons_by_id(editor_client):
    people = DetainedPersonFactory.create_batch(2)
    lead = OrganizationFactory()
    body = {
        "name": "Free the lawyers",
        "detained_persons": [p.pk for p in people],
        "lead_organization": lead.pk,
        "started_on": "2015-07-09",
    }
    response = editor_client.post("/api/campaigns/", body)
    assert response.status_code == 201, response.json()
    assert response.json() | body == response.json()
    campaign = Campaign.objects.get(pk=response.json()["id"])
    assert sorted(campaign.detained_persons.values_list("pk", flat=True)) == sorted(
        body["detained_persons"]
    )
    assert campaign.lead_organization == lead
    # The other side shows the link too.
    person = editor_client.get(f"/api/detained-persons/{people[0].pk}/").json()
    assert person["campaigns"] == [campaign.pk]


def test_patching_detained_persons_to_an_empty_list_unlinks_them(editor_client):
    campaign = CampaignFactory()
    campaign.detained_persons.add(DetainedPersonFactory())
    response = editor_client.patch(f"/api/campaigns/{campaign.pk}/", {"detained_persons": []})
    assert response.status_code == 200
    assert response.json()["detained_persons"] == []
    assert not campaign.detained_persons.exists()


def test_a_campaign_cannot_end_before_it_starts(editor_client):
    body = {"name": "Backwards", "started_on": "2020-01-02", "ended_on": "2020-01-01"}
    response = editor_client.post("/api/campaigns/", body)
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["A campaign cannot end before it starts."]}
    assert not Campaign.objects.exists()


def test_a_campaign_with_letters_cannot_be_deleted(editor_client):
    letter = LetterFactory()
    response = editor_client.delete(f"/api/campaigns/{letter.campaign_id}/")
    assert response.status_code == 409
    assert response.json()["protected"] == {"letters": 1}
    assert Campaign.objects.filter(pk=letter.campaign_id).exists()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "won"}, ["Free Gao Yu"]),
        ({"status": "won,paused"}, ["Free Gao Yu", "Justice for Ilham"]),
        ({"search": "gao"}, ["Free Gao Yu"]),
        ({"search": "ILHAM"}, ["Justice for Ilham"]),
        ({"search": "uyghur"}, ["Justice for Ilham"]),
    ],
)
def test_campaigns_can_be_filtered(viewer_client, query, expected):
    CampaignFactory(name="Free Gao Yu", slug="gao-yu", status="won")
    CampaignFactory(name="Justice for Ilham", slug="ilham", status="paused", summary="Uyghur")
    CampaignFactory(name="Other", slug="other", status="active")
    response = viewer_client.get("/api/campaigns/", query)
    assert response.status_code == 200
    assert [item["name"] for item in response.json()["results"]] == expected


# --- organizations and people ---------------------------------------------------------------


def test_organization_names_are_unique_regardless_of_case(editor_client):
    OrganizationFactory(name="Amnesty International")
    response = editor_client.post("/api/organizations/", {"name": "AMNESTY international"})
    assert response.status_code == 400
    assert response.json()
    assert Organization.objects.count() == 1


def test_renaming_an_organization_to_its_own_name_in_another_case_is_allowed(editor_client):
    org = OrganizationFactory(name="pen america")
    response = editor_client.patch(f"/api/organizations/{org.pk}/", {"name": "PEN America"})
    assert response.status_code == 200
    org.refresh_from_db()
    assert org.name == "PEN America"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"search": "defenders"}, ["Front Line Defenders"]),
        ({"country": "ie"}, ["Front Line Defenders"]),
        ({"kind": "government"}, ["Ministry of Justice"]),
        ({"kind": "ngo,media"}, ["Front Line Defenders", "RFA"]),
    ],
)
def test_organizations_can_be_filtered(viewer_client, query, expected):
    OrganizationFactory(name="Front Line Defenders", kind="ngo", country="IE")
    OrganizationFactory(name="Ministry of Justice", kind="government", country="CN")
    OrganizationFactory(name="RFA", kind="media", country="US")
    response = viewer_client.get("/api/organizations/", query)
    assert [item["name"] for item in response.json()["results"]] == expected


def test_a_person_belongs_to_an_organization_by_id(editor_client):
    org = OrganizationFactory()
    response = editor_client.post(
        "/api/people/", {"full_name": "Wang Yi", "organization": org.pk, "country": "CN"}
    )
    assert response.status_code == 201
    assert response.json()["organization"] == org.pk
    assert Person.objects.get().organization == org


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"search": "minister"}, ["Wang Yi"]),
        ({"search": "example.org"}, ["Ada Lovelace"]),
        ({"search": "LOVELACE"}, ["Ada Lovelace"]),
        ({"country": "gb"}, ["Ada Lovelace"]),
        ({"kind": "government"}, ["Wang Yi"]),
    ],
)
def test_people_can_be_filtered(viewer_client, query, expected):
    ministry = OrganizationFactory(kind="government")
    PersonFactory(full_name="Wang Yi", title="Foreign Minister", organization=ministry)
    PersonFactory(
        full_name="Ada Lovelace", title="", email="ada@example.org", country="GB",
        organization=OrganizationFactory(kind="ngo"),
    )  # fmt: skip
    response = viewer_client.get("/api/people/", query)
    assert [item["full_name"] for item in response.json()["results"]] == expected


def test_an_organization_with_people_or_signatures_cannot_be_deleted(editor_client):
    org = OrganizationFactory()
    PersonFactory(organization=org)
    SignatureFactory(organization=org)
    response = editor_client.delete(f"/api/organizations/{org.pk}/")
    assert response.status_code == 409
    assert response.json()["protected"] == {"people": 1, "signatures": 1}
    assert Organization.objects.filter(pk=org.pk).exists()


def test_a_person_who_signed_cannot_be_deleted(editor_client):
    signature = SignatureFactory(organization=None, person=PersonFactory())
    response = editor_client.delete(f"/api/people/{signature.person_id}/")
    assert response.status_code == 409
    assert Person.objects.filter(pk=signature.person_id).exists()


# --- letters --------------------------------------------------------------------------------


def test_a_letter_names_its_campaign_recipients_and_author_by_id(editor_client):
    campaign, author = CampaignFactory(), OrganizationFactory()
    recipients = PersonFactory.create_batch(2)
    body = {
        "title": "Release the 709 lawyers",
        "kind": "petition",
        "status": "collecting_signatures",
        "campaign": campaign.pk,
        "recipients": [p.pk for p in recipients],
        "author_organization": author.pk,
    }
    response = editor_client.post("/api/letters/", body)
    assert response.status_code == 201, response.json()
    data = response.json()
    # Recipients come back in the letter's order (by name), not necessarily as sent.
    assert sorted(data.pop("recipients")) == sorted(body.pop("recipients"))
    assert data | body == data
    letter = Letter.objects.get()
    assert letter.campaign == campaign
    assert set(letter.recipients.all()) == set(recipients)


def test_putting_a_letter_replaces_its_recipients(editor_client):
    letter = LetterFactory()
    letter.recipients.add(PersonFactory())
    newcomer = PersonFactory()
    response = editor_client.put(
        f"/api/letters/{letter.pk}/", {"title": "Again", "recipients": [newcomer.pk]}
    )
    assert response.status_code == 200
    assert response.json()["recipients"] == [newcomer.pk]
    assert list(letter.recipients.all()) == [newcomer]


def test_a_letter_names_the_detained_persons_it_is_about_by_id(editor_client):
    wang, zhou = DetainedPersonFactory(), DetainedPersonFactory()
    response = editor_client.post(
        "/api/letters/", {"title": "Free Wang Yu and Zhou Shifeng", "persons": [wang.pk, zhou.pk]}
    )
    assert response.status_code == 201, response.json()
    assert sorted(response.json()["persons"]) == sorted([wang.pk, zhou.pk])
    letter = Letter.objects.get()
    assert set(letter.persons.all()) == {wang, zhou}
    # Patching the list replaces it; an empty list unlinks them all.
    response = editor_client.patch(f"/api/letters/{letter.pk}/", {"persons": [zhou.pk]})
    assert response.status_code == 200, response.json()
    assert list(letter.persons.all()) == [zhou]
    response = editor_client.patch(f"/api/letters/{letter.pk}/", {"persons": []})
    assert response.status_code == 200, response.json()
    assert not letter.persons.exists()


def test_a_letter_without_persons_is_about_no_one_in_particular(editor_client):
    response = editor_client.post("/api/letters/", {"title": "On the 709 crackdown"})
    assert response.status_code == 201, response.json()
    assert response.json()["persons"] == []


@pytest.mark.parametrize(
    "persons, message",
    [
        ("1", "Expected a list"),
        ([999999], "Invalid pk"),
        (["one"], "Expected an integer id"),
    ],
)
def test_a_letters_persons_are_a_list_of_existing_ids(editor_client, persons, message):
    response = editor_client.post("/api/letters/", {"title": "Free them", "persons": persons})
    assert response.status_code == 400
    assert message in response.json()["persons"][0]
    assert not Letter.objects.exists()


def test_a_letter_with_signatures_cannot_be_deleted(editor_client):
    signature = SignatureFactory()
    response = editor_client.delete(f"/api/letters/{signature.letter_id}/")
    assert response.status_code == 409
    assert "cannot be deleted" in response.json()["detail"]
    assert response.json()["protected"] == {"signatures": 1}
    assert Letter.objects.filter(pk=signature.letter_id).exists()


def test_a_letter_without_signatures_can_be_deleted(editor_client):
    letter = LetterFactory()
    letter.recipients.add(PersonFactory())
    assert editor_client.delete(f"/api/letters/{letter.pk}/").status_code == 204
    assert not Letter.objects.exists()
    assert Person.objects.count() == 1


@pytest.fixture
def letters():
    campaign = CampaignFactory(slug="free-the-lawyers")
    minister = PersonFactory()
    pen = OrganizationFactory(name="PEN")
    first = LetterFactory(
        title="Release Wang Quanzhang", campaign=campaign, kind="open_letter", status="sent",
        sent_on=datetime.date(2016, 1, 1), demands="Immediate release",
    )  # fmt: skip
    second = LetterFactory(
        title="Stop the trials", campaign=campaign, kind="petition", status="draft",
        sent_on=datetime.date(2017, 6, 1), body="Torture allegations",
    )  # fmt: skip
    third = LetterFactory(
        title="Unrelated", kind="statement", status="published",
        sent_on=datetime.date(2018, 3, 1),
    )  # fmt: skip
    first.recipients.add(minister)
    SignatureFactory(letter=second, organization=pen)
    return {"first": first, "second": second, "third": third, "minister": minister, "pen": pen}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"campaign": "free-the-lawyers"}, ["second", "first"]),
        ({"status": "sent,published"}, ["third", "first"]),
        ({"kind": "petition"}, ["second"]),
        ({"sent_after": "2017-01-01"}, ["third", "second"]),
        ({"sent_before": "2017-06-01"}, ["second", "first"]),
        ({"search": "quanzhang"}, ["first"]),
        ({"search": "torture"}, ["second"]),
        ({"search": "immediate"}, ["first"]),
    ],
)
def test_letters_can_be_filtered(viewer_client, letters, query, expected):
    response = viewer_client.get("/api/letters/", query)
    assert ids(response) == [letters[name].pk for name in expected]


def test_letters_can_be_filtered_by_campaign_id_recipient_and_signatory(viewer_client, letters):
    campaign = letters["first"].campaign_id
    assert ids(viewer_client.get("/api/letters/", {"campaign": campaign})) == [
        letters["second"].pk,
        letters["first"].pk,
    ]
    assert ids(viewer_client.get("/api/letters/", {"recipient": letters["minister"].pk})) == [
        letters["first"].pk
    ]
    assert ids(
        viewer_client.get("/api/letters/", {"signed_by_organization": letters["pen"].pk})
    ) == [letters["second"].pk]


# --- signatures -----------------------------------------------------------------------------


def test_a_person_can_sign_a_letter(editor_client):
    letter, person = LetterFactory(), PersonFactory()
    body = {"letter": letter.pk, "person": person.pk, "signed_on": "2024-05-01", "note": "Hi"}
    response = editor_client.post("/api/signatures/", body)
    assert response.status_code == 201, response.json()
    assert response.json() | body == response.json()
    assert response.json()["organization"] is None
    signature = Signature.objects.get()
    assert (signature.letter, signature.person, signature.organization) == (letter, person, None)


def test_a_signature_can_change_from_an_organization_to_a_person(editor_client):
    signature = SignatureFactory()
    person = PersonFactory()
    response = editor_client.patch(
        f"/api/signatures/{signature.pk}/", {"organization": None, "person": person.pk}
    )
    assert response.status_code == 200, response.json()
    signature.refresh_from_db()
    assert signature.organization is None
    assert signature.person == person


def test_signatures_can_be_filtered_by_letter_organization_and_person(viewer_client):
    letter = LetterFactory()
    by_org = SignatureFactory(letter=letter)
    person = PersonFactory()
    by_person = SignatureFactory(letter=letter, organization=None, person=person)
    elsewhere = SignatureFactory(organization=by_org.organization)
    assert ids(viewer_client.get("/api/signatures/", {"letter": letter.pk})) == [
        by_org.pk,
        by_person.pk,
    ]
    assert ids(viewer_client.get("/api/signatures/", {"organization": by_org.organization_id})) == [
        by_org.pk,
        elsewhere.pk,
    ]
    assert ids(viewer_client.get("/api/signatures/", {"person": person.pk})) == [by_person.pk]
