"""Issue 18 §6: each export from the admin is in the access log with the changelist's filters
and search, the columns written and the number of rows; each file download too."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import BooleanField
from django.urls import reverse

from campaigns.models import Signature
from campaigns.services import letter_response_record
from tests.campaigns.factories import (
    LetterFactory,
    OrganizationFactory,
    PersonFactory,
    SignatureFactory,
)
from tracker.accesslog.models import AccessRecord

pytestmark = pytest.mark.django_db

OFFICE = "203.0.113.7"


def exports():
    return AccessRecord.objects.filter(action=AccessRecord.Action.EXPORT).order_by("id")


def downloads():
    return AccessRecord.objects.filter(action=AccessRecord.Action.DOWNLOAD)


def export(client, url: str, columns: list[str] | None = None):
    """The export page as a browser uses it: open it (with the changelist's query string),
    keep the format, tick `columns` only (default: those ticked already), and post it."""
    form = client.get(url).context["form"]
    data = {"format": "0", "resource": "0"}
    for name, field in form.fields.items():
        if not isinstance(field, BooleanField):  # the columns are "<resource>_<column>"
            continue
        column = name.split("_", 1)[1]
        if form[name].value() if columns is None else column in columns:
            data[name] = "on"
    return client.post(url, data, REMOTE_ADDR=OFFICE)


def test_an_export_of_signatures_records_its_filters_search_columns_and_rows(
    staff_client, staff_user
):
    letter = LetterFactory(title="Free the 20")
    SignatureFactory(letter=letter, organization=OrganizationFactory(name="PEN America"))
    SignatureFactory(letter=letter, organization=OrganizationFactory(name="PEN Canada"))
    SignatureFactory(letter=letter, organization=OrganizationFactory(name="Amnesty"))
    SignatureFactory(organization=OrganizationFactory(name="PEN Norway"))  # another letter
    url = reverse("admin:campaigns_signature_export") + f"?letter__id__exact={letter.pk}&q=PEN"

    response = export(staff_client, url, columns=["letter_title", "organization"])

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "letter_title,organization"
    assert len(lines) == 3  # PEN America and PEN Canada, of that letter only
    [record] = exports()
    assert (record.user, record.username, record.ip_address) == (staff_user, "researcher", OFFICE)
    assert (record.interface, record.model) == ("admin", "campaigns.signature")
    assert record.details == {
        "format": "csv",
        "filters": {"letter__id__exact": str(letter.pk)},
        "search": "PEN",
        "columns": ["letter_title", "organization"],
        "rows": 2,
    }


def test_an_unfiltered_export_records_every_row_and_column(staff_client):
    SignatureFactory.create_batch(3)
    response = export(staff_client, reverse("admin:campaigns_signature_export"))
    assert response.status_code == 200
    [record] = exports()
    assert (record.details["filters"], record.details["search"]) == ({}, "")
    assert record.details["rows"] == Signature.objects.count() == 3
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert record.details["columns"] == header.split(",")


def test_opening_the_export_page_without_exporting_records_nothing(staff_client):
    assert staff_client.get(reverse("admin:campaigns_signature_export")).status_code == 200
    assert not exports().exists()


def test_exports_of_organizations_and_detained_persons_are_recorded_too(staff_client):
    OrganizationFactory(name="PEN America")
    export(staff_client, reverse("admin:campaigns_organization_export") + "?q=PEN")
    export(staff_client, reverse("admin:tracker_detainedperson_export"))
    assert [(r.model, r.details["search"], r.details["rows"]) for r in exports()] == [
        ("campaigns.organization", "PEN", 1),
        ("tracker.detainedperson", "", 0),
    ]


def test_a_letter_responses_file_download_is_recorded(staff_client, staff_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = letter_response_record(
        letter=LetterFactory(sent_on=datetime.date(2025, 1, 10)),
        person=PersonFactory(),
        received_on="2025-02-03",
        summary="Scanned reply.",
        file=SimpleUploadedFile("reply.pdf", b"%PDF-1.4 the reply"),
    )
    url = reverse("admin:campaigns_letterresponse_file", args=[response.pk])
    download = staff_client.get(url, REMOTE_ADDR=OFFICE)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 the reply"
    [record] = downloads()
    assert (record.user, record.ip_address, record.interface) == (staff_user, OFFICE, "admin")
    assert (record.model, record.object_id) == ("campaigns.letterresponse", str(response.pk))
    assert record.object_repr == str(response)
    assert record.details == {"file": "reply.pdf"}


def test_a_refused_or_missing_download_records_nothing(staff_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = letter_response_record(
        letter=LetterFactory(sent_on=datetime.date(2025, 1, 10)),
        person=PersonFactory(),
        received_on="2025-02-03",
        summary="Scanned reply.",
        file=SimpleUploadedFile("reply.pdf", b"%PDF-1.4 the reply"),
    )
    (tmp_path / response.file.name).unlink()
    url = reverse("admin:campaigns_letterresponse_file", args=[response.pk])
    assert staff_client.get(url).status_code == 404
    assert not downloads().exists()
