"""The letter and campaign pages staff read: each recipient's answer and wait above a letter,
a campaign's cases, letters and totals above its form, responses recorded in the admin move
the letter's status, and their files go to staff only."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import Campaign, Letter, LetterResponse
from campaigns.services import letter_response_record
from tests.campaigns.factories import (
    CampaignFactory,
    LetterFactory,
    PersonFactory,
    SignatureFactory,
)
from tests.pages import table_rows, text_of
from tracker.workspace.demo import seed_demo

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 3, 14)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2025, 3, 14, 12, tzinfo=datetime.UTC), tick=False):
        yield TODAY


def _letter_form(letter, **fields) -> dict:
    """A letter's change form as the browser posts it, with empty inlines."""
    data = {
        "title": letter.title,
        "kind": letter.kind,
        "status": letter.status,
        "sent_on": letter.sent_on.isoformat() if letter.sent_on else "",
        "campaign": str(letter.campaign_id or ""),
        "recipients": [str(pk) for pk in letter.recipients.values_list("pk", flat=True)],
        "body": letter.body,
        "demands": letter.demands,
        "url": letter.url,
        "response_notes": letter.response_notes,
    }
    for prefix in ("responses", "signatures"):
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data | fields


def test_a_letters_page_shows_each_recipient_with_sent_answered_and_days_waiting(staff_client):
    seed_demo()
    ngos = Letter.objects.get(title__startswith="NGOs")
    page = staff_client.get(reverse("admin:campaigns_letter_change", args=[ngos.pk]))
    days = (TODAY - datetime.date(2015, 9, 9)).days
    assert table_rows(page, "recipients-status") == [
        ["Barack Obama (President of the United States)", "9 September 2015", "—", str(days)]
    ]
    senators = Letter.objects.get(title__startswith="Bipartisan")
    page = staff_client.get(reverse("admin:campaigns_letter_change", args=[senators.pk]))
    assert table_rows(page, "recipients-status") == [
        [
            "Barack Obama (President of the United States)",
            "11 August 2015",
            "25 September 2015",
            "45 (answered)",
        ]
    ]


def test_recording_a_response_on_the_letters_page_moves_it_to_responded(staff_client):
    minister = PersonFactory()
    letter = LetterFactory(status="sent", sent_on=datetime.date(2025, 1, 10))
    letter.recipients.add(minister)
    data = _letter_form(letter) | {
        "responses-TOTAL_FORMS": "1",
        "responses-0-letter": str(letter.pk),
        "responses-0-person": str(minister.pk),
        "responses-0-received_on": "2025-02-01",
        "responses-0-summary": "The minister acknowledged the letter.",
    }
    page = staff_client.post(reverse("admin:campaigns_letter_change", args=[letter.pk]), data)
    assert page.status_code == 302, page.context["errors"]
    letter.refresh_from_db()
    assert letter.status == "responded"
    assert letter.responses.get().person == minister


def test_a_response_from_both_a_person_and_an_organization_is_an_error_on_the_page(staff_client):
    minister = PersonFactory()
    letter = LetterFactory(status="sent", sent_on=datetime.date(2025, 1, 10))
    org = SignatureFactory().organization
    data = _letter_form(letter) | {
        "responses-TOTAL_FORMS": "1",
        "responses-0-letter": str(letter.pk),
        "responses-0-person": str(minister.pk),
        "responses-0-organization": str(org.pk),
        "responses-0-received_on": "2025-02-01",
        "responses-0-summary": "?",
    }
    page = staff_client.post(reverse("admin:campaigns_letter_change", args=[letter.pk]), data)
    assert page.status_code == 200
    assert "exactly one of a person or an organization" in text_of(page)
    assert not LetterResponse.objects.exists()


def test_deleting_the_last_response_on_its_admin_page_moves_the_letter_back_to_sent(
    staff_client,
):
    minister = PersonFactory()
    letter = LetterFactory(status="sent", sent_on=datetime.date(2025, 1, 10))
    response = letter_response_record(
        letter=letter, person=minister, received_on="2025-02-01", summary="."
    )
    url = reverse("admin:campaigns_letterresponse_delete", args=[response.pk])
    assert staff_client.post(url, {"post": "yes"}).status_code == 302
    letter.refresh_from_db()
    assert letter.status == "sent"
    assert not LetterResponse.objects.exists()


def test_adding_a_response_on_its_own_admin_page_moves_the_letter(staff_client):
    minister = PersonFactory()
    letter = LetterFactory(status="sent", sent_on=datetime.date(2025, 1, 10))
    page = staff_client.post(
        reverse("admin:campaigns_letterresponse_add"),
        {
            "letter": str(letter.pk),
            "person": str(minister.pk),
            "received_on": "2025-02-01",
            "summary": "Replied by post.",
        },
    )
    assert page.status_code == 302, page.context["errors"]
    letter.refresh_from_db()
    assert letter.status == "responded"


def test_a_campaigns_page_shows_its_cases_letters_and_totals(staff_client):
    seed_demo()
    campaign = Campaign.objects.get(slug="709-crackdown-lawyers")
    page = staff_client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk]))
    assert page.status_code == 200
    days = (TODAY - datetime.date(2015, 9, 9)).days
    assert table_rows(page, "campaign-totals") == [["3", "2", "2", "1", "9", "1", "1"]]
    assert table_rows(page, "campaign-cases") == [
        ["Wang Quanzhang (王全璋)", "Released", "China", "3 August 2015"],
        ["Wang Yu (王宇)", "Released on bail", "China", "9 July 2015"],
        ["Zhou Shifeng (周世锋)", "Released", "China", "10 July 2015"],
    ]
    assert table_rows(page, "campaign-letters") == [
        [
            "NGOs' open letter to President Obama ahead of Xi Jinping's state visit",
            "Sent",
            "9 September 2015",
            "9",
            "0",
            f"Barack Obama: waiting {days} days",
        ],
        [
            "Bipartisan senators' letter to President Obama on human rights in China",
            "Responded",
            "11 August 2015",
            "0",
            "1",
            "Barack Obama: answered 25 September 2015",
        ],
    ]


def _campaign_with_letters(n: int) -> Campaign:
    campaign = CampaignFactory()
    for _ in range(n):
        minister = PersonFactory()
        letter = LetterFactory(campaign=campaign, status="sent", sent_on=datetime.date(2025, 1, 1))
        letter.recipients.add(minister, PersonFactory())
        SignatureFactory(letter=letter)
        letter_response_record(letter=letter, person=minister, received_on=TODAY, summary=".")
    return campaign


def test_a_campaigns_page_takes_as_many_queries_for_many_letters_as_for_one(staff_client):
    one, many = _campaign_with_letters(1), _campaign_with_letters(15)
    counts = []
    for campaign in (one, many):
        with CaptureQueriesContext(connection) as queries:
            page = staff_client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk]))
        assert page.status_code == 200
        counts.append(len(queries))
    assert len(table_rows(page, "campaign-letters")) == 15
    assert counts[0] == counts[1]


def test_a_responses_file_is_for_staff_who_may_view_responses(
    staff_client, settings, tmp_path, django_user_model
):
    settings.MEDIA_ROOT = tmp_path
    minister = PersonFactory()
    response = letter_response_record(
        letter=LetterFactory(sent_on=datetime.date(2025, 1, 10)),
        person=minister,
        received_on="2025-02-03",
        summary="Scanned reply.",
        file=SimpleUploadedFile("reply.pdf", b"%PDF-1.4 the reply"),
    )
    url = reverse("admin:campaigns_letterresponse_file", args=[response.pk])
    download = staff_client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 the reply"
    intern = django_user_model.objects.create_user(username="intern", is_staff=True)
    intern_client = Client()
    intern_client.force_login(intern)
    assert intern_client.get(url).status_code == 403
