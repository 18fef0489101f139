"""A case's page says how many letters asked about them and in how many an answer covered them
("Asked about in 4 letters, answered in 1"), to those who may view letters (and answers)."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from campaigns.services import letter_response_record, letter_save
from tests.campaigns.factories import PersonFactory
from tests.tracker.factories import DetainedPersonFactory

pytestmark = pytest.mark.django_db

SENT = datetime.date(2025, 1, 10)


@pytest.fixture
def lin():
    lin, zhao = DetainedPersonFactory(name="Lin Qiuyue"), DetainedPersonFactory(name="Zhao")
    letters = [
        letter_save(title=f"Appeal {i}", status="sent", sent_on=SENT, persons=[lin, zhao])
        for i in range(4)
    ]
    for about in ([lin], [zhao], [lin, zhao]):  # two answers about Lin, to the same letter
        letter_response_record(
            letter=letters[0] if lin in about else letters[1],
            person=PersonFactory(),
            received_on=SENT,
            summary="Noted.",
            persons=about,
        )
    return lin


def _counts(client, person) -> str:
    page = client.get(reverse("admin:tracker_detainedperson_change", args=[person.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    if 'id="vd-case-letter-counts"' not in html:
        return ""
    start = html.index('id="vd-case-letter-counts"')
    return html[start : html.index("</p>", start)]


def test_a_case_page_says_in_how_many_letters_they_were_asked_about_and_answered(staff_client, lin):
    counts = _counts(staff_client, lin)
    assert "Asked about in <strong>4 letters</strong>, answered in <strong>1</strong>." in counts


def test_a_case_no_letter_asks_about_has_no_counts(staff_client):
    assert _counts(staff_client, DetainedPersonFactory(name="Nobody")) == ""


def test_without_answers_the_case_page_gives_the_letters_only(staff_user, client, lin):
    codenames = ["view_letterresponse", "change_letterresponse"]
    staff_user.user_permissions.remove(*Permission.objects.filter(codename__in=codenames))
    client.force_login(staff_user)
    counts = _counts(client, lin)
    assert "Asked about in <strong>4 letters</strong>" in counts and "answered" not in counts


def test_without_letters_the_case_page_gives_no_counts(staff_user, client, lin):
    codenames = ["view_letter", "change_letter"]
    staff_user.user_permissions.remove(*Permission.objects.filter(codename__in=codenames))
    client.force_login(staff_user)
    assert _counts(client, lin) == ""
