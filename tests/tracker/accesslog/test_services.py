"""The access log's services, as the lead's restricted-field pages and a future case-file
download will call them: from an admin request or an API request (token or session)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from tests.tracker.factories import DetainedPersonFactory
from tracker.accesslog.models import AccessRecord
from tracker.accesslog.services import access_record, record_download, record_restricted_view

pytestmark = pytest.mark.django_db


def test_a_view_of_restricted_fields_through_the_api_records_the_token_user_and_the_record(
    staff_user,
):
    person = DetainedPersonFactory(name="Gao Yu")
    token = Token.objects.create(user=staff_user)
    raw = APIRequestFactory().get(
        f"/api/detained-persons/{person.pk}/",
        HTTP_AUTHORIZATION=f"Token {token.key}",
        REMOTE_ADDR="2001:db8::7",
    )
    request = Request(raw, authenticators=[TokenAuthentication()])

    record = record_restricted_view(
        request=request, interface="api", obj=person, fields=["family_contact", "health"]
    )

    record.refresh_from_db()
    assert (record.user, record.username, record.ip_address) == (
        staff_user,
        "researcher",
        "2001:db8::7",
    )
    assert (record.action, record.interface) == ("restricted_view", "api")
    assert (record.model, record.object_id, record.object_repr) == (
        "tracker.detainedperson",
        str(person.pk),
        str(person),
    )
    assert record.details == {"fields": ["family_contact", "health"]}


def test_a_download_defaults_to_the_admin_and_names_the_file(rf, staff_user):
    person = DetainedPersonFactory()
    request = rf.get("/admin/", REMOTE_ADDR="203.0.113.7")
    request.user = staff_user
    record = record_download(request=request, obj=person, file_name="case-file.pdf")
    assert (record.action, record.interface, record.details) == (
        "download",
        "admin",
        {"file": "case-file.pdf"},
    )


def test_whatever_was_typed_and_wherever_it_came_from_is_recorded_without_failing(rf):
    request = rf.post("/admin/login/", REMOTE_ADDR="unix:/run/gunicorn.sock")
    request.user = AnonymousUser()
    record = access_record(
        request=request,
        action=AccessRecord.Action.SIGN_IN_FAILED,
        interface="admin",
        username="x" * 5000,
    )
    record.refresh_from_db()
    assert record.ip_address is None
    assert len(record.username) == 150 and record.user is None


def test_a_record_reads_as_a_sentence(rf, staff_user):
    request = rf.get("/")
    request.user = staff_user
    person = DetainedPersonFactory(name="Gao Yu")
    record = record_restricted_view(request=request, interface="admin", obj=person, fields=[])
    assert str(record).endswith("researcher: View of restricted fields of Gao Yu")
