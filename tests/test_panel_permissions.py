"""The dashboard and a case's page show each panel only to those who may view what it shows.

A role may be given the cases alone (tracker.view_detainedperson): it must not read the letters
about them, their answers, the news, the proposed events or the failing sources there."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, Letter, LetterResponse, Person
from tracker.models import (
    CaseEvent,
    CaseEventProposal,
    DetainedPerson,
    Mention,
    NewsItem,
    NewsSource,
)

pytestmark = pytest.mark.django_db

# What each panel shows, and the permission it needs.
CAMPAIGN = "Free the Beijing Lawyers"
LETTER = "Appeal to the Procurator"
RESPONSE = "The procuratorate acknowledged receipt"
CONFIRMED_NEWS = "Court confirms the trial date of Lin"
NEW_NEWS = "Lawyer barred from seeing Lin"
PROPOSAL = "She will be tried on 3 March, her lawyer said."
FAILING_SOURCE = "Rights Feed That Fails"
UPCOMING = "Appeal hearing in Beijing"

SHOWN_WITH = {
    CAMPAIGN: "campaigns.view_campaign",
    LETTER: "campaigns.view_letter",
    RESPONSE: "campaigns.view_letterresponse",
    CONFIRMED_NEWS: "tracker.view_mention",
    NEW_NEWS: "tracker.view_mention",
    PROPOSAL: "tracker.view_caseeventproposal",
    FAILING_SOURCE: "tracker.view_newssource",
    UPCOMING: "tracker.view_caseevent",
}


def ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def case():
    person = DetainedPerson.objects.create(
        name="Lin Qiuyue", country="CN", status="detained", detained_on=ago(200)
    )
    CaseEvent.objects.create(
        person=person, date=ago(-5), kind=CaseEvent.Kind.HEARING, description=UPCOMING
    )
    campaign = Campaign.objects.create(name=CAMPAIGN, slug="free-lin")
    campaign.detained_persons.add(person)
    letter = Letter.objects.create(title=LETTER, campaign=campaign, status="sent", sent_on=ago(60))
    official = Person.objects.create(full_name="Chief Procurator")
    other = Person.objects.create(full_name="Minister of Justice")
    letter.recipients.set([official, other])  # the minister has not answered: still waiting
    LetterResponse.objects.create(
        letter=letter, person=official, received_on=ago(10), summary=RESPONSE
    )
    confirmed = NewsItem.objects.create(url="https://news.example.org/1", title=CONFIRMED_NEWS)
    new = NewsItem.objects.create(url="https://news.example.org/2", title=NEW_NEWS)
    Mention.objects.create(news_item=confirmed, person=person, status=Mention.Status.CONFIRMED)
    mention = Mention.objects.create(news_item=new, person=person, status=Mention.Status.NEW)
    CaseEventProposal.objects.create(
        mention=mention,
        person=person,
        kind=CaseEvent.Kind.HEARING,
        date=ago(-30),
        evidence=PROPOSAL,
        source_url=new.url,
    )
    NewsSource.objects.create(
        name=FAILING_SOURCE,
        url="https://feed.example.org/rss",
        last_status=NewsSource.LastStatus.FAILED,
        consecutive_failures=3,
    )
    return person


def _client_with(client, django_user_model, *perms):
    user = django_user_model.objects.create_user("casework", password="x", is_staff=True)
    user.user_permissions.set(
        Permission.objects.get(content_type__app_label=p.split(".")[0], codename=p.split(".")[1])
        for p in ("tracker.view_detainedperson", *perms)
    )
    client.force_login(user)
    return client


def _dashboard(client) -> str:
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response.content.decode()


def _case_page(client, person) -> str:
    response = client.get(reverse("admin:tracker_detainedperson_change", args=[person.pk]))
    assert response.status_code == 200
    return response.content.decode()


ON_THE_DASHBOARD = [LETTER, NEW_NEWS, FAILING_SOURCE, UPCOMING]
ON_THE_CASE_PAGE = [CAMPAIGN, LETTER, RESPONSE, CONFIRMED_NEWS, NEW_NEWS, PROPOSAL, UPCOMING]


def test_a_role_that_may_view_only_cases_sees_only_cases_on_the_dashboard(
    client, django_user_model, case
):
    page = _dashboard(_client_with(client, django_user_model))
    assert "Lin Qiuyue" in page  # the cases' panels are there
    assert [text for text in ON_THE_DASHBOARD if text in page] == []
    for hidden in ["mentions to review", "letters unanswered", "news sources failing"]:
        assert hidden not in page
    for panel in [
        "News mentions to review",
        "Letters waiting for an answer",
        "News mentions per week",
    ]:
        assert panel not in page


@pytest.mark.parametrize("text", ON_THE_DASHBOARD)
def test_each_dashboard_panel_shows_with_the_permission_of_what_it_shows(
    client, django_user_model, case, text
):
    page = _dashboard(_client_with(client, django_user_model, SHOWN_WITH[text]))
    assert text in page
    assert [t for t in ON_THE_DASHBOARD if t != text and t in page] == []


def test_a_role_that_may_view_only_cases_sees_only_the_case_on_its_page(
    client, django_user_model, case
):
    page = _case_page(_client_with(client, django_user_model), case)
    assert "Lin Qiuyue" in page
    assert [text for text in ON_THE_CASE_PAGE if text in page] == []


@pytest.mark.parametrize("text", ON_THE_CASE_PAGE)
def test_each_case_page_panel_shows_with_the_permission_of_what_it_shows(
    client, django_user_model, case, text
):
    perms = [SHOWN_WITH[text]]
    if text == RESPONSE:  # an answer is shown under its letter
        perms.append(SHOWN_WITH[LETTER])
    page = _case_page(_client_with(client, django_user_model, *perms), case)
    assert text in page
    # A proposed event cites the article it was read in.
    cited = [NEW_NEWS] if text == PROPOSAL else []
    others = [t for t in ON_THE_CASE_PAGE if t not in [text, *cited] and SHOWN_WITH[t] not in perms]
    assert [t for t in others if t in page] == []


# --- A campaign's page: its cases, its letters, their signatures and answers -------------------


def _campaign_page(client, django_user_model, *perms) -> str:
    name = f"campaigner{django_user_model.objects.count()}"
    user = django_user_model.objects.create_user(name, password="x", is_staff=True)
    user.user_permissions.set(
        Permission.objects.get(content_type__app_label=p.split(".")[0], codename=p.split(".")[1])
        for p in ("campaigns.view_campaign", *perms)
    )
    client.force_login(user)
    campaign = Campaign.objects.get(name=CAMPAIGN)
    response = client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_role_that_may_view_only_campaigns_reads_no_case_or_letter_on_a_campaigns_page(
    client, django_user_model, case
):
    page = _campaign_page(client, django_user_model)
    assert CAMPAIGN in page
    for text in ["Lin Qiuyue", LETTER, "Chief Procurator", "answered", "Signatures"]:
        assert text not in page, text


def test_a_campaigns_page_shows_its_cases_to_those_who_may_view_cases(
    client, django_user_model, case
):
    page = _campaign_page(client, django_user_model, "tracker.view_detainedperson")
    assert "Lin Qiuyue" in page
    assert LETTER not in page


def test_a_campaigns_page_shows_its_letters_and_their_answers_with_each_permission(
    client, django_user_model, case
):
    page = _campaign_page(client, django_user_model, "campaigns.view_letter")
    assert LETTER in page
    assert "Lin Qiuyue" not in page and "answered" not in page and "Signatures" not in page
    page = _campaign_page(
        client,
        django_user_model,
        "campaigns.view_letter",
        "campaigns.view_letterresponse",
        "campaigns.view_signature",
    )
    assert "Chief Procurator: answered" in page and "Signatures" in page


def test_a_letters_page_shows_its_recipients_answers_only_to_those_who_may_view_answers(
    client, django_user_model, case
):
    letter = Letter.objects.get(title=LETTER)
    url = reverse("admin:campaigns_letter_change", args=[letter.pk])
    user = django_user_model.objects.create_user("writer", password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_letter"))
    client.force_login(user)
    page = client.get(url).content.decode()
    assert LETTER in page
    assert 'id="recipients-status"' not in page
    user.user_permissions.add(Permission.objects.get(codename="view_letterresponse"))
    user = django_user_model.objects.get(pk=user.pk)  # permissions are cached on the object
    client.force_login(user)
    page = client.get(url).content.decode()
    assert 'id="recipients-status"' in page and RESPONSE in page
