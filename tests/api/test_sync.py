"""A partner syncs through the API: one naming rule for date filters (old names kept, marked
deprecated), `updated_since` and `ordering=updated_at` on every list."""

import datetime

import pytest
import time_machine

from config.api_router import router
from tests.campaigns.factories import OrganizationFactory
from tests.tracker.factories import CaseEventFactory, DetainedPersonFactory
from tracker.cases.services import detained_person_save
from tracker.digests.sending import digest_send, digests_create_due
from tracker.digests.services import subscription_save
from tracker.models import DigestDelivery, Mention, NewsItem

pytestmark = pytest.mark.django_db

LISTS = [f"/api/{prefix}/" for prefix, _viewset, _basename in router.registry]
T1 = datetime.datetime(2026, 3, 1, 7, 0, tzinfo=datetime.UTC)
T2 = datetime.datetime(2026, 3, 2, 7, 0, tzinfo=datetime.UTC)


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def _schema_parameters(client, path) -> dict[str, dict]:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    return {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}


# Date filters: <field>_after / <field>_before


@pytest.fixture
def timeline():
    person = DetainedPersonFactory()
    return [
        CaseEventFactory(person=person, date=datetime.date(2012, 1, 1), kind="hearing"),
        CaseEventFactory(person=person, date=datetime.date(2014, 4, 24), kind="hearing"),
    ]


def test_case_events_filter_by_date_after_and_date_before(viewer_client, timeline):
    early, late = timeline
    url = "/api/case-events/"
    assert _ids(viewer_client.get(url, {"date_after": "2014-04-24"})) == [late.pk]
    assert _ids(viewer_client.get(url, {"date_before": "2014-04-23"})) == [early.pk]
    # The old names still work, for a release.
    assert _ids(viewer_client.get(url, {"after": "2014-04-24"})) == [late.pk]
    assert _ids(viewer_client.get(url, {"before": "2014-04-23"})) == [early.pk]
    bad = viewer_client.get(url, {"date_after": "24/04/2014"})
    assert (bad.status_code, list(bad.json())) == (400, ["date_after"])


@pytest.fixture
def mentions():
    person = detained_person_save(name="Wang Fang")
    found = []
    for n, moment in enumerate([T1, T2]):
        item = NewsItem.objects.create(url=f"https://rights.example.org/{n}", title="Wang Fang")
        with time_machine.travel(moment, tick=False):
            found.append(Mention.objects.create(news_item=item, person=person))
    return found


def test_mentions_filter_by_created_after_and_before_a_day_or_a_moment(viewer_client, mentions):
    first, second = mentions
    url = "/api/mentions/"
    assert _ids(viewer_client.get(url, {"created_after": "2026-03-02"})) == [second.pk]
    assert _ids(viewer_client.get(url, {"created_before": "2026-03-01"})) == [first.pk]
    assert _ids(viewer_client.get(url, {"created_after": "2026-03-01T07:00:01Z"})) == [second.pk]
    assert _ids(viewer_client.get(url, {"created_before": "2026-03-02T06:59:59Z"})) == [first.pk]
    assert _ids(viewer_client.get(url, {"since": "2026-03-01T07:00:01Z"})) == [second.pk]
    bad = viewer_client.get(url, {"created_after": "yesterday"})
    assert (bad.status_code, list(bad.json())) == (400, ["created_after"])


def test_the_schema_marks_the_old_date_filter_names_deprecated(client):
    events = _schema_parameters(client, "/api/case-events/")
    assert events["after"]["deprecated"] is events["before"]["deprecated"] is True
    assert "date_after" in events["after"]["description"]
    assert "deprecated" not in events["date_after"]
    mentions = _schema_parameters(client, "/api/mentions/")
    assert mentions["since"]["deprecated"] is True
    assert "deprecated" not in mentions["created_after"]


# updated_since and ordering=updated_at on every list


@pytest.mark.parametrize("url", LISTS)
def test_every_list_takes_updated_since_and_orders_by_updated_at(superuser_client, url):
    for ordering in ("updated_at", "-updated_at"):
        response = superuser_client.get(
            url, {"updated_since": "2000-01-01T00:00:00Z", "ordering": ordering}
        )
        assert response.status_code == 200, (url, response.json())
    bad = superuser_client.get(url, {"updated_since": "last week"})
    assert (bad.status_code, list(bad.json())) == (400, ["updated_since"])


@pytest.mark.parametrize("url", LISTS)
def test_any_offset_is_read_in_utc_and_a_moment_out_of_range_is_a_400(superuser_client, url):
    # PostgreSQL refuses an offset beyond ±15:59 as written: schemathesis found it as a 500.
    far_offset = superuser_client.get(url, {"updated_since": "0360-08-16T01:25:33-23:52"})
    assert far_offset.status_code == 200, (url, far_offset.json())
    # The first moment of year 1 at +01:00 is before year 1 in UTC.
    too_early = superuser_client.get(url, {"updated_since": "0001-01-01T00:00:00+01:00"})
    assert (too_early.status_code, list(too_early.json())) == (400, ["updated_since"])


def test_a_date_time_bound_filter_reads_any_offset_in_utc(viewer_client, mentions):
    response = viewer_client.get("/api/mentions/", {"created_after": "0360-08-16T01:25:33-23:52"})
    assert response.status_code == 200


@pytest.mark.parametrize("url", LISTS)
def test_the_schema_describes_updated_since_on_every_list(client, url):
    parameters = _schema_parameters(client, url)
    assert parameters["updated_since"]["schema"]["format"] == "date-time"
    ordering = parameters["ordering"]["schema"]
    assert "updated_at" in ordering.get("items", ordering)["enum"]


def test_updated_since_lists_the_records_changed_since_in_the_order_they_changed(editor_client):
    with time_machine.travel(T1, tick=False):
        unchanged, changed, later = (OrganizationFactory() for _ in range(3))
    with time_machine.travel(T2, tick=False):
        response = editor_client.patch(f"/api/organizations/{later.pk}/", {"notes": "b"})
        assert response.status_code == 200
    with time_machine.travel(T2 + datetime.timedelta(hours=1), tick=False):
        response = editor_client.patch(f"/api/organizations/{changed.pk}/", {"notes": "a"})
        assert response.status_code == 200
    url = "/api/organizations/"
    query = {"updated_since": "2026-03-02T07:00:00Z", "ordering": "updated_at"}
    assert _ids(editor_client.get(url, query)) == [later.pk, changed.pk]
    query["ordering"] = "-updated_at"
    assert _ids(editor_client.get(url, query)) == [changed.pk, later.pk]
    assert unchanged.pk in _ids(editor_client.get(url, {"updated_since": "2026-03-01T07:00:00Z"}))


def test_a_digest_delivery_is_listed_by_updated_since_once_it_is_sent(superuser_client):
    with time_machine.travel(T1, tick=False):
        subscription_save(email="ally@example.org", frequency="daily")
    with time_machine.travel(T2, tick=False):
        [delivery_id] = digests_create_due(frequency="daily")
    url = "/api/digest-deliveries/"
    later = {"updated_since": "2026-03-02T08:00:00Z"}
    assert _ids(superuser_client.get(url, later)) == []
    with time_machine.travel(T2 + datetime.timedelta(hours=2), tick=False):
        assert digest_send(delivery_id=delivery_id) == "empty"  # written with update()
    assert _ids(superuser_client.get(url, later)) == [delivery_id]
    delivery = DigestDelivery.objects.get(pk=delivery_id)
    assert delivery.updated_at == T2 + datetime.timedelta(hours=2)
    listed = superuser_client.get(url, later).json()["results"][0]
    assert listed["updated_at"] == "2026-03-02T09:00:00Z"


def test_access_records_sync_on_their_time(superuser_client):
    from tracker.accesslog.models import AccessRecord

    with time_machine.travel(T1, tick=False):
        old = AccessRecord.objects.create(action="download", interface="admin")
    with time_machine.travel(T2, tick=False):
        new = AccessRecord.objects.create(action="download", interface="admin")
    url = "/api/access-records/"
    assert _ids(superuser_client.get(url, {"updated_since": "2026-03-02T00:00:00Z"})) == [new.pk]
    assert _ids(superuser_client.get(url, {"ordering": "updated_at"}))[:2] == [old.pk, new.pk]
    assert _ids(superuser_client.get(url, {"at_after": "2026-03-01T08:00:00Z"})) == [new.pk]
