"""A letter response's file: uploads are capped (settings.UPLOAD_MAX_BYTES) with an error on
the field, and every link to a stored file, on the response's page and on its letter's, is the
admin's download, which works (MEDIA_ROOT is never served, so the file's own URL is a 404)."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from campaigns.models import LetterResponse
from campaigns.services import letter_response_record
from tests.campaigns.factories import LetterFactory, PersonFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 the ministry's reply"
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def letter():
    letter = LetterFactory(status="sent", sent_on=datetime.date(2025, 1, 10))
    letter.recipients.add(PersonFactory(full_name="The Minister"))
    return letter


@pytest.fixture
def response(letter):
    return letter_response_record(
        letter=letter,
        person=letter.recipients.get(),
        received_on="2025-02-03",
        summary="Scanned reply.",
        file=SimpleUploadedFile("reply.pdf", PDF),
    )


@pytest.fixture
def viewer_client(viewer):
    viewer.is_staff = True
    viewer.save()
    client = Client()
    client.force_login(viewer)
    return client


def _file_links(html: str) -> set[str]:
    """Every link on the page to a stored response file, whichever way it is written."""
    hrefs = set(re.findall(r'href="([^"]*)"', html))
    return {h for h in hrefs if "letter-responses/" in h or h.endswith("/file/")}


def _download(client, page_url: str, response) -> None:
    page = client.get(page_url)
    assert page.status_code == 200
    links = _file_links(page.content.decode())
    assert links == {reverse("admin:campaigns_letterresponse_file", args=[response.pk])}
    download = client.get(links.pop())
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_the_upload_limit_is_20_mb_by_default(settings):
    assert settings.UPLOAD_MAX_BYTES == 20 * MB


@pytest.mark.parametrize("who", ["staff_client", "viewer_client"])
def test_the_file_link_on_a_responses_page_downloads_the_file(request, response, who):
    client = request.getfixturevalue(who)
    _download(
        client, reverse("admin:campaigns_letterresponse_change", args=[response.pk]), response
    )


@pytest.mark.parametrize("who", ["staff_client", "viewer_client"])
def test_the_file_link_under_the_letter_downloads_the_file(request, response, who):
    client = request.getfixturevalue(who)
    _download(client, reverse("admin:campaigns_letter_change", args=[response.letter_id]), response)


def test_a_file_over_the_limit_is_refused_on_the_response_form(staff_client, letter, settings):
    settings.UPLOAD_MAX_BYTES = 1 * MB
    page = staff_client.post(
        reverse("admin:campaigns_letterresponse_add"),
        {
            "letter": letter.pk,
            "person": letter.recipients.get().pk,
            "received_on": "2025-02-03",
            "summary": "Scanned reply.",
            "file": SimpleUploadedFile("reply.pdf", b"%" * (3 * MB // 2)),
        },
    )
    assert page.status_code == 200
    assert page.context["adminform"].form.errors["file"] == [
        "The file is 1.5 MB; the largest accepted is 1.0 MB."
    ]
    assert not LetterResponse.objects.exists()


def test_a_file_over_the_limit_is_refused_in_the_letters_inline(staff_client, letter, settings):
    settings.UPLOAD_MAX_BYTES = 1 * MB
    data = {
        "title": letter.title,
        "kind": letter.kind,
        "status": letter.status,
        "sent_on": letter.sent_on.isoformat(),
        "campaign": letter.campaign_id,
        "recipients": [letter.recipients.get().pk],
        "signatures-TOTAL_FORMS": "0",
        "signatures-INITIAL_FORMS": "0",
        "responses-TOTAL_FORMS": "1",
        "responses-INITIAL_FORMS": "0",
        "responses-0-person": letter.recipients.get().pk,
        "responses-0-received_on": "2025-02-03",
        "responses-0-summary": "Scanned reply.",
        "responses-0-file": SimpleUploadedFile("reply.pdf", b"%" * (3 * MB // 2)),
    }
    page = staff_client.post(reverse("admin:campaigns_letter_change", args=[letter.pk]), data)
    assert page.status_code == 200
    [formset] = [f for f in page.context["inline_admin_formsets"] if f.opts.model is LetterResponse]
    assert formset.formset.forms[0].errors["file"] == [
        "The file is 1.5 MB; the largest accepted is 1.0 MB."
    ]
    assert not LetterResponse.objects.exists()


def test_a_file_within_the_limit_is_stored(staff_client, letter, settings):
    settings.UPLOAD_MAX_BYTES = 1 * MB
    page = staff_client.post(
        reverse("admin:campaigns_letterresponse_add"),
        {
            "letter": letter.pk,
            "person": letter.recipients.get().pk,
            "received_on": "2025-02-03",
            "summary": "Scanned reply.",
            "file": SimpleUploadedFile("reply.pdf", b"%" * MB),
        },
    )
    assert page.status_code == 302
    assert LetterResponse.objects.get().file.size == MB
