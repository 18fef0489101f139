"""Issue 18 §6: administrators read the access log in the admin and through the API, filtered
by user, model, record and date; nobody changes or deletes a record there, superusers
included; the Viewer and Editor roles cannot read it."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.test import Client
from django.urls import reverse

from config.roles import CASE_OFFICER, EDITOR, VIEWER
from tests.campaigns.factories import SignatureFactory
from tracker.accesslog.models import AccessRecord
from tracker.accesslog.services import access_record, record_export, record_restricted_view

pytestmark = pytest.mark.django_db

API = "/api/access-records/"
WHEN = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def log(rf, staff_user, superuser):
    """A sign-in, a failed one, an export and a view of restricted fields, by two users."""
    request = rf.get("/admin/", REMOTE_ADDR="203.0.113.7")
    request.user = staff_user
    signature = SignatureFactory()
    anonymous = rf.post("/admin/login/", REMOTE_ADDR="198.51.100.23")
    anonymous.user = AnonymousUser()
    made = {
        "sign_in": access_record(
            request=request, action="sign_in", interface="admin", user=staff_user
        ),
        "failed": access_record(
            request=anonymous, action="sign_in_failed", interface="admin", username="mallory"
        ),
        "export": record_export(
            request=request,
            interface="admin",
            model=type(signature),
            filters={"letter__id__exact": "3"},
            search="PEN",
            columns=["organization"],
            rows=2,
            file_format="csv",
        ),
        "view": record_restricted_view(
            request=request, interface="api", obj=signature, fields=["note"]
        ),
    }
    request.user = superuser
    made["root"] = access_record(request=request, action="sign_in", interface="admin")
    AccessRecord.objects.filter(pk=made["failed"].pk).update(at=WHEN)
    return made


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the admin ----------------------------------------------------------------------------


def test_a_superuser_reads_the_log_in_the_admin_and_filters_it(superuser, log):
    client = _logged_in(superuser)
    changelist = reverse("admin:tracker_accessrecord_changelist")
    page = client.get(changelist)
    assert page.status_code == 200
    assert "mallory" in page.text
    assert "2 rows as csv; filters letter__id__exact=3; search “PEN”; 1 columns" in page.text
    page = client.get(changelist, {"action__exact": "sign_in_failed"})
    assert list(page.context["cl"].result_list) == [log["failed"]]
    page = client.get(changelist, {"model": "campaigns.signature"})
    assert set(page.context["cl"].result_list) == {log["export"], log["view"]}
    page = client.get(changelist, {"q": log["view"].object_id})
    assert log["view"] in page.context["cl"].result_list
    page = client.get(
        changelist,
        {
            "at_from_0": "2026-03-02",
            "at_from_1": "00:00",
            "at_to_0": "2026-03-02",
            "at_to_1": "23:59",
        },
    )
    assert list(page.context["cl"].result_list) == [log["failed"]]
    change = client.get(reverse("admin:tracker_accessrecord_change", args=[log["export"].pk]))
    assert change.status_code == 200  # read-only
    assert 'name="_save"' not in change.text


def test_nobody_adds_changes_or_deletes_a_record_in_the_admin_not_even_a_superuser(superuser, log):
    client = _logged_in(superuser)
    record = log["export"]
    change = reverse("admin:tracker_accessrecord_change", args=[record.pk])
    delete = reverse("admin:tracker_accessrecord_delete", args=[record.pk])
    add = reverse("admin:tracker_accessrecord_add")
    assert client.get(add).status_code == 403
    assert client.post(add, {"username": "forged", "action": "sign_in"}).status_code == 403
    assert client.post(change, {"username": "forged"}).status_code == 403
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:tracker_accessrecord_changelist")
    assert "delete_selected" not in client.get(changelist).text
    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    record.refresh_from_db()
    assert record.username == "researcher"
    assert AccessRecord.objects.filter(pk=record.pk).exists()


def test_the_sidebar_shows_the_log_to_superusers_only(superuser, viewer, editor, log):
    link = reverse("admin:tracker_accessrecord_changelist")
    assert link in _logged_in(superuser).get(reverse("admin:index")).text
    for user in (viewer, editor):
        user.is_staff = True
        user.save()
        client = _logged_in(user)
        assert link not in client.get(reverse("admin:index")).text
        assert client.get(link).status_code == 403


# --- the roles ------------------------------------------------------------------------------


def test_no_role_may_read_or_touch_the_log():
    for role in (VIEWER, EDITOR, CASE_OFFICER):
        codenames = set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))
        assert not {c for c in codenames if c.endswith("_accessrecord")}, role
    # ... while every other tracker record stays readable by the Viewer.
    assert "view_detainedperson" in Group.objects.get(name=VIEWER).permissions.values_list(
        "codename", flat=True
    )


def test_syncing_the_roles_again_keeps_the_log_out_of_them():
    from django.apps import apps

    from config.roles import sync_roles

    sync_roles(apps)
    for role in (VIEWER, EDITOR, CASE_OFFICER):
        codenames = Group.objects.get(name=role).permissions.values_list("codename", flat=True)
        assert "view_accessrecord" not in codenames, role


# --- the API ------------------------------------------------------------------------------


def test_a_superuser_lists_the_log_newest_first(superuser_client, log):
    response = superuser_client.get(API)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    ids = [row["id"] for row in body["results"]]
    assert ids[-1] == log["failed"].pk  # dated earlier than the rest
    export = next(row for row in body["results"] if row["id"] == log["export"].pk)
    assert export == {
        "id": log["export"].pk,
        "at": export["at"],
        "user": log["export"].user_id,
        "username": "researcher",
        "action": "export",
        "interface": "admin",
        "ip_address": "203.0.113.7",
        "model": "campaigns.signature",
        "object_id": "",
        "object_repr": "",
        "details": {
            "format": "csv",
            "filters": {"letter__id__exact": "3"},
            "search": "PEN",
            "columns": ["organization"],
            "rows": 2,
        },
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "sign_in_failed"}, ["failed"]),
        ({"action": "export,restricted_view"}, ["export", "view"]),
        ({"username": "mallory"}, ["failed"]),
        ({"model": "campaigns.signature"}, ["export", "view"]),
        ({"at_after": "2026-03-02", "at_before": "2026-03-02"}, ["failed"]),
    ],
)
def test_a_superuser_filters_the_log(superuser_client, log, query, expected):
    response = superuser_client.get(API, query)
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {log[k].pk for k in expected}


def test_the_log_filters_by_user_and_by_record(superuser_client, staff_user, log):
    by_user = superuser_client.get(API, {"user": staff_user.pk}).json()["results"]
    assert {row["id"] for row in by_user} == {log[k].pk for k in ("sign_in", "export", "view")}
    view = log["view"]
    by_record = superuser_client.get(API, {"model": view.model, "object_id": view.object_id})
    assert [row["id"] for row in by_record.json()["results"]] == [view.pk]
    assert superuser_client.get(f"{API}{view.pk}/").json()["details"] == {"fields": ["note"]}


def test_unknown_or_malformed_filters_are_400s(superuser_client, log):
    assert superuser_client.get(API, {"who": "x"}).json() == {"who": ["Unknown query parameter."]}
    assert superuser_client.get(API, {"action": "deleted"}).status_code == 400
    assert superuser_client.get(API, {"at_after": "02/03/2026"}).status_code == 400


def test_the_viewer_and_the_editor_cannot_read_the_log(viewer_client, editor_client, log):
    for client in (viewer_client, editor_client):
        assert client.get(API).status_code == 403
        assert client.get(f"{API}{log['export'].pk}/").status_code == 403


def test_nobody_writes_to_the_log_through_the_api_not_even_a_superuser(
    superuser_client, editor_client, log
):
    record = log["export"]
    detail = f"{API}{record.pk}/"
    for response in (
        superuser_client.post(API, {"username": "forged", "action": "sign_in"}, format="json"),
        superuser_client.put(detail, {"username": "forged"}, format="json"),
        superuser_client.patch(detail, {"username": "forged"}, format="json"),
        superuser_client.delete(detail),
    ):
        assert response.status_code == 405
    # Others are refused before that: they may not even read it.
    assert editor_client.delete(detail).status_code == 403
    record.refresh_from_db()
    assert record.username == "researcher"
    assert AccessRecord.objects.count() == 5
