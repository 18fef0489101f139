"""Many at once (#20 §7): add cases to a campaign, assign an officer, confirm or dismiss
mentions. In the admin each is an action with a confirmation page, then one service call; the
API's bulk endpoints call the same services. An Editor may, a Viewer may not; every change is
in the records' History under who made it, and in the admin's log."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from campaigns.models import Campaign
from tests.campaigns.factories import CampaignFactory
from tests.tracker.factories import DetainedPersonFactory
from tracker.cases.models import CaseOfficer
from tracker.newswatch.models import Mention, NewsItem

pytestmark = pytest.mark.django_db

CASES = reverse("admin:tracker_detainedperson_changelist")
MENTIONS = reverse("admin:tracker_mention_changelist")


@pytest.fixture
def editor_admin(client, editor):
    editor.is_staff = True
    editor.save()
    client.force_login(editor)
    return client


@pytest.fixture
def viewer_admin(client, viewer):
    viewer.is_staff = True
    viewer.save()
    client.force_login(viewer)
    return client


@pytest.fixture
def ana(django_user_model):
    return django_user_model.objects.create_user(username="ana", password="x", is_staff=True)


def _mentions(n):
    people = [DetainedPersonFactory(name=f"Person {i}") for i in range(n)]
    return [
        Mention.objects.create(
            news_item=NewsItem.objects.create(
                url=f"https://news.example.org/{i}", title=f"Person {i} in court"
            ),
            person=person,
            matched_terms=[person.name],
        )
        for i, person in enumerate(people)
    ]


# --- The admin -----------------------------------------------------------------------------------


def test_adding_cases_to_a_campaign_asks_first_then_adds_them_all_and_logs_it(editor_admin, editor):
    campaign = CampaignFactory(name="Free the 20")
    first, second = DetainedPersonFactory(), DetainedPersonFactory()
    choose = {"action": "add_to_campaign", "_selected_action": [first.pk, second.pk]}

    page = editor_admin.post(CASES, choose)

    assert page.status_code == 200
    html = page.content.decode()
    assert "Add cases to a campaign" in html and first.name in html and second.name in html
    assert not campaign.detained_persons.exists()  # nothing yet

    response = editor_admin.post(CASES, {**choose, "campaign": campaign.pk, "apply": "1"})

    assert response.status_code == 302
    assert set(campaign.detained_persons.all()) == {first, second}
    latest = campaign.history.first()
    assert (latest.history_user, latest.history_change_reason) == (editor, "Added 2 cases")
    logged = LogEntry.objects.filter(user=editor).values_list("object_repr", flat=True)
    assert set(logged) == {first.name, second.name, "Free the 20"}


def test_the_campaign_page_says_what_is_missing_and_changes_nothing(editor_admin):
    person = DetainedPersonFactory()
    response = editor_admin.post(
        CASES, {"action": "add_to_campaign", "_selected_action": [person.pk], "apply": "1"}
    )
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Campaign.objects.filter(detained_persons=person).exists()


def test_assigning_an_officer_asks_first_then_makes_them_lead_of_each_case(
    editor_admin, editor, ana
):
    first, second = DetainedPersonFactory(), DetainedPersonFactory()
    choose = {"action": "assign_officer", "_selected_action": [first.pk, second.pk]}

    page = editor_admin.post(CASES, choose)
    assert page.status_code == 200 and "Assign a case officer" in page.content.decode()
    assert not CaseOfficer.objects.exists()

    response = editor_admin.post(CASES, {**choose, "user": ana.pk, "lead": "on", "apply": "1"})

    assert response.status_code == 302
    links = CaseOfficer.objects.filter(user=ana, is_lead=True)
    assert {link.person for link in links} == {first, second}
    assert {link.history.get().history_user for link in links} == {editor}
    assert LogEntry.objects.filter(user=editor).count() == 2


def test_confirming_mentions_asks_first_then_reviews_each_as_one_at_a_time(editor_admin, editor):
    first, second = _mentions(2)
    choose = {"action": "confirm", "_selected_action": [first.pk, second.pk]}

    page = editor_admin.post(MENTIONS, choose)
    assert page.status_code == 200 and "Mark mentions confirmed" in page.content.decode()
    assert set(Mention.objects.values_list("status", flat=True)) == {"new"}

    response = editor_admin.post(MENTIONS, {**choose, "apply": "1"})

    assert response.status_code == 302
    for mention in (first, second):
        mention.refresh_from_db()
        assert (mention.status, mention.reviewed_by) == ("confirmed", editor)
        assert mention.history.first().history_user == editor
    assert LogEntry.objects.filter(user=editor).count() == 2


def test_a_viewer_is_offered_none_of_the_bulk_actions_and_cannot_post_them(viewer_admin, ana):
    person = DetainedPersonFactory()
    campaign = CampaignFactory()
    (mention,) = _mentions(1)
    for url, action, extra in [
        (CASES, "add_to_campaign", {"campaign": campaign.pk}),
        (CASES, "assign_officer", {"user": ana.pk}),
        (MENTIONS, "confirm", {}),
        (MENTIONS, "dismiss", {}),
    ]:
        offered = viewer_admin.get(url).context["action_form"]  # None: no action at all
        assert offered is None or action not in dict(offered.fields["action"].choices)
        target = mention if url == MENTIONS else person
        viewer_admin.post(
            url, {"action": action, "_selected_action": [target.pk], "apply": "1", **extra}
        )
    assert not campaign.detained_persons.exists()
    assert not CaseOfficer.objects.exists()
    mention.refresh_from_db()
    assert mention.status == "new"
