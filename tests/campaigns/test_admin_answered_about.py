"""A letter's page says whom it asked about and whom its answers covered ("Answered about 3 of
20", and who is not yet answered about); a response's form offers only the letter's persons."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from campaigns.models import Letter, LetterResponse
from campaigns.services import letter_response_record, letter_save
from tests.campaigns.factories import PersonFactory
from tests.campaigns.test_admin_letters import _letter_form
from tests.pages import text_of
from tests.tracker.factories import DetainedPersonFactory

pytestmark = pytest.mark.django_db

SENT = datetime.date(2025, 1, 10)


@pytest.fixture
def letter():
    persons = [DetainedPersonFactory(name=f"Person {i:02}", publicity="public") for i in range(20)]
    persons[5].publicity = "quiet"
    persons[5].save()
    letter = letter_save(title="The 20", status="sent", sent_on=SENT, persons=persons)
    minister = PersonFactory(full_name="A Minister")
    letter.recipients.add(minister)
    letter_response_record(
        letter=letter,
        person=minister,
        received_on=SENT + datetime.timedelta(days=3),
        summary="Three are well.",
        persons=persons[:3],
    )
    return letter


def _page(client, letter) -> str:
    response = client.get(reverse("admin:campaigns_letter_change", args=[letter.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _panel(page: str) -> str:
    start = page.index('id="answered-about"')
    return page[start : page.index("</section>", start)]


def test_a_letters_page_says_answered_about_3_of_20_and_lists_who_is_unanswered(
    staff_client, letter
):
    panel = _panel(_page(staff_client, letter))
    assert "Answered about <strong>3 of 20</strong>" in panel
    unanswered = panel[panel.index('id="unanswered"') :]
    for person in letter.persons.all():
        link = reverse("admin:tracker_detainedperson_change", args=[person.pk])
        assert (link in unanswered) == (person.name not in {"Person 00", "Person 01", "Person 02"})
    assert "Person 05</a> <span" in unanswered and "(quiet advocacy)" in unanswered
    assert unanswered.count("(quiet advocacy)") == 1


def test_a_letter_about_no_one_says_so(staff_client):
    letter = letter_save(title="General", status="sent", sent_on=SENT)
    panel = _panel(_page(staff_client, letter))
    assert "names no detained person" in panel and "Answered about" not in panel


@pytest.mark.parametrize("missing", ["view_letterresponse", "view_detainedperson"])
def test_the_answered_about_panel_needs_both_answers_and_cases(staff_user, client, letter, missing):
    codenames = [missing, missing.replace("view_", "change_")]
    staff_user.user_permissions.remove(*Permission.objects.filter(codename__in=codenames))
    client.force_login(staff_user)
    assert 'id="answered-about"' not in _page(client, letter)


def test_the_response_form_offers_only_the_persons_the_letter_is_about(staff_client, letter):
    stranger = DetainedPersonFactory(name="Not On The Letter")
    response = letter.responses.get()
    url = reverse("admin:campaigns_letterresponse_change", args=[response.pk])
    page = staff_client.get(url)
    choices = page.context["adminform"].form.fields["persons"].queryset
    assert set(choices) == set(letter.persons.all())
    inline_page = staff_client.get(reverse("admin:campaigns_letter_change", args=[letter.pk]))
    assert "Not On The Letter" not in text_of(inline_page)
    # Ticked, not added: no "add another" beside the boxes.
    assert 'id="add_id_persons"' not in page.content.decode()
    assert 'id="add_id_responses-0-persons"' not in inline_page.content.decode()
    assert 'id="add_id_recipients"' in inline_page.content.decode()  # (the letter's own)
    assert stranger.name not in [str(p) for p in choices]


def _inline_data(letter, response, persons) -> dict:
    return _letter_form(letter) | {
        "persons": [str(pk) for pk in letter.persons.values_list("pk", flat=True)],
        "responses-TOTAL_FORMS": "1",
        "responses-INITIAL_FORMS": "1",
        "responses-0-id": str(response.pk),
        "responses-0-letter": str(letter.pk),
        "responses-0-person": str(response.person_id),
        "responses-0-received_on": response.received_on.isoformat(),
        "responses-0-summary": response.summary,
        "responses-0-persons": [str(p.pk) for p in persons],
    }


def test_the_letters_page_records_whom_a_response_answers_about(staff_client, letter):
    response = letter.responses.get()
    more = list(letter.persons.order_by("name")[:5])
    data = _inline_data(letter, response, more)
    page = staff_client.post(reverse("admin:campaigns_letter_change", args=[letter.pk]), data)
    assert page.status_code == 302, page.context["errors"]
    assert set(response.persons.all()) == set(more)
    assert "5 of 20" in _panel(_page(staff_client, letter))


def test_a_response_about_a_person_the_letter_is_not_about_is_refused_on_the_letters_page(
    staff_client, letter
):
    stranger = DetainedPersonFactory(name="Not On The Letter")
    response = letter.responses.get()
    data = _inline_data(letter, response, [stranger])
    page = staff_client.post(reverse("admin:campaigns_letter_change", args=[letter.pk]), data)
    assert page.status_code == 200
    assert "persons" in page.context["inline_admin_formsets"][0].formset.errors[0]
    assert response.persons.count() == 3


def test_a_response_about_a_person_the_letter_is_not_about_is_refused_on_its_own_page(
    staff_client, letter
):
    stranger = DetainedPersonFactory(name="Not On The Letter")
    page = staff_client.post(
        reverse("admin:campaigns_letterresponse_add"),
        {
            "letter": str(letter.pk),
            "person": str(letter.recipients.get().pk),
            "received_on": "2025-02-01",
            "summary": "Replied by post.",
            "persons": [str(stranger.pk), str(letter.persons.first().pk)],
        },
    )
    assert page.status_code == 200
    assert "persons" in page.context["adminform"].form.errors
    assert LetterResponse.objects.count() == 1


def test_a_response_added_on_its_own_page_records_whom_it_answers_about(staff_client, letter):
    about = letter.persons.order_by("name").last()
    page = staff_client.post(
        reverse("admin:campaigns_letterresponse_add"),
        {
            "letter": str(letter.pk),
            "person": str(letter.recipients.get().pk),
            "received_on": "2025-02-01",
            "summary": "Replied by post.",
            "persons": [str(about.pk)],
        },
    )
    assert page.status_code == 302, page.context["adminform"].form.errors
    assert list(LetterResponse.objects.latest("id").persons.all()) == [about]
    assert Letter.objects.get(pk=letter.pk).status == "responded"
