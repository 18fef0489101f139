"""/api/detained-persons/: the record, its filters, search, ordering and pagination."""

import datetime

import pytest
import time_machine

from tests.campaigns.factories import CampaignFactory
from tests.tracker.factories import CaseEventFactory, DetainedPersonFactory
from tracker.cases.services import detained_person_save
from tracker.models import DetainedPerson

pytestmark = pytest.mark.django_db

URL = "/api/detained-persons/"
D = datetime.date
# What every user reads; the restricted fields are added for case officers
# (tests/tracker/test_restricted_fields.py).
FIELDS = {
    "id",
    "name",
    "native_name",
    "aliases",
    "context_terms",
    "gender",
    "birth_year",
    "country",
    "occupation",
    "affiliation",
    "status",
    "detained_on",
    "place_of_detention",
    "charges",
    "sentence",
    "summary",
    "publicity",
    "watch_enabled",
    "campaigns",
    "letters_asking",
    "letters_answered",
    "created_at",
    "updated_at",
}


def names(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [item["name"] for item in response.json()["results"]]


def test_creating_a_detained_person_stores_every_field_and_their_campaigns(editor_client):
    campaigns = CampaignFactory.create_batch(2)
    body = {
        "name": "Liu Xia",
        "native_name": "刘霞",
        "aliases": ["Liu Hsia", "Lau Ha"],
        "context_terms": ["poet", "Liu Xiaobo"],
        "gender": "female",
        "birth_year": 1961,
        "country": "CN",
        "occupation": "Poet",
        "status": "disappeared",
        "detained_on": "2010-10-08",
        "watch_enabled": False,
        "campaigns": [c.pk for c in campaigns],
    }
    response = editor_client.post(URL, body)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert set(data) == FIELDS
    assert data | body == data
    person = DetainedPerson.objects.get(pk=data["id"])
    assert person.native_name == "刘霞"
    assert person.aliases == ["Liu Hsia", "Lau Ha"]
    assert person.detained_on == datetime.date(2010, 10, 8)
    assert not person.watch_enabled
    assert sorted(person.campaigns.values_list("pk", flat=True)) == sorted(body["campaigns"])
    # search_names is derived on the way in: the new record is searchable at once.
    assert list(DetainedPerson.objects.search("lau ha")) == [person]


def test_a_detained_person_starts_detained_with_empty_lists(editor_client):
    response = editor_client.post(URL, {"name": "Gao Yu"})
    assert response.status_code == 201
    assert (
        response.json()
        | {
            "status": "detained",
            "aliases": [],
            "context_terms": [],
            "campaigns": [],
            "watch_enabled": True,
        }
        == response.json()
    )


def test_a_detained_person_created_with_a_detention_date_has_the_detained_event(editor_client):
    response = editor_client.post(URL, {"name": "Gao Yu", "detained_on": "2014-04-24"})
    assert response.status_code == 201, response.json()
    person = DetainedPerson.objects.get(pk=response.json()["id"])
    assert list(person.events.values_list("date", "kind")) == [(D(2014, 4, 24), "detained")]
    assert response.json()["status"] == "detained"


def test_retrieving_a_detained_person_shows_their_campaign_ids(viewer_client):
    person = DetainedPersonFactory()
    campaign = CampaignFactory()
    campaign.detained_persons.add(person)
    response = viewer_client.get(f"{URL}{person.pk}/")
    assert response.status_code == 200
    assert response.json()["campaigns"] == [campaign.pk]
    assert response.json()["name"] == person.name


def test_patching_aliases_changes_what_search_finds(editor_client):
    person = detained_person_save(name="Liu Xia", aliases=["Liu Hsia"])
    response = editor_client.patch(f"{URL}{person.pk}/", {"aliases": ["Lau Ha"]})
    assert response.status_code == 200
    assert response.json()["aliases"] == ["Lau Ha"]
    assert names(editor_client.get(URL, {"search": "lau ha"})) == ["Liu Xia"]
    assert names(editor_client.get(URL, {"search": "hsia"})) == []


def test_putting_a_detained_person_replaces_their_campaigns(editor_client):
    old, new = CampaignFactory.create_batch(2)
    person = detained_person_save(name="Ilham Tohti", campaigns=[old])
    body = {"name": "Ilham Tohti", "status": "sentenced", "campaigns": [new.pk]}
    response = editor_client.put(f"{URL}{person.pk}/", body)
    assert response.status_code == 200, response.json()
    assert response.json()["campaigns"] == [new.pk]
    person.refresh_from_db()
    assert person.status == "sentenced"
    assert list(person.campaigns.all()) == [new]


def test_updating_a_detained_person_moves_updated_at(editor_client):
    person = DetainedPersonFactory()
    before = person.updated_at
    response = editor_client.patch(f"{URL}{person.pk}/", {"sentence": "Life"})
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.updated_at > before
    assert response.json()["updated_at"] != response.json()["created_at"]


def test_a_detained_person_with_case_events_cannot_be_deleted(editor_client):
    person = DetainedPersonFactory()
    CaseEventFactory.create_batch(2, person=person)
    response = editor_client.delete(f"{URL}{person.pk}/")
    assert response.status_code == 409
    assert "cannot be deleted" in response.json()["detail"]
    assert response.json()["protected"] == {"case events": 2}
    assert DetainedPerson.objects.filter(pk=person.pk).exists()


def test_a_detained_person_without_events_can_be_deleted_and_leaves_their_campaigns(
    editor_client,
):
    campaign = CampaignFactory()
    person = DetainedPersonFactory()
    campaign.detained_persons.add(person)
    assert editor_client.delete(f"{URL}{person.pk}/").status_code == 204
    assert not DetainedPerson.objects.filter(pk=person.pk).exists()
    assert not campaign.detained_persons.exists()
    assert editor_client.get(f"{URL}{person.pk}/").status_code == 404


# --- filters --------------------------------------------------------------------------------


@pytest.fixture
def cases():
    free, other = CampaignFactory(slug="free-the-poets"), CampaignFactory(slug="other")
    people = {
        "Ai": DetainedPersonFactory(
            name="Ai", status="detained", country="CN", gender="male", watch_enabled=True,
            detained_on=datetime.date(2011, 4, 3),
        ),
        "Bao": DetainedPersonFactory(
            name="Bao", status="rsdl", country="CN", gender="female", watch_enabled=False,
            detained_on=datetime.date(2015, 7, 9),
        ),
        "Chen": DetainedPersonFactory(
            name="Chen", status="sentenced", country="VN", gender="male", watch_enabled=True,
            detained_on=datetime.date(2019, 1, 1),
        ),
        "Dang": DetainedPersonFactory(
            name="Dang", status="released", country="VN", gender="", watch_enabled=True,
            detained_on=None,
        ),
    }  # fmt: skip
    free.detained_persons.add(people["Ai"], people["Chen"])
    other.detained_persons.add(people["Bao"], people["Chen"])
    return people, free


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["Ai", "Bao", "Chen", "Dang"]),
        ({"status": "rsdl"}, ["Bao"]),
        ({"status": "detained,sentenced"}, ["Ai", "Chen"]),
        ({"country": "VN"}, ["Chen", "Dang"]),
        ({"country": "cn"}, ["Ai", "Bao"]),
        ({"gender": "female"}, ["Bao"]),
        ({"detained_after": "2015-07-09"}, ["Bao", "Chen"]),
        ({"detained_before": "2015-07-09"}, ["Ai", "Bao"]),
        ({"detained_after": "2012-01-01", "detained_before": "2016-01-01"}, ["Bao"]),
        ({"watch_enabled": "false"}, ["Bao"]),
        ({"watch_enabled": "true"}, ["Ai", "Chen", "Dang"]),
        ({"status": "detained,sentenced", "country": "VN"}, ["Chen"]),
    ],
)
def test_detained_persons_can_be_filtered(viewer_client, cases, query, expected):
    assert names(viewer_client.get(URL, query)) == expected


def test_detained_persons_can_be_filtered_by_campaign_id_or_slug(viewer_client, cases):
    _, free = cases
    assert names(viewer_client.get(URL, {"campaign": free.pk})) == ["Ai", "Chen"]
    assert names(viewer_client.get(URL, {"campaign": "free-the-poets"})) == ["Ai", "Chen"]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("name", ["Ai", "Bao", "Chen"]),
        ("-name", ["Chen", "Bao", "Ai"]),
        ("detained_on", ["Ai", "Bao", "Chen"]),
        ("-detained_on", ["Chen", "Bao", "Ai"]),
    ],
)
def test_detained_persons_can_be_ordered(viewer_client, cases, ordering, expected):
    # Dang has no date, which SQL databases sort differently; the dated order is what counts.
    listed = [n for n in names(viewer_client.get(URL, {"ordering": ordering})) if n != "Dang"]
    assert listed == expected


def test_detained_persons_can_be_ordered_by_when_they_were_last_updated(viewer_client, cases):
    people, _ = cases
    base = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    for hours, name in enumerate(["Chen", "Ai", "Dang", "Bao"]):
        DetainedPerson.objects.filter(pk=people[name].pk).update(
            updated_at=base + datetime.timedelta(hours=hours)
        )
    assert names(viewer_client.get(URL, {"ordering": "updated_at"})) == [
        "Chen",
        "Ai",
        "Dang",
        "Bao",
    ]
    assert names(viewer_client.get(URL, {"ordering": "-updated_at"})) == [
        "Bao",
        "Dang",
        "Ai",
        "Chen",
    ]


def test_ordering_ties_are_broken_by_id_so_pages_never_overlap(viewer_client):
    DetainedPersonFactory.create_batch(6, detained_on=datetime.date(2020, 1, 1))
    seen = []
    for page in (1, 2, 3):
        response = viewer_client.get(
            URL, {"ordering": "-detained_on", "page_size": 2, "page": page}
        )
        seen += [item["id"] for item in response.json()["results"]]
    assert sorted(seen) == sorted(DetainedPerson.objects.values_list("pk", flat=True))


# --- search ---------------------------------------------------------------------------------


@pytest.fixture
def named():
    detained_person_save(name="Liu Xia", native_name="刘霞", aliases=["Liu Hsia"])
    detained_person_save(name="Trần Thị Thu Hà")
    detained_person_save(name="Gao Yu", native_name="高瑜")
    detained_person_save(name="Đặng Thị Huệ", aliases=["Dang Hue"])


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("tran thi", ["Trần Thị Thu Hà"]),
        ("TRẦN THỊ", ["Trần Thị Thu Hà"]),
        ("Tran-Thi", ["Trần Thị Thu Hà"]),
        ("刘霞", ["Liu Xia"]),
        ("高瑜", ["Gao Yu"]),
        ("liu hsia", ["Liu Xia"]),
        ("dang thi", ["Đặng Thị Huệ"]),
        ("XIA", ["Liu Xia"]),
        ("nobody", []),
    ],
)
def test_search_finds_people_by_name_native_name_and_aliases(viewer_client, named, term, expected):
    assert names(viewer_client.get(URL, {"search": term})) == expected


def test_search_combines_with_other_filters(viewer_client):
    detained_person_save(name="Trần Thị Thu Hà", status="released")
    detained_person_save(name="Tran Thi Nga", status="detained")
    assert names(viewer_client.get(URL, {"search": "tran thi", "status": "detained"})) == [
        "Tran Thi Nga"
    ]


# --- pagination -----------------------------------------------------------------------------


def test_the_list_is_paginated_by_50_by_default(viewer_client):
    DetainedPersonFactory.create_batch(51)
    response = viewer_client.get(URL)
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 51
    assert len(body["results"]) == 50
    assert body["previous"] is None
    assert body["next"].endswith("/api/detained-persons/?page=2")
    last = viewer_client.get(body["next"]).json()
    assert len(last["results"]) == 1
    assert last["next"] is None
    assert last["previous"] is not None


def test_page_and_page_size_choose_the_slice(viewer_client):
    people = [DetainedPersonFactory(name=f"Person {i:02}") for i in range(7)]
    body = viewer_client.get(URL, {"page": 2, "page_size": 3}).json()
    assert body["count"] == 7
    assert [item["id"] for item in body["results"]] == [p.pk for p in people[3:6]]
    assert "page_size=3" in body["next"]
    assert "page_size=3" in body["previous"]


def test_a_page_size_of_200_is_allowed(viewer_client):
    DetainedPersonFactory.create_batch(3)
    response = viewer_client.get(URL, {"page_size": 200})
    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_a_page_past_the_end_is_not_found(viewer_client):
    DetainedPersonFactory()
    assert viewer_client.get(URL, {"page": 5}).status_code == 404


# --- the status follows the timeline ---------------------------------------------------------


@pytest.fixture
def today():
    with time_machine.travel(datetime.datetime(2025, 3, 14, 12, tzinfo=datetime.UTC), tick=False):
        yield datetime.date(2025, 3, 14)


def timeline(person) -> list[tuple[str, str]]:
    return [(str(on), kind) for on, kind in person.events.values_list("date", "kind")]


def test_changing_the_status_records_a_status_event_by_that_user(editor_client, editor, today):
    person = detained_person_save(name="Gao Yu", status="detained", detained_on=D(2014, 4, 24))
    response = editor_client.patch(f"{URL}{person.pk}/", {"status": "released"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "released"
    assert "status_date" not in response.json()
    assert timeline(person) == [("2025-03-14", "released"), ("2014-04-24", "detained")]
    event = person.events.get(kind="released")
    assert event.history.get().history_user == editor
    listed = editor_client.get("/api/case-events/", {"person": person.pk}).json()["results"]
    assert [(e["date"], e["kind"]) for e in listed] == timeline(person)


def test_a_status_change_may_give_the_date_it_took_effect(editor_client, today):
    person = detained_person_save(name="Gao Yu", status="detained", detained_on=D(2014, 4, 24))
    response = editor_client.patch(
        f"{URL}{person.pk}/", {"status": "sentenced", "status_date": "2015-04-17"}
    )
    assert response.status_code == 200, response.json()
    assert timeline(person) == [("2015-04-17", "sentenced"), ("2014-04-24", "detained")]
    assert DetainedPerson.objects.get(pk=person.pk).status == "sentenced"


def test_creating_a_person_with_a_status_records_it_as_of_their_detention(editor_client, today):
    response = editor_client.post(
        URL, {"name": "Liu Xia", "status": "disappeared", "detained_on": "2010-10-08"}
    )
    assert response.status_code == 201, response.json()
    person = DetainedPerson.objects.get(pk=response.json()["id"])
    assert timeline(person) == [("2010-10-08", "disappeared")]


def test_creating_a_person_without_a_status_or_detention_date_records_no_event(
    editor_client, today
):
    response = editor_client.post(URL, {"name": "Liu Xia"})
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "detained"
    assert timeline(DetainedPerson.objects.get(pk=response.json()["id"])) == []


def test_a_status_dated_after_today_is_refused_naming_status_date(editor_client, today):
    person = detained_person_save(name="Gao Yu")
    response = editor_client.patch(
        f"{URL}{person.pk}/", {"status": "deceased", "status_date": "2099-01-01"}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["status_date"]
    assert "cannot be dated after today (2025-03-14)" in response.json()["status_date"][0]
    assert DetainedPerson.objects.get(pk=person.pk).status == "detained"
    assert timeline(person) == []


def test_a_status_older_than_the_latest_status_event_is_refused(editor_client, today):
    person = detained_person_save(name="Gao Yu", status="detained", detained_on=D(2014, 4, 24))
    CaseEventFactory(person=person, date=D(2015, 4, 17), kind="sentenced")
    response = editor_client.patch(
        f"{URL}{person.pk}/", {"status": "released", "status_date": "2015-01-01"}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["status_date"]
    assert "later status event (Sentenced on 2015-04-17)" in response.json()["status_date"][0]
    assert len(timeline(person)) == 2


def test_a_status_change_is_refused_while_a_later_status_event_stands(editor_client, today):
    # A "Deceased" event dated 2099, recorded before such dates were refused.
    person = detained_person_save(name="Gao Yu")
    CaseEventFactory(person=person, date=D(2099, 1, 1), kind="deceased")
    response = editor_client.patch(f"{URL}{person.pk}/", {"status": "released"})
    assert response.status_code == 400
    assert list(response.json()) == ["status"]
    assert "Deceased on 2099-01-01" in response.json()["status"][0]
    assert DetainedPerson.objects.get(pk=person.pk).status == "detained"


def test_a_status_date_without_a_new_status_is_refused(editor_client, today):
    person = detained_person_save(name="Gao Yu", status="detained")
    response = editor_client.patch(f"{URL}{person.pk}/", {"status_date": "2014-04-24"})
    assert response.status_code == 400
    assert list(response.json()) == ["status_date"]
    assert timeline(person) == [("2025-03-14", "detained")]
