"""Every list endpoint answers in as many queries for 200 records as for one: relations are
prefetched, never fetched row by row."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import Campaign, Letter, LetterResponse, Organization, Person, Signature
from tracker.models import CaseEvent, DetainedPerson

pytestmark = pytest.mark.django_db

N = 210  # more than the largest page


def _orgs(n=N, prefix="Org"):
    return Organization.objects.bulk_create(
        Organization(name=f"{prefix} {i}", country="FR") for i in range(n)
    )


def _people(n=N):
    orgs = _orgs(n, prefix="Employer")
    return Person.objects.bulk_create(
        Person(full_name=f"Person {i}", organization=org) for i, org in enumerate(orgs)
    )


def _detained(n=N):
    return DetainedPerson.objects.bulk_create(
        DetainedPerson(name=f"Detainee {i}", aliases=[f"Alias {i}"], country="CN") for i in range(n)
    )


def _campaigns(n=N):
    return Campaign.objects.bulk_create(
        Campaign(name=f"Campaign {i}", slug=f"campaign-{i}") for i in range(n)
    )


def _link_campaigns_and_detained(campaigns, detained):
    """Every campaign has two detained persons and every detained person two campaigns."""
    through = Campaign.detained_persons.through
    rows = [
        through(campaign_id=campaign.pk, detainedperson_id=detained[(i + k) % len(detained)].pk)
        for i, campaign in enumerate(campaigns)
        for k in (0, 1)
    ]
    through.objects.bulk_create(rows)


def populate_campaigns():
    lead = _orgs(1, prefix="Lead")[0]
    campaigns = Campaign.objects.bulk_create(
        Campaign(name=f"Campaign {i}", slug=f"campaign-{i}", lead_organization=lead)
        for i in range(N)
    )
    _link_campaigns_and_detained(campaigns, _detained())


def populate_detained_persons():
    detained = _detained()
    _link_campaigns_and_detained(_campaigns(), detained)
    # Each asked about in a letter ("letters_asking"), half of them answered about.
    letter = Letter.objects.create(title="All of them", sent_on=datetime.date(2024, 1, 1))
    letter.persons.set(detained)
    response = LetterResponse.objects.create(
        letter=letter, organization=_orgs(1, "Ministry")[0], received_on="2024-02-01", summary="."
    )
    response.persons.set(detained[::2])


def populate_letters():
    campaign = _campaigns(1)[0]
    recipients = _people(3)
    letters = Letter.objects.bulk_create(
        Letter(title=f"Letter {i}", campaign=campaign, sent_on=datetime.date(2024, 1, 1))
        for i in range(N)
    )
    through = Letter.recipients.through
    through.objects.bulk_create(
        through(letter_id=letter.pk, person_id=person.pk)
        for letter in letters
        for person in recipients[:2]
    )
    about = _detained(2)
    through = Letter.persons.through
    through.objects.bulk_create(
        through(letter_id=letter.pk, detainedperson_id=person.pk)
        for letter in letters
        for person in about
    )
    # Each answered about one of its two persons ("answered_about").
    responses = LetterResponse.objects.bulk_create(
        LetterResponse(letter=letter, person=recipients[0], received_on="2024-02-01", summary=".")
        for letter in letters
    )
    through = LetterResponse.persons.through
    through.objects.bulk_create(
        through(letterresponse_id=response.pk, detainedperson_id=about[0].pk)
        for response in responses
    )


def populate_signatures():
    letter = Letter.objects.create(title="Open letter")
    orgs, people = _orgs(N // 2), _people(N - N // 2)
    Signature.objects.bulk_create(
        [Signature(letter=letter, organization=org) for org in orgs]
        + [Signature(letter=letter, person=person) for person in people]
    )


def populate_letter_responses():
    letter = Letter.objects.create(title="Open letter", sent_on=datetime.date(2024, 1, 1))
    about = _detained(1)[0]
    letter.persons.add(about)
    orgs, people = _orgs(N // 2), _people(N - N // 2)
    responses = LetterResponse.objects.bulk_create(
        [
            LetterResponse(letter=letter, organization=org, received_on="2024-02-01", summary=".")
            for org in orgs
        ]
        + [
            LetterResponse(letter=letter, person=person, received_on="2024-02-02", summary=".")
            for person in people
        ]
    )
    through = LetterResponse.persons.through
    through.objects.bulk_create(
        through(letterresponse_id=response.pk, detainedperson_id=about.pk) for response in responses
    )


def populate_case_events():
    CaseEvent.objects.bulk_create(
        CaseEvent(person=person, date=datetime.date(2016, 1, 8), kind="arrested")
        for person in _detained()
    )


POPULATE = {
    "campaigns": (populate_campaigns, "detained_persons"),
    "organizations": (lambda: _orgs(), None),
    "people": (_people, "organization"),
    "letters": (populate_letters, ("recipients", "persons", "answered_about")),
    "signatures": (populate_signatures, "letter"),
    "letter-responses": (populate_letter_responses, ("letter", "persons")),
    "detained-persons": (populate_detained_persons, ("campaigns", "letters_asking")),
    "case-events": (populate_case_events, "person"),
}


def _list(client, url, size) -> tuple[int, list[dict]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": size})
    assert response.status_code == 200, response.json()
    return len(queries), response.json()["results"]


@pytest.mark.parametrize("name", list(POPULATE))
def test_a_list_takes_as_many_queries_for_200_records_as_for_one(viewer_client, name):
    populate, relation = POPULATE[name]
    populate()
    url = f"/api/{name}/"
    # Token auth: the user and their permissions are loaded afresh on every request, so the
    # two requests do exactly the same work apart from the page size.
    one, results_one = _list(viewer_client, url, 1)
    many, results_many = _list(viewer_client, url, 200)
    assert len(results_one) == 1
    assert len(results_many) == 200
    # The relations are really there to be (pre)fetched.
    for name in (relation,) if isinstance(relation, str) else relation or ():
        assert all(item[name] for item in results_many)
    assert many == one


def test_a_filtered_and_ordered_list_of_detained_persons_does_not_grow_either(viewer_client):
    populate_detained_persons()
    DetainedPerson.objects.update(status="rsdl")
    url = "/api/detained-persons/?status=rsdl,detained&ordering=-name&country=cn"
    with CaptureQueriesContext(connection) as one:
        assert len(viewer_client.get(url + "&page_size=1").json()["results"]) == 1
    with CaptureQueriesContext(connection) as many:
        assert len(viewer_client.get(url + "&page_size=200").json()["results"]) == 200
    assert len(many) == len(one)
