"""Bad requests are 400s that name what is wrong, never 500s, and write nothing."""

import pytest

from campaigns.models import Campaign, Letter, Organization, Signature
from tests.api.resources import RESOURCES
from tests.campaigns.factories import (
    CampaignFactory,
    LetterFactory,
    OrganizationFactory,
    PersonFactory,
    SignatureFactory,
)
from tests.tracker.factories import DetainedPersonFactory
from tracker.models import DetainedPerson, NewsSource

pytestmark = pytest.mark.django_db

by_name = pytest.mark.parametrize("resource", RESOURCES, ids=str)


@pytest.fixture
def client(editor_client):
    """An Editor's client that returns a 500 as a response instead of raising it."""
    editor_client.raise_request_exception = False
    return editor_client


def assert_refused(response, *fields):
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert sorted(response.json()) == sorted(fields)
    for field in fields:
        assert response.json()[field]


# --- bodies ---------------------------------------------------------------------------------


def test_malformed_json_is_a_400(client):
    response = client.post(
        "/api/detained-persons/", '{"name": "Gao Yu",', content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    assert not DetainedPerson.objects.exists()


@pytest.mark.parametrize("body", ["[]", '"Gao Yu"', "42", "null"])
def test_a_body_that_is_not_an_object_is_a_400(client, body):
    response = client.post("/api/detained-persons/", body, content_type="application/json")
    assert_refused(response, "non_field_errors")
    assert not DetainedPerson.objects.exists()


def test_a_body_in_an_unsupported_format_is_a_415(client):
    response = client.post("/api/campaigns/", "name=x", content_type="text/plain")
    assert response.status_code == 415
    assert not Campaign.objects.exists()


def test_a_required_field_left_out_is_named(client):
    assert_refused(client.post("/api/detained-persons/", {}), "name")
    assert_refused(client.post("/api/case-events/", {}), "person", "date", "kind")
    assert not DetainedPerson.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ["Gao", "Yu"]}, "name"),
        ({"name": {"first": "Gao"}}, "name"),
        ({"name": "Gao Yu", "birth_year": "nineteen forty-four"}, "birth_year"),
        ({"name": "Gao Yu", "birth_year": 1944.5}, "birth_year"),
        ({"name": "Gao Yu", "birth_year": -1}, "birth_year"),
        ({"name": "Gao Yu", "watch_enabled": "maybe"}, "watch_enabled"),
        ({"name": "Gao Yu", "aliases": "Kao Yu"}, "aliases"),
        ({"name": "Gao Yu", "aliases": [1, 2]}, "aliases"),
        ({"name": "Gao Yu", "aliases": [["nested"]]}, "aliases"),
        ({"name": "Gao Yu", "aliases": ["  "]}, "aliases"),
        ({"name": "Gao Yu", "aliases": [None]}, "aliases"),
        ({"name": "Gao Yu", "context_terms": {"a": 1}}, "context_terms"),
        ({"name": "Gao Yu", "aliases": ["x" * 201]}, "aliases"),
        ({"name": "Gao Yu", "aliases": [f"alias {i}" for i in range(101)]}, "aliases"),
        ({"name": "Gao Yu", "detained_on": "yesterday"}, "detained_on"),
        ({"name": "Gao Yu", "detained_on": "2020-02-30"}, "detained_on"),
        ({"name": "Gao Yu", "status": "free"}, "status"),
        ({"name": "Gao Yu", "gender": "robot"}, "gender"),
        ({"name": "Gao Yu", "country": "Narnia"}, "country"),
        ({"name": "Gao Yu", "campaigns": 1}, "campaigns"),
        ({"name": "Gao Yu", "campaigns": [999]}, "campaigns"),
        ({"name": "Gao Yu", "campaigns": ["abc"]}, "campaigns"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Gao Yu", "native_name": "高" * 201}, "native_name"),
        ({"name": "Gao\x00Yu"}, "name"),
        ({"name": ""}, "name"),
    ],
)
def test_a_detained_person_with_a_bad_field_is_refused(client, body, field):
    assert_refused(client.post("/api/detained-persons/", body, format="json"), field)
    assert not DetainedPerson.objects.exists()


@pytest.mark.parametrize(
    ("birth_year", "message"),
    [
        (1700, "Ensure this value is greater than or equal to 1880."),
        (1879, "Ensure this value is greater than or equal to 1880."),
        (2101, "Ensure this value is less than or equal to 2100."),
        (2**63, "Ensure this value is less than or equal to 2100."),
    ],
)
def test_an_implausible_birth_year_is_refused_under_birth_year(client, birth_year, message):
    response = client.post(
        "/api/detained-persons/", {"name": "Gao Yu", "birth_year": birth_year}, format="json"
    )
    assert_refused(response, "birth_year")
    assert response.json()["birth_year"] == [message]
    assert not DetainedPerson.objects.exists()


def test_an_implausible_birth_year_is_refused_on_update_too(client):
    person = DetainedPersonFactory(birth_year=1944)
    response = client.patch(f"/api/detained-persons/{person.pk}/", {"birth_year": 1800})
    assert_refused(response, "birth_year")
    person.refresh_from_db()
    assert person.birth_year == 1944


@pytest.mark.parametrize("birth_year", [1880, 2100, None])
def test_the_bounds_of_the_birth_year_are_accepted(client, birth_year):
    response = client.post(
        "/api/detained-persons/", {"name": "Gao Yu", "birth_year": birth_year}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["birth_year"] == birth_year
    assert DetainedPerson.objects.get().birth_year == birth_year


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("poll_interval_minutes", 0),
        ("poll_interval_minutes", 7 * 24 * 60 + 1),
        ("min_interval_seconds", -1),
        ("min_interval_seconds", 3601),
        ("max_query_chars", 99),
        ("max_query_chars", 8001),
        ("max_people_per_query", 0),
        ("max_people_per_query", 51),
    ],
)
def test_a_news_source_interval_or_batch_limit_out_of_bounds_is_refused_under_its_name(
    client, field, value
):
    body = {"name": "Wire", "kind": "feed", "url": "http://93.184.216.34/rss", field: value}
    assert_refused(client.post("/api/news-sources/", body, format="json"), field)
    assert not NewsSource.objects.exists()


def test_a_news_source_accepts_the_bounds_of_its_intervals(client):
    body = {
        "name": "Wire",
        "kind": "feed",
        "url": "http://93.184.216.34/rss",
        "poll_interval_minutes": 7 * 24 * 60,
        "min_interval_seconds": 3600,
    }
    response = client.post("/api/news-sources/", body, format="json")
    assert response.status_code == 201, response.json()
    source = NewsSource.objects.get()
    assert (source.poll_interval_minutes, source.min_interval_seconds) == (10080, 3600)


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/campaigns/", {"name": "x" * 201}, "name"),
        ("/api/campaigns/", {"name": "C", "summary": "s" * 501}, "summary"),
        ("/api/campaigns/", {"name": "C", "slug": "not a slug!"}, "slug"),
        ("/api/campaigns/", {"name": "C", "website": "not a url"}, "website"),
        ("/api/campaigns/", {"name": "C", "lead_organization": 999}, "lead_organization"),
        ("/api/campaigns/", {"name": "C", "detained_persons": [999]}, "detained_persons"),
        ("/api/organizations/", {"name": "o" * 201}, "name"),
        ("/api/organizations/", {"name": "O", "kind": "club"}, "kind"),
        ("/api/people/", {"full_name": "P", "email": "not-an-email"}, "email"),
        ("/api/people/", {"full_name": "P", "organization": 999}, "organization"),
        ("/api/people/", {"full_name": "P", "organization": "abc"}, "organization"),
        ("/api/letters/", {"title": "t" * 301}, "title"),
        ("/api/letters/", {"title": "T", "campaign": 999}, "campaign"),
        ("/api/letters/", {"title": "T", "recipients": [999]}, "recipients"),
        ("/api/letters/", {"title": "T", "recipients": "1"}, "recipients"),
        ("/api/letters/", {"title": "T", "sent_on": "01/02/2024"}, "sent_on"),
        ("/api/letters/", {"title": "T", "status": "lost"}, "status"),
        ("/api/signatures/", {"letter": 999, "organization": 999}, None),
        ("/api/case-events/", {"person": 999, "date": "2020-01-01", "kind": "other"}, "person"),
        ("/api/case-events/", {"person": "abc", "date": "2020-01-01", "kind": "other"}, "person"),
    ],
)
def test_wrong_types_over_long_strings_and_invalid_relations_are_refused(client, url, body, field):
    counts = {m: m.objects.count() for m in (Campaign, Organization, Letter, Signature)}
    response = client.post(url, body, format="json")
    if field is None:
        assert_refused(response, "letter", "organization")
    else:
        assert_refused(response, field)
    assert counts == {m: m.objects.count() for m in counts}


@by_name
def test_an_unknown_field_is_named(client, resource):
    before = resource.model.objects.count()
    response = client.post(resource.url, {**resource.payload(), "nmae": "typo"})
    assert_refused(response, "nmae")
    assert response.json()["nmae"] == ["Unknown or read-only field."]
    assert resource.model.objects.count() == before


@by_name
def test_read_only_fields_cannot_be_written(client, resource):
    record = resource.make()
    response = client.patch(
        resource.detail_url(record.pk), {"id": 12345, "created_at": "2000-01-01T00:00:00Z"}
    )
    assert_refused(response, "id", "created_at")
    assert resource.model.objects.filter(pk=record.pk).exists()
    assert not resource.model.objects.filter(pk=12345).exists()


def test_the_derived_search_names_cannot_be_written(client):
    person = DetainedPersonFactory()
    assert_refused(
        client.patch(f"/api/detained-persons/{person.pk}/", {"search_names": "x"}), "search_names"
    )


# --- signatures -----------------------------------------------------------------------------

EXACTLY_ONE = "A signature needs exactly one of an organization or a person."


def test_a_signature_by_both_an_organization_and_a_person_is_refused(client):
    letter, org, person = LetterFactory(), OrganizationFactory(), PersonFactory()
    response = client.post(
        "/api/signatures/", {"letter": letter.pk, "organization": org.pk, "person": person.pk}
    )
    assert_refused(response, "non_field_errors")
    assert response.json()["non_field_errors"] == [EXACTLY_ONE]
    assert not Signature.objects.exists()


def test_a_signature_by_nobody_is_refused(client):
    letter = LetterFactory()
    response = client.post("/api/signatures/", {"letter": letter.pk})
    assert_refused(response, "non_field_errors")
    assert response.json()["non_field_errors"] == [EXACTLY_ONE]
    assert not Signature.objects.exists()


def test_patching_away_the_only_signatory_is_refused(client):
    signature = SignatureFactory()
    response = client.patch(f"/api/signatures/{signature.pk}/", {"organization": None})
    assert_refused(response, "non_field_errors")
    signature.refresh_from_db()
    assert signature.organization_id is not None


def test_an_organization_cannot_sign_a_letter_twice(client):
    first = SignatureFactory()
    response = client.post(
        "/api/signatures/", {"letter": first.letter_id, "organization": first.organization_id}
    )
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["This organization has already signed this letter."]
    }
    assert Signature.objects.count() == 1


def test_a_person_cannot_sign_a_letter_twice(client):
    first = SignatureFactory(organization=None, person=PersonFactory())
    response = client.post(
        "/api/signatures/", {"letter": first.letter_id, "person": first.person_id}
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["This person has already signed this letter."]}
    assert Signature.objects.count() == 1


def test_moving_a_signature_onto_an_existing_one_is_refused(client):
    first = SignatureFactory()
    second = SignatureFactory(letter=first.letter)
    response = client.patch(
        f"/api/signatures/{second.pk}/", {"organization": first.organization_id}
    )
    assert response.status_code == 400
    second.refresh_from_db()
    assert second.organization_id != first.organization_id


# --- organizations --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["Amnesty International", "AMNESTY INTERNATIONAL", "amnesty international"]
)
def test_a_duplicate_organization_name_in_any_case_is_refused(client, name):
    OrganizationFactory(name="Amnesty International")
    response = client.post("/api/organizations/", {"name": name})
    assert response.status_code == 400
    assert response.json()
    assert Organization.objects.count() == 1


def test_renaming_an_organization_onto_another_in_another_case_is_refused(client):
    OrganizationFactory(name="PEN America")
    other = OrganizationFactory(name="PEN International")
    response = client.patch(f"/api/organizations/{other.pk}/", {"name": "pen america"})
    assert response.status_code == 400
    other.refresh_from_db()
    assert other.name == "PEN International"


# --- query parameters -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "query", "param"),
    [
        ("/api/detained-persons/", "status=free", "status"),
        ("/api/detained-persons/", "status=detained,free", "status"),
        ("/api/detained-persons/", "country=%00", "country"),
        ("/api/detained-persons/", "gender=robot", "gender"),
        ("/api/detained-persons/", "campaign=no-such-campaign", "campaign"),
        ("/api/detained-persons/", "campaign=999", "campaign"),
        ("/api/detained-persons/", "detained_after=2020-13-01", "detained_after"),
        ("/api/detained-persons/", "detained_before=yesterday", "detained_before"),
        ("/api/detained-persons/", "watch_enabled=maybe", "watch_enabled"),
        ("/api/detained-persons/", "ordering=age", "ordering"),
        ("/api/detained-persons/", "ordering=search_names", "ordering"),
        ("/api/detained-persons/", "ordering=--name", "ordering"),
        ("/api/letters/", "campaign=no-such-campaign", "campaign"),
        ("/api/letters/", "status=lost", "status"),
        ("/api/letters/", "kind=memo", "kind"),
        ("/api/letters/", "recipient=999", "recipient"),
        ("/api/letters/", "recipient=abc", "recipient"),
        ("/api/letters/", "signed_by_organization=999", "signed_by_organization"),
        ("/api/letters/", "sent_after=2020-02-30", "sent_after"),
        ("/api/letters/", "sent_before=soon", "sent_before"),
        ("/api/signatures/", "letter=999", "letter"),
        ("/api/signatures/", "organization=abc", "organization"),
        ("/api/signatures/", "person=999", "person"),
        ("/api/campaigns/", "status=forgotten", "status"),
        ("/api/case-events/", "person=999", "person"),
        ("/api/case-events/", "kind=birthday", "kind"),
        ("/api/case-events/", "after=tomorrow", "after"),
        ("/api/case-events/", "before=2020/01/01", "before"),
        ("/api/organizations/", "kind=club", "kind"),
        ("/api/people/", "kind=club", "kind"),
    ],
)
def test_an_unknown_filter_value_is_a_400_naming_the_parameter(client, url, query, param):
    assert_refused(client.get(f"{url}?{query}"), param)


@by_name
def test_an_unknown_query_parameter_is_a_400_not_an_unfiltered_list(client, resource):
    resource.make()
    response = client.get(resource.url, {"stauts": "active"})
    assert_refused(response, "stauts")
    assert response.json()["stauts"] == ["Unknown query parameter."]


def test_ordering_is_refused_where_it_is_not_offered(client):
    assert_refused(client.get("/api/campaigns/", {"ordering": "name"}), "ordering")


@pytest.mark.parametrize("size", ["201", "0", "-1", "abc", "1.5", "1e2"])
@by_name
def test_a_page_size_out_of_range_is_a_400_naming_page_size(client, resource, size):
    response = client.get(resource.url, {"page_size": size})
    assert_refused(response, "page_size")
    assert response.json()["page_size"] == ["Must be a whole number from 1 to 200."]


# --- bugs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/detained-persons/", "/api/letters/"])
def test_a_superscript_digit_as_campaign_is_a_400_not_a_500(client, url):
    assert_refused(client.get(url, {"campaign": "²"}), "campaign")


def test_a_campaign_whose_slug_is_all_digits_can_be_named_by_slug(client):
    created = client.post("/api/campaigns/", {"name": "2024"}).json()
    assert created["slug"] == "2024"
    letter = LetterFactory(campaign=Campaign.objects.get(pk=created["id"]))
    LetterFactory()
    response = client.get("/api/letters/", {"campaign": "2024"})
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [letter.pk]


@pytest.mark.parametrize("url", ["/api/detained-persons/", "/api/organizations/", "/api/people/"])
def test_an_unknown_country_is_a_400_naming_country(client, url):
    assert_refused(client.get(url, {"country": "Narnia"}), "country")


def test_a_known_country_in_lower_case_is_accepted(client):
    DetainedPersonFactory(country="CN")
    response = client.get("/api/detained-persons/", {"country": "cn"})
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_the_campaign_filter_still_works_beside_these_bugs(client):
    campaign = CampaignFactory(slug="free-them")
    letter = LetterFactory(campaign=campaign)
    assert client.get("/api/letters/", {"campaign": "free-them"}).json()["results"][0]["id"] == (
        letter.pk
    )


def test_an_empty_page_size_means_the_default(client):
    DetainedPersonFactory.create_batch(51)
    response = client.get("/api/detained-persons/?page_size=")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 50
