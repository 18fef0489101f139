"""Proposed events in the admin: one click to accept or reject, on the mention's page, on the
case's page and in their own list; only for those who may add case events."""

from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from config.roles import VIEWER
from tests.tracker.factories import DetainedPersonFactory
from tracker.cases.models import CaseEventProposal
from tracker.cases.services import case_event_record
from tracker.newswatch.models import Mention, NewsItem
from tracker.newswatch.services import mention_review

pytestmark = pytest.mark.django_db

TITLE = "Chinese #MeToo journalist Huang Xueqin sentenced to five years for subversion"


@pytest.fixture
def huang():
    person = DetainedPersonFactory(name="Huang Xueqin", native_name="黄雪琴")
    case_event_record(person=person, date=date(2021, 9, 19), kind="detained")
    return person


@pytest.fixture
def proposal(huang, staff_user):
    item = NewsItem.objects.create(
        url="https://news.example.org/huang",
        title=TITLE,
        published_at=datetime(2024, 6, 14, 8, tzinfo=UTC),
    )
    mention = Mention.objects.create(news_item=item, person=huang, matched_terms=["Huang Xueqin"])
    mention_review(mention=mention, status=Mention.Status.CONFIRMED, user=staff_user)
    return CaseEventProposal.objects.get()


@pytest.fixture
def viewer_staff_client(django_user_model):
    user = django_user_model.objects.create_user(username="volunteer", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=VIEWER))
    client = Client()
    client.force_login(user)
    return client


def accept_url(proposal):
    return reverse("admin:tracker_caseeventproposal_accept", args=[proposal.pk])


def reject_url(proposal):
    return reverse("admin:tracker_caseeventproposal_reject", args=[proposal.pk])


def test_the_mention_page_shows_the_proposal_with_buttons_and_accept_puts_it_on_the_timeline(
    staff_client, proposal, huang
):
    page_url = reverse("admin:tracker_mention_change", args=[proposal.mention_id])
    page = staff_client.get(page_url).content.decode()
    assert "Sentenced" in page and "2024-06-14" in page
    assert f'formaction="{accept_url(proposal)}?next=' in page
    assert f'formaction="{reject_url(proposal)}?next=' in page

    response = staff_client.post(f"{accept_url(proposal)}?next={page_url}")

    assert response.status_code == 302
    assert response["Location"] == page_url
    huang.refresh_from_db()
    assert huang.status == "sentenced"
    assert huang.events.get(kind="sentenced").date == date(2024, 6, 14)
    proposal.refresh_from_db()
    assert proposal.status == "accepted"
    page = staff_client.get(page_url).content.decode()
    assert f'formaction="{accept_url(proposal)}' not in page
    assert "Accepted by researcher" in page


def test_the_case_page_lists_the_pending_proposals_and_reject_leaves_the_case_alone(
    staff_client, proposal, huang
):
    page_url = reverse("admin:tracker_detainedperson_change", args=[huang.pk])
    page = staff_client.get(page_url).content.decode()
    assert "Events proposed from the news" in page
    assert TITLE in page
    assert f'formaction="{reject_url(proposal)}?next=' in page

    response = staff_client.post(f"{reject_url(proposal)}?next={page_url}", follow=True)

    assert "rejected" in response.content.decode()
    huang.refresh_from_db()
    assert huang.status == "detained"
    assert list(huang.events.values_list("kind", flat=True)) == ["detained"]
    assert "formaction" not in staff_client.get(page_url).content.decode()  # none pending


def test_the_buttons_need_the_pages_csrf_token(staff_user, proposal):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    page = client.get(reverse("admin:tracker_mention_change", args=[proposal.mention_id]))
    token = page.context["csrf_token"]

    assert client.post(accept_url(proposal)).status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "proposed"
    assert client.post(accept_url(proposal), {"csrfmiddlewaretoken": token}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "accepted"


def test_a_viewer_sees_proposals_without_buttons_and_cannot_decide(
    viewer_staff_client, proposal, huang
):
    page = viewer_staff_client.get(
        reverse("admin:tracker_mention_change", args=[proposal.mention_id])
    ).content.decode()
    assert "Sentenced" in page
    assert "formaction" not in page
    listing = viewer_staff_client.get(reverse("admin:tracker_caseeventproposal_changelist"))
    assert listing.status_code == 200
    assert "formaction" not in listing.content.decode()

    for url in (accept_url(proposal), reject_url(proposal)):
        assert viewer_staff_client.post(url).status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "proposed"
    huang.refresh_from_db()
    assert huang.status == "detained"


def test_a_decision_is_never_made_by_following_a_link(staff_client, proposal):
    assert staff_client.get(accept_url(proposal)).status_code == 405
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_next_must_stay_on_this_site(staff_client, proposal):
    response = staff_client.post(f"{accept_url(proposal)}?next=https://evil.example/")
    assert response["Location"] == reverse("admin:tracker_caseeventproposal_changelist")


def test_the_proposal_list_filters_by_status_and_decides_from_the_row(
    staff_client, proposal, huang
):
    changelist = reverse("admin:tracker_caseeventproposal_changelist")
    pending = staff_client.get(changelist, {"status__exact": "proposed"})
    assert [p.pk for p in pending.context["cl"].result_list] == [proposal.pk]
    assert f'formaction="{accept_url(proposal)}?next=' in pending.content.decode()
    assert (
        staff_client.get(changelist, {"status__exact": "accepted"}).context["cl"].result_count == 0
    )

    staff_client.post(
        changelist,
        {"action": "accept_selected", "_selected_action": [proposal.pk]},
    )

    huang.refresh_from_db()
    assert huang.status == "sentenced"
    assert (
        staff_client.get(changelist, {"status__exact": "accepted"}).context["cl"].result_count == 1
    )


def test_confirming_in_the_review_queue_points_to_the_events_it_proposed(staff_client, huang):
    item = NewsItem.objects.create(
        url="https://news.example.org/huang-2",
        title=TITLE,
        published_at=datetime(2024, 6, 14, tzinfo=UTC),
    )
    mention = Mention.objects.create(news_item=item, person=huang, matched_terms=["Huang Xueqin"])

    response = staff_client.post(
        reverse("admin:tracker_mention_changelist"),
        {"action": "confirm", "_selected_action": [mention.pk]},
        follow=True,
    )

    page = response.content.decode()
    assert "1 event proposed from these articles" in page
    proposals = reverse("admin:tracker_caseeventproposal_changelist")
    assert f'<a href="{proposals}?status__exact=proposed">accept or reject it</a>' in page
    assert CaseEventProposal.objects.get().mention == mention
    huang.refresh_from_db()
    assert huang.status == "detained"
