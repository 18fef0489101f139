"""Who may do what: anonymous clients, users without permissions, the Viewer and Editor groups
created by the data migration, and superusers; by token and by session."""

import pytest
from django.contrib.auth.models import Group

from campaigns.models import Campaign
from tests.api.resources import RESOURCES
from tests.campaigns.factories import CampaignFactory

pytestmark = pytest.mark.django_db

by_name = pytest.mark.parametrize("resource", RESOURCES, ids=str)


def _count(resource) -> int:
    return resource.model.objects.count()


def test_the_migration_creates_the_viewer_and_editor_groups():
    viewer = set(Group.objects.get(name="Viewer").permissions.values_list("codename", flat=True))
    editor = set(Group.objects.get(name="Editor").permissions.values_list("codename", flat=True))
    assert {"view_campaign", "view_detainedperson", "view_caseevent"} <= viewer
    assert not {c for c in viewer if not c.startswith("view_")}
    assert {"add_letter", "change_signature", "delete_detainedperson"} <= editor
    assert viewer <= editor


# --- anonymous ------------------------------------------------------------------------------


@by_name
def test_anonymous_cannot_list_or_retrieve(anonymous_client, resource):
    record = resource.make()
    for url in (resource.url, resource.detail_url(record.pk)):
        response = anonymous_client.get(url)
        assert response.status_code == 401
        assert response.json() == {"detail": "Authentication credentials were not provided."}
        assert response["WWW-Authenticate"].startswith("Token")


@by_name
def test_anonymous_cannot_create_change_or_delete(anonymous_client, resource):
    record = resource.make()
    before = _count(resource)
    assert anonymous_client.post(resource.url, resource.payload()).status_code == 401
    assert _count(resource) == before
    url = resource.detail_url(record.pk)
    assert anonymous_client.patch(url, resource.change).status_code == 401
    assert anonymous_client.put(url, resource.put_payload(record)).status_code == 401
    assert anonymous_client.delete(url).status_code == 401
    record.refresh_from_db()
    for field, value in resource.change.items():
        assert getattr(record, field) != value
    assert resource.model.objects.filter(pk=record.pk).exists()


def test_anonymous_is_refused_the_api_root_and_the_import(anonymous_client):
    assert anonymous_client.get("/api/").status_code == 401
    response = anonymous_client.post("/api/letters/1/signatures/import/", {}, format="multipart")
    assert response.status_code == 401


def test_a_wrong_token_is_refused(anonymous_client):
    anonymous_client.credentials(
        HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000"
    )
    response = anonymous_client.get("/api/campaigns/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


@pytest.mark.parametrize("scheme", ["Token", "Bearer", "bearer"])
def test_a_token_is_accepted_as_token_or_bearer(anonymous_client, viewer, scheme):
    from rest_framework.authtoken.models import Token

    key = Token.objects.create(user=viewer).key
    anonymous_client.credentials(HTTP_AUTHORIZATION=f"{scheme} {key}")
    response = anonymous_client.get("/api/campaigns/")
    assert response.status_code == 200


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Tokn 0123", "JWT abc"])
def test_another_authorization_scheme_is_refused_by_name(anonymous_client, header):
    anonymous_client.credentials(HTTP_AUTHORIZATION=header)
    response = anonymous_client.get("/api/campaigns/")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Unsupported authorization scheme: send 'Authorization: Token <key>' (or "
        "'Bearer <key>')."
    }


# --- logged in, no permission ---------------------------------------------------------------


@by_name
def test_a_user_without_permissions_cannot_even_read(nobody_client, resource):
    record = resource.make()
    for url in (resource.url, resource.detail_url(record.pk)):
        response = nobody_client.get(url)
        assert response.status_code == 403
        assert "results" not in response.json()
        assert response.json()["detail"] == "You do not have permission to perform this action."


@by_name
def test_a_user_without_permissions_cannot_create(nobody_client, resource):
    payload = resource.payload()
    before = _count(resource)
    assert nobody_client.post(resource.url, payload).status_code == 403
    assert _count(resource) == before


# --- Viewer ---------------------------------------------------------------------------------


@by_name
def test_viewer_can_list_and_retrieve(viewer_client, resource):
    record = resource.make()
    listed = viewer_client.get(resource.url)
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["results"]] == [record.pk]
    detail = viewer_client.get(resource.detail_url(record.pk))
    assert detail.status_code == 200
    assert detail.json()["id"] == record.pk
    assert {"id", "created_at", "updated_at"} <= set(detail.json())


@by_name
def test_viewer_cannot_create(viewer_client, resource):
    payload = resource.payload()
    before = _count(resource)
    response = viewer_client.post(resource.url, payload)
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to perform this action."}
    assert _count(resource) == before


@by_name
def test_viewer_cannot_change(viewer_client, resource):
    record = resource.make()
    url = resource.detail_url(record.pk)
    assert viewer_client.patch(url, resource.change).status_code == 403
    assert viewer_client.put(url, resource.put_payload(record)).status_code == 403
    record.refresh_from_db()
    for field, value in resource.change.items():
        assert getattr(record, field) != value


@by_name
def test_viewer_cannot_delete(viewer_client, resource):
    record = resource.make()
    assert viewer_client.delete(resource.detail_url(record.pk)).status_code == 403
    assert resource.model.objects.filter(pk=record.pk).exists()


def test_viewer_cannot_create_a_campaign(viewer_client):
    response = viewer_client.post("/api/campaigns/", {"name": "Free them all"})
    assert response.status_code == 403
    assert not Campaign.objects.exists()


# --- Editor ---------------------------------------------------------------------------------


@by_name
def test_editor_can_create(editor_client, resource):
    payload = resource.payload()
    before = _count(resource)
    response = editor_client.post(resource.url, payload)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert _count(resource) == before + 1
    created = resource.model.objects.get(pk=body["id"])
    assert {"id", "created_at", "updated_at"} <= set(body)
    for field, value in payload.items():
        assert body[field] == value
        stored = getattr(created, field)
        if hasattr(stored, "all"):
            assert [obj.pk for obj in stored.all()] == value
        elif hasattr(stored, "pk"):
            assert stored.pk == value
        else:
            assert str(stored) == str(value) or stored == value


@by_name
def test_editor_can_patch(editor_client, resource):
    record = resource.make()
    response = editor_client.patch(resource.detail_url(record.pk), resource.change)
    assert response.status_code == 200, response.json()
    record.refresh_from_db()
    for field, value in resource.change.items():
        assert response.json()[field] == value
        assert getattr(record, field) == value


@by_name
def test_editor_can_put(editor_client, resource):
    record = resource.make()
    payload = resource.put_payload(record)
    response = editor_client.put(resource.detail_url(record.pk), payload)
    assert response.status_code == 200, response.json()
    assert response.json() | payload == response.json()
    assert response.json()["id"] == record.pk
    record.refresh_from_db()
    for field, value in resource.change.items():
        assert getattr(record, field) == value


@by_name
def test_editor_can_delete(editor_client, resource):
    record = resource.make()
    response = editor_client.delete(resource.detail_url(record.pk))
    assert response.status_code == 204
    assert not resource.model.objects.filter(pk=record.pk).exists()


def test_editor_logged_in_with_a_session_can_create_a_campaign(session_editor_client):
    response = session_editor_client.post("/api/campaigns/", {"name": "Free Gao Yu"})
    assert response.status_code == 201
    assert Campaign.objects.get().slug == "free-gao-yu"


def test_edits_through_the_api_are_recorded_in_history_under_the_editor(editor_client, editor):
    campaign = CampaignFactory(status="active")
    response = editor_client.patch(f"/api/campaigns/{campaign.pk}/", {"status": "won"})
    assert response.status_code == 200
    latest = campaign.history.first()
    assert latest.status == "won"
    assert latest.history_user == editor


# --- superuser ------------------------------------------------------------------------------


@by_name
def test_superuser_can_do_everything_without_any_group(superuser_client, superuser, resource):
    assert not superuser.groups.exists()
    record = resource.make()
    assert superuser_client.get(resource.url).status_code == 200
    assert superuser_client.post(resource.url, resource.payload()).status_code == 201
    assert superuser_client.patch(resource.detail_url(record.pk), resource.change).status_code == (
        200
    )
    assert superuser_client.delete(resource.detail_url(record.pk)).status_code == 204
    assert not resource.model.objects.filter(pk=record.pk).exists()
