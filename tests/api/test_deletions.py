"""GET /api/deletions/: what a syncing partner needs to drop, from the change history."""

import datetime

import pytest
import time_machine

from campaigns.services import campaign_save
from tests.campaigns.factories import OrganizationFactory
from tests.tracker.factories import CaseEventFactory, DetainedPersonFactory

pytestmark = pytest.mark.django_db

URL = "/api/deletions/"
T1 = datetime.datetime(2026, 3, 1, 7, 0, tzinfo=datetime.UTC)
T2 = datetime.datetime(2026, 3, 2, 7, 0, tzinfo=datetime.UTC)


@pytest.fixture
def deleted(editor_client):
    """An organization deleted at T1, a campaign and a case event at T2, through the API."""
    organization, campaign = OrganizationFactory(), campaign_save(name="Free them")
    event = CaseEventFactory(person=DetainedPersonFactory(), kind="hearing")
    kept = OrganizationFactory()
    with time_machine.travel(T1, tick=False):
        assert editor_client.delete(f"/api/organizations/{organization.pk}/").status_code == 204
    with time_machine.travel(T2, tick=False):
        assert editor_client.delete(f"/api/campaigns/{campaign.pk}/").status_code == 204
        assert editor_client.delete(f"/api/case-events/{event.pk}/").status_code == 204
    return {
        "organization": organization.pk,
        "campaign": campaign.pk,
        "event": event.pk,
        "kept": kept,
    }


def test_deleted_records_are_listed_with_their_type_id_and_time(viewer_client, deleted):
    response = viewer_client.get(URL)
    assert response.status_code == 200
    assert response.json() == {
        "count": 3,
        "next": None,
        "previous": None,
        "results": [
            {"type": "case-events", "id": deleted["event"], "deleted_at": "2026-03-02T07:00:00Z"},
            {"type": "campaigns", "id": deleted["campaign"], "deleted_at": "2026-03-02T07:00:00Z"},
            {
                "type": "organizations",
                "id": deleted["organization"],
                "deleted_at": "2026-03-01T07:00:00Z",
            },
        ],
    }


def test_deletions_filter_by_type_and_time_and_order_oldest_first(viewer_client, deleted):
    def listed(**params):
        response = viewer_client.get(URL, params)
        assert response.status_code == 200, response.json()
        return [(row["type"], row["id"]) for row in response.json()["results"]]

    assert listed(type="organizations") == [("organizations", deleted["organization"])]
    assert listed(type="campaigns,case-events", ordering="deleted_at") == [
        ("campaigns", deleted["campaign"]),
        ("case-events", deleted["event"]),
    ]
    assert listed(updated_since="2026-03-02T07:00:00Z", type="campaigns") == [
        ("campaigns", deleted["campaign"])
    ]
    assert listed(deleted_before="2026-03-01") == [("organizations", deleted["organization"])]
    assert listed(deleted_after="2026-03-02", ordering="updated_at") == [
        ("campaigns", deleted["campaign"]),
        ("case-events", deleted["event"]),
    ]
    assert len(listed(page_size=1)) == 1


@pytest.mark.parametrize(
    "params", [{"type": "accounts"}, {"updated_since": "soon"}, {"ordering": "id"}, {"since": "x"}]
)
def test_a_bad_or_unknown_parameter_is_a_400_naming_it(viewer_client, params):
    response = viewer_client.get(URL, params)
    assert response.status_code == 400
    assert list(response.json()) == list(params)


def test_only_the_types_the_user_may_view_are_listed(client_for, django_user_model, deleted):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(username="partner", password="x")
    user.user_permissions.add(Permission.objects.get(codename="view_campaign"))
    client = client_for(user)
    rows = client.get(URL).json()["results"]
    assert [(r["type"], r["id"]) for r in rows] == [("campaigns", deleted["campaign"])]
    refused = client.get(URL, {"type": "organizations"})
    assert refused.status_code == 403
    assert "organizations" in refused.json()["detail"]


def test_anonymous_requests_are_refused(anonymous_client):
    assert anonymous_client.get(URL).status_code == 401


def test_the_query_count_does_not_grow_with_types_or_rows(
    viewer_client, deleted, django_assert_max_num_queries
):
    for organization in OrganizationFactory.create_batch(5):
        organization.delete()
    # session/user/permissions lookups, then one count and one page over every history table
    with django_assert_max_num_queries(6):
        response = viewer_client.get(URL, {"page_size": 200})
    assert response.json()["count"] == 8
