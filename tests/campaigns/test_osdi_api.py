"""Vigil's OSDI 1.1.1 API (/api/osdi/v1/), read as an OSDI client that knows nothing of Vigil
reads it: from the entry point, following the `_links` it is given, paging until an empty page."""

import datetime
import json

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from campaigns.models import Letter, PersonIdentifier, Signature
from tests.campaigns.factories import (
    CampaignFactory,
    LetterFactory,
    LetterResponseFactory,
    OrganizationFactory,
    PersonFactory,
    SignatureFactory,
)
from tests.tracker.factories import DetainedPersonFactory
from tracker.models import DetainedPerson

pytestmark = pytest.mark.django_db

ROOT = "/api/osdi/v1/"
HAL = "application/hal+json"


def osdi_client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_OSDI_API_TOKEN=token.key)
    return client


@pytest.fixture
def reader(django_user_model):
    """An integration's user who may view every campaigns record (the Viewer role's reads)."""
    user = django_user_model.objects.create_user(username="warehouse", password="x")
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="campaigns", codename__startswith="view_")
    )
    return user


@pytest.fixture
def client(reader):
    return osdi_client(reader)


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    assert response["Content-Type"].startswith(HAL)
    return response.json()


@pytest.fixture
def records():
    """A campaign for a public case, with a sent letter (two officials, postal mail), its
    signatures (a person with an Action Network identifier, an organisation), and an answer."""
    case = DetainedPersonFactory(name="Public Case", publicity=DetainedPerson.Publicity.PUBLIC)
    campaign = CampaignFactory(name="Free the 20", summary="Twenty women held for their views")
    campaign.detained_persons.add(case)
    ministry = OrganizationFactory(name="Ministry of Justice", country="CN")
    minister = PersonFactory(
        full_name="Zhang Jun", title="Minister of Justice", organization=ministry, country="CN"
    )
    envoy = PersonFactory(full_name="Jane Roe", title="Ambassador")
    letter = LetterFactory(
        campaign=campaign,
        title="Release the twenty",
        body="We call on you to release them.",
        demands="Release; access to lawyers.",
        sent_on=datetime.date(2026, 3, 8),
        delivery=Letter.Delivery.POSTAL_MAIL,
        status=Letter.Status.SENT,
    )
    letter.recipients.add(minister, envoy)
    letter.persons.add(case)
    signer = PersonFactory(
        full_name="Li Na", native_name="李娜", title="", email="li.na@example.org", country="HK"
    )
    PersonIdentifier.objects.create(person=signer, value="action_network:abc-123")
    SignatureFactory(
        letter=letter,
        organization=None,
        person=signer,
        note="Free them!",
        origin_system="Action Network",
        signed_on=datetime.date(2026, 3, 1),
    )
    amnesty = OrganizationFactory(name="Amnesty International", country="GB")
    SignatureFactory(letter=letter, organization=amnesty)
    LetterResponseFactory(letter=letter, person=minister, summary="Under review.")
    return {
        "case": case,
        "campaign": campaign,
        "letter": letter,
        "minister": minister,
        "signer": signer,
        "amnesty": amnesty,
    }


def crawl(client) -> dict[str, list[dict]]:
    """Every resource reachable from the entry point, as a client without knowledge of Vigil
    finds them: each collection paged (`next`) until a page is empty, and every href in every
    resource's `_links` followed once. {collection rel: resources}."""
    entry = get(client, ROOT)
    seen: set[str] = set()
    found: dict[str, list[dict]] = {}
    queue = [
        link["href"]
        for rel, link in entry["_links"].items()
        if rel.startswith("osdi:") and isinstance(link, dict)
    ]
    while queue:
        href = queue.pop()
        if href in seen:
            continue
        seen.add(href)
        body = get(client, href)
        if "_embedded" in body:
            for rel, items in body["_embedded"].items():
                found.setdefault(rel, []).extend(items)
                for item in items:
                    queue.extend(_hrefs(item))
            if body["_links"].get("next"):
                queue.append(body["_links"]["next"]["href"])
            else:  # paged to the end: the next page is empty, and still a 200
                after = get(
                    client, href.split("?")[0], page=body["page"] + 1, per_page=body["per_page"]
                )
                assert next(iter(after["_embedded"].values())) == []
        else:
            queue.extend(_hrefs(body))
    return found


def _hrefs(resource: dict) -> list[str]:
    return [
        link["href"]
        for rel, link in resource["_links"].items()
        if rel != "curies" and isinstance(link, dict)
    ]


# --- The entry point --------------------------------------------------------------------------


def test_the_entry_point_names_the_system_and_links_each_collection(client):
    entry = get(client, ROOT)
    assert entry["osdi_version"] == "1.1.1"
    assert entry["vendor_name"] == "Vigil"
    assert entry["product_name"] == "Vigil"
    assert entry["namespace"] == "vigil"
    assert entry["max_pagesize"] == 100
    assert entry["motd"]
    links = entry["_links"]
    assert {rel for rel in links if rel.startswith("osdi:")} == {
        "osdi:people",
        "osdi:petitions",
        "osdi:signatures",
        "osdi:advocacy_campaigns",
        "osdi:outreaches",
    }
    assert links["osdi:people"]["href"] == "http://testserver/api/osdi/v1/people"
    assert {c["name"] for c in links["curies"]} == {"osdi", "vigil"}
    assert all(c["templated"] for c in links["curies"])


def test_the_entry_point_links_only_the_collections_the_token_may_read(django_user_model):
    user = django_user_model.objects.create_user(username="petitions-only", password="x")
    user.user_permissions.add(Permission.objects.get(codename="view_letter"))
    links = get(osdi_client(user), ROOT)["_links"]
    assert {rel for rel in links if rel.startswith("osdi:")} == {
        "osdi:petitions",
        "osdi:outreaches",
    }
    assert osdi_client(user).get(ROOT + "people").status_code == 403


# --- What a client finds by following links ---------------------------------------------------


def test_a_client_reaches_every_record_by_following_links(client, records):
    found = crawl(client)
    people = {p["custom_fields"]["vigil:full_name"]: p for p in found["osdi:people"]}
    assert set(people) == {"Zhang Jun", "Jane Roe", "Li Na"}
    li_na = people["Li Na"]
    assert li_na["identifiers"] == [
        f"vigil:{records['signer'].pk}",
        "action_network:abc-123",
    ]
    assert li_na["given_name"] == "Li" and li_na["family_name"] == "Na"
    assert li_na["email_addresses"] == [{"address": "li.na@example.org", "primary": True}]
    assert li_na["postal_addresses"] == [{"country": "HK", "primary": True}]
    assert li_na["custom_fields"]["vigil:native_name"] == "李娜"
    assert li_na["created_date"].endswith("Z") and li_na["modified_date"].endswith("Z")

    (petition,) = {p["identifiers"][0]: p for p in found["osdi:petitions"]}.values()
    assert petition["title"] == "Release the twenty"
    assert petition["petition_text"] == "We call on you to release them."
    assert petition["description"] == "Release; access to lawyers."
    assert petition["total_signatures"] == 2
    assert {(t["name"], t.get("title")) for t in petition["target"]} == {
        ("Zhang Jun (Minister of Justice)", "Minister of Justice"),
        ("Jane Roe (Ambassador)", "Ambassador"),
    }

    signatures = found["osdi:signatures"]
    by_person = [s for s in signatures if "osdi:person" in s["_links"]]
    by_organization = [s for s in signatures if "vigil:organization" in s]
    assert by_person and by_organization
    assert by_person[0]["comments"] == "Free them!"
    assert by_person[0]["origin_system"] == "Action Network"
    assert by_person[0]["action_date"] == "2026-03-01T00:00:00Z"
    assert by_organization[0]["vigil:organization"] == {
        "name": "Amnesty International",
        "country": "GB",
    }
    assert by_organization[0]["origin_system"] == "Vigil"

    (response,) = {r["identifiers"][0]: r for r in found["vigil:responses"]}.values()
    assert response["summary"] == "Under review."
    assert response["_links"]["osdi:person"]["href"].endswith(f"/people/{records['minister'].pk}")

    (campaign,) = {c["identifiers"][0]: c for c in found["osdi:advocacy_campaigns"]}.values()
    assert campaign["name"] == "Free the 20"
    assert campaign["total_outreaches"] == 2
    assert campaign["type"] == "postal mail"
    assert {t["family_name"] for t in campaign["targets"]} == {"Jun", "Roe"}

    outreaches = {o["identifiers"][0]: o for o in found["osdi:outreaches"]}.values()
    assert len(outreaches) == 2
    for outreach in outreaches:
        assert outreach["type"] == "postal mail"
        assert outreach["subject"] == "Release the twenty"
        assert outreach["action_date"] == "2026-03-08T00:00:00Z"
        assert outreach["_links"]["osdi:advocacy_campaign"]["href"].endswith(
            f"/advocacy_campaigns/{records['campaign'].pk}"
        )


def test_detained_persons_are_never_people(client, records):
    found = crawl(client)
    assert "Public Case" not in json.dumps(found)
    assert len(found["osdi:people"]) == 3


def test_a_petitions_signatures_and_a_persons_signatures_are_collections(client, records):
    letter, signer = records["letter"], records["signer"]
    mine = get(client, f"{ROOT}people/{signer.pk}/signatures")
    assert mine["total_records"] == 1
    theirs = get(client, f"{ROOT}petitions/{letter.pk}/signatures")
    assert theirs["total_records"] == 2
    for signature in theirs["_embedded"]["osdi:signatures"]:
        assert signature["_links"]["osdi:petition"]["href"].endswith(f"/petitions/{letter.pk}")


# --- Paging ---------------------------------------------------------------------------------


def test_collections_page_with_page_and_per_page_and_link_next_and_previous(client):
    letter = LetterFactory()
    for _ in range(7):
        SignatureFactory(letter=letter)
    first = get(client, ROOT + "signatures", per_page=3)
    assert (first["page"], first["per_page"], first["total_pages"], first["total_records"]) == (
        1,
        3,
        3,
        7,
    )
    assert len(first["_embedded"]["osdi:signatures"]) == 3
    assert "previous" not in first["_links"]
    second = get(client, first["_links"]["next"]["href"])
    assert second["page"] == 2
    assert second["_links"]["previous"]["href"].endswith("page=1&per_page=3")
    last = get(client, second["_links"]["next"]["href"])
    assert len(last["_embedded"]["osdi:signatures"]) == 1
    assert "next" not in last["_links"]
    ids = [
        s["identifiers"][0]
        for page in (first, second, last)
        for s in page["_embedded"]["osdi:signatures"]
    ]
    assert len(set(ids)) == 7


def test_a_page_past_the_end_is_empty_not_missing(client):
    SignatureFactory()
    body = get(client, ROOT + "signatures", page=5)
    assert body["_embedded"] == {"osdi:signatures": []}
    assert body["_links"]["osdi:signatures"] == []
    assert body["total_records"] == 1


def test_per_page_above_the_maximum_is_clamped(client):
    body = get(client, ROOT + "people", per_page=5000)
    assert body["per_page"] == 100


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "x"}, {"per_page": "-1"}])
def test_a_page_that_is_not_a_whole_number_is_refused(client, params):
    response = client.get(ROOT + "people", params)
    assert response.status_code == 400
    assert next(iter(params)) in response.json()


def test_a_page_of_25_costs_the_queries_of_a_page_of_1(client, records):
    campaign = records["campaign"]
    for i in range(30):
        person = PersonFactory(email=f"p{i}@example.org", organization=OrganizationFactory())
        PersonIdentifier.objects.create(person=person, value=f"action_network:{i}")
        letter = LetterFactory(
            campaign=campaign, sent_on=datetime.date(2026, 1, 1), delivery=Letter.Delivery.EMAIL
        )
        letter.recipients.add(person, records["minister"])
        SignatureFactory(letter=letter, organization=None, person=person)
        LetterResponseFactory(letter=letter, person=person)
    for collection in ("people", "petitions", "signatures", "advocacy_campaigns", "outreaches"):
        counts = []
        for per_page in (1, 25):
            with CaptureQueriesContext(connection) as queries:
                get(client, ROOT + collection, per_page=per_page)
            counts.append(len(queries))
        assert counts[0] == counts[1], (collection, counts)


# --- Filters ----------------------------------------------------------------------------------


def test_modified_date_and_created_date_filter_every_collection(client):
    with time_machine.travel(datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.UTC), tick=False):
        old = PersonFactory(full_name="Old Friend")
    with time_machine.travel(datetime.datetime(2026, 2, 1, 12, tzinfo=datetime.UTC), tick=False):
        new = PersonFactory(full_name="New Friend")

    def names(expression):
        body = get(client, ROOT + "people", filter=expression)
        return {p["custom_fields"]["vigil:full_name"] for p in body["_embedded"]["osdi:people"]}

    assert names("modified_date gt '2026-01-01'") == {"New Friend"}
    assert names("modified_date lt '2026-01-01'") == {"Old Friend"}
    assert names("created_date eq '2025-06-01'") == {"Old Friend"}
    assert names("created_date eq '2026-02-01T12:00:00Z'") == {"New Friend"}
    assert names("created_date gt '2025-01-01' and created_date lt '2026-01-01'") == {"Old Friend"}
    assert old.pk != new.pk
    # The filter is kept in the next page's link.
    body = get(client, ROOT + "people", filter="modified_date gt '2020-01-01'", per_page=1)
    assert "filter=modified_date+gt" in body["_links"]["next"]["href"]


@pytest.mark.parametrize(
    "expression",
    ["email eq 'a@example.org'", "modified_date ge '2026-01-01'", "modified_date gt 'soon'", "x"],
)
def test_other_filters_are_refused_naming_what_is_supported(client, expression):
    response = client.get(ROOT + "petitions", {"filter": expression})
    assert response.status_code == 400
    message = response.json()["filter"][0]
    assert "created_date|modified_date" in message and "gt|lt|eq" in message


def test_outreaches_filter_on_their_letters_dates(client, records):
    assert (
        get(client, ROOT + "outreaches", filter="modified_date gt '2000-01-01'")["total_records"]
        == 2
    )
    assert (
        get(client, ROOT + "outreaches", filter="modified_date gt '2999-01-01'")["total_records"]
        == 0
    )


def test_an_unknown_parameter_is_refused(client):
    response = client.get(ROOT + "people", {"sort": "name"})
    assert response.status_code == 400
    assert "sort" in response.json()["detail"]


# --- Authentication and writes -----------------------------------------------------------------


def test_without_a_token_nothing_is_answered(records):
    anonymous = APIClient()
    for url in (ROOT, ROOT + "people", f"{ROOT}petitions/{records['letter'].pk}"):
        response = anonymous.get(url)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("OSDI-API-Token")


def test_a_wrong_token_is_refused():
    client = APIClient()
    client.credentials(HTTP_OSDI_API_TOKEN="not-a-token")
    assert client.get(ROOT).status_code == 401


def test_a_token_in_the_address_is_refused_even_when_valid(reader):
    key = Token.objects.create(user=reader).key
    response = APIClient().get(ROOT + "people", {"OSDI-API-Token": key})
    assert response.status_code == 400
    assert "header" in response.json()["detail"]


def test_the_rest_apis_token_header_works_too(reader):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=reader).key}")
    assert client.get(ROOT + "people").status_code == 200


def test_a_token_without_the_view_permission_gets_403(django_user_model):
    user = django_user_model.objects.create_user(username="nobody", password="x")
    client = osdi_client(user)
    for collection in ("people", "petitions", "signatures", "advocacy_campaigns", "outreaches"):
        assert client.get(ROOT + collection).status_code == 403


def test_writes_are_answered_405_and_change_nothing(client, records):
    letter = records["letter"]
    before = Signature.objects.count()
    for url in (
        ROOT + "petitions",
        f"{ROOT}petitions/{letter.pk}",
        f"{ROOT}petitions/{letter.pk}/signatures",
    ):
        assert client.post(url, {"title": "x"}, format="json").status_code == 405
        assert client.put(url, {"title": "x"}, format="json").status_code == 405
        assert client.delete(url).status_code == 405
    letter.refresh_from_db()
    assert letter.title == "Release the twenty"
    assert Signature.objects.count() == before


# --- Quiet advocacy ----------------------------------------------------------------------------


def test_nothing_about_a_case_in_quiet_advocacy_leaves_through_osdi(client, records):
    quiet = DetainedPersonFactory(name="Quiet Case", publicity=DetainedPerson.Publicity.QUIET)
    hidden_campaign = CampaignFactory(name="Quiet campaign", description="For Quiet Case")
    hidden_campaign.detained_persons.add(quiet)
    hidden = LetterFactory(
        campaign=records["campaign"],
        title="Letter about Quiet Case",
        body="Release Quiet Case",
        sent_on=datetime.date(2026, 4, 1),
    )
    hidden.persons.add(quiet)
    hidden.recipients.add(records["minister"])
    SignatureFactory(letter=hidden, organization=records["amnesty"])
    LetterResponseFactory(letter=hidden, person=records["minister"], summary="About Quiet Case")
    other = LetterFactory(
        campaign=hidden_campaign, title="Plain title", sent_on=datetime.date(2026, 4, 1)
    )
    other.recipients.add(records["minister"])

    found = json.dumps(crawl(client))
    assert "Quiet Case" not in found
    assert "Quiet campaign" not in found
    assert get(client, ROOT + "petitions")["total_records"] == 2  # records' letter and `other`
    assert get(client, ROOT + "advocacy_campaigns")["total_records"] == 1
    for url in (
        f"{ROOT}petitions/{hidden.pk}",
        f"{ROOT}petitions/{hidden.pk}/signatures",
        f"{ROOT}petitions/{hidden.pk}/responses",
        f"{ROOT}advocacy_campaigns/{hidden_campaign.pk}",
        f"{ROOT}advocacy_campaigns/{hidden_campaign.pk}/outreaches",
        f"{ROOT}signatures/{hidden.signatures.get().pk}",
    ):
        assert client.get(url).status_code == 404, url
    # `other` is listed, without a link to its campaign, which is not.
    (outreach,) = [
        o
        for o in get(client, ROOT + "outreaches")["_embedded"]["osdi:outreaches"]
        if o["subject"] == "Plain title"
    ]
    assert "osdi:advocacy_campaign" not in outreach["_links"]
    # Once the family consents, the letter is there.
    DetainedPerson.objects.filter(pk=quiet.pk).update(publicity=DetainedPerson.Publicity.PUBLIC)
    assert client.get(f"{ROOT}petitions/{hidden.pk}").status_code == 200


def test_a_record_that_does_not_exist_is_404(client):
    assert client.get(ROOT + "people/999999").status_code == 404
    assert client.get(ROOT + "people/999999/signatures").status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"), [("nobody", 403), ("viewer", 200), ("editor", 200), ("superuser", 200)]
)
def test_each_role_reads_osdi_as_it_reads_the_rest_api(request, role, expected, records):
    """The roles the data migration makes (tests/conftest.py), with their tokens in OSDI's
    header: the REST API's permissions, collection by collection."""
    client = osdi_client(request.getfixturevalue(role))
    for collection in ("people", "petitions", "signatures", "advocacy_campaigns", "outreaches"):
        assert client.get(ROOT + collection).status_code == expected, (role, collection)
    petition = f"{ROOT}petitions/{records['letter'].pk}"
    assert client.get(petition).status_code == expected
    assert client.get(petition + "/responses").status_code == expected
