"""Several articles on one event make one proposal with several sources: the same kind for the
same person within a few days (CaseEventProposal.SAME_EVENT_WITHIN). When the timeline has such
an event already, the proposal says so, and accepting it adds its source to that event."""

import itertools
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from tests.tracker.factories import DetainedPersonFactory
from tracker.cases.models import CaseEvent, CaseEventProposal
from tracker.cases.services import (
    case_event_proposal_accept,
    case_event_proposal_reject,
    case_event_record,
)
from tracker.newswatch.models import Mention, NewsItem
from tracker.newswatch.services import mention_review

pytestmark = pytest.mark.django_db

Status = CaseEventProposal.Status
_numbers = itertools.count()

ENGLISH = "Chinese rights lawyer Wang Quanzhang goes on trial on December 26 in Tianjin"
CHINESE_TITLE = "人权律师王全璋案在天津开庭"
CHINESE = "王全璋案12月26日在天津市第二中级人民法院不公开开庭审理。"


@pytest.fixture
def wang():
    person = DetainedPersonFactory(name="Wang Quanzhang", native_name="王全璋")
    case_event_record(person=person, date=date(2015, 8, 3), kind="detained")
    return person


def confirmed(person, title, user, summary="", published=datetime(2018, 12, 27, 2, tzinfo=UTC)):
    n = next(_numbers)
    item = NewsItem.objects.create(
        url=f"https://news.example.org/{n}",
        title=title,
        summary=summary,
        published_at=published,
        publisher=f"Publisher {n}",
    )
    mention = Mention.objects.create(news_item=item, person=person, matched_terms=[person.name])
    return mention_review(mention=mention, status=Mention.Status.CONFIRMED, user=user)


def _sources(proposal) -> list[tuple[int, date, str]]:
    return [(s.mention_id, s.date, s.evidence) for s in proposal.other_sources.order_by("pk")]


def test_two_articles_on_one_trial_make_one_proposal_with_both_sources(wang, staff_user):
    english = confirmed(wang, ENGLISH, staff_user)
    chinese = confirmed(wang, CHINESE_TITLE, staff_user, summary=CHINESE)

    proposal = CaseEventProposal.objects.get()
    assert (proposal.mention, proposal.kind, proposal.date) == (
        english,
        "on_trial",
        date(2018, 12, 26),
    )
    assert _sources(proposal) == [(chinese.pk, date(2018, 12, 26), CHINESE)]

    case_event_proposal_accept(proposal=proposal, user=staff_user)

    (trial,) = wang.events.filter(kind="on_trial")
    assert trial.date == date(2018, 12, 26)
    assert trial.source_url == english.news_item.url
    assert ENGLISH in trial.description
    assert CHINESE in trial.description and chinese.news_item.url in trial.description


def test_a_later_source_with_a_written_date_corrects_a_date_taken_from_publication(
    wang, staff_user
):
    undated = confirmed(wang, "Wang Quanzhang goes on trial", staff_user)  # published 12-27
    chinese = confirmed(wang, CHINESE_TITLE, staff_user, summary=CHINESE)

    proposal = CaseEventProposal.objects.get()
    assert (proposal.date, proposal.date_in_text) == (date(2018, 12, 26), True)
    # The article that writes the date comes first; each source keeps its own date.
    assert (proposal.mention, proposal.evidence) == (chinese, CHINESE)
    assert _sources(proposal) == [(undated.pk, date(2018, 12, 27), "Wang Quanzhang goes on trial")]
    assert proposal.history.count() == 2  # the correction is audited


def test_the_same_kind_days_apart_beyond_the_window_is_another_proposal(wang, staff_user):
    confirmed(wang, ENGLISH, staff_user)
    confirmed(
        wang,
        "Wang Quanzhang goes on trial again",
        staff_user,
        published=datetime(2019, 1, 10, 2, tzinfo=UTC),
    )

    assert sorted(CaseEventProposal.objects.values_list("date", flat=True)) == [
        date(2018, 12, 26),
        date(2019, 1, 10),
    ]


def test_an_article_on_an_event_already_accepted_says_so_and_accepting_adds_its_source(
    wang, staff_user
):
    confirmed(wang, ENGLISH, staff_user)
    first = CaseEventProposal.objects.get()
    case_event_proposal_accept(proposal=first, user=staff_user)
    trial = wang.events.get(kind="on_trial")

    # Dated by its publication (12-27), a day after the trial on the timeline.
    late = confirmed(wang, "Wang Quanzhang stands trial", staff_user)

    second = CaseEventProposal.objects.get(mention=late)
    assert (second.status, second.date, second.similar_event) == (
        Status.PROPOSED,
        date(2018, 12, 27),
        trial,
    )

    accepted = case_event_proposal_accept(proposal=second, user=staff_user)

    assert accepted.event == trial
    assert list(wang.events.filter(kind="on_trial")) == [trial]  # no second trial
    trial.refresh_from_db()
    assert trial.date == date(2018, 12, 26)
    assert "Wang Quanzhang stands trial" in trial.description
    assert late.news_item.url in trial.description


def test_two_pending_proposals_of_one_event_make_one_event_however_accepted(wang, staff_user):
    # Proposals made before they were merged: accepting both still makes one event.
    a = confirmed(wang, ENGLISH, staff_user)
    b = confirmed(wang, "Wang Quanzhang stands trial", staff_user)
    first = CaseEventProposal.objects.get(mention=a)
    first.other_sources.all().delete()
    second = CaseEventProposal.objects.create(
        mention=b,
        person=wang,
        kind="on_trial",
        date=date(2018, 12, 27),
        evidence="Wang Quanzhang stands trial",
        source_url=b.news_item.url,
    )

    case_event_proposal_accept(proposal=first, user=staff_user)
    case_event_proposal_accept(proposal=second, user=staff_user)

    assert wang.events.filter(kind="on_trial").count() == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.event == first.event


def test_reading_a_source_again_adds_nothing(wang, staff_user):
    confirmed(wang, ENGLISH, staff_user)
    chinese = confirmed(wang, CHINESE_TITLE, staff_user, summary=CHINESE)

    mention_review(mention=chinese, status=Mention.Status.CONFIRMED, user=staff_user)
    from tracker.cases.services import case_event_proposals_for_mention

    assert case_event_proposals_for_mention(mention=chinese) == []
    assert CaseEventProposal.objects.get().other_sources.count() == 1


def test_dismissing_a_source_removes_it_and_dismissing_the_first_hands_over_to_the_next(
    wang, staff_user
):
    english = confirmed(wang, ENGLISH, staff_user)
    chinese = confirmed(wang, CHINESE_TITLE, staff_user, summary=CHINESE)
    third = confirmed(wang, "Wang Quanzhang stands trial", staff_user)
    proposal = CaseEventProposal.objects.get()
    assert proposal.other_sources.count() == 2

    mention_review(mention=chinese, status=Mention.Status.DISMISSED, user=staff_user)
    proposal.refresh_from_db()
    assert [s.mention for s in proposal.other_sources.all()] == [third]

    mention_review(mention=english, status=Mention.Status.DISMISSED, user=staff_user)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.mention, proposal.source_url) == (
        Status.PROPOSED,
        third,
        third.news_item.url,
    )
    assert proposal.evidence == "Wang Quanzhang stands trial"
    assert not proposal.other_sources.exists()

    mention_review(mention=third, status=Mention.Status.DISMISSED, user=staff_user)
    proposal.refresh_from_db()
    assert proposal.status == Status.REJECTED


def test_a_rejected_proposal_takes_no_more_sources(wang, staff_user):
    confirmed(wang, ENGLISH, staff_user)
    case_event_proposal_reject(proposal=CaseEventProposal.objects.get(), user=staff_user)

    confirmed(wang, CHINESE_TITLE, staff_user, summary=CHINESE)

    assert sorted(CaseEventProposal.objects.values_list("status", flat=True)) == [
        Status.PROPOSED,
        Status.REJECTED,
    ]


def test_the_api_lists_every_source_and_the_like_event(wang, staff_user, editor_client):
    english = confirmed(wang, ENGLISH, staff_user)
    chinese = confirmed(wang, CHINESE_TITLE, staff_user, summary=CHINESE)
    proposal = CaseEventProposal.objects.get()

    data = editor_client.get(f"/api/case-event-proposals/{proposal.pk}/").json()

    assert [(s["mention"], s["date"], s["source_url"]) for s in data["sources"]] == [
        (english.pk, "2018-12-26", english.news_item.url),
        (chinese.pk, "2018-12-26", chinese.news_item.url),
    ]
    assert data["sources"][1]["evidence"] == CHINESE
    assert data["similar_event"] is None

    case_event_proposal_accept(proposal=proposal, user=staff_user)
    late = confirmed(wang, "Wang Quanzhang stands trial", staff_user)
    later = CaseEventProposal.objects.get(mention=late)
    data = editor_client.get(f"/api/case-event-proposals/{later.pk}/").json()
    trial = CaseEvent.objects.get(kind="on_trial")
    assert data["similar_event"] == {"id": trial.pk, "kind": "on_trial", "date": "2018-12-26"}


def test_the_admin_pages_show_every_source_and_the_like_event(wang, staff_user, staff_client):
    english = confirmed(wang, ENGLISH, staff_user)
    chinese = confirmed(wang, CHINESE_TITLE, staff_user, summary=CHINESE)

    for url in (
        reverse("admin:tracker_detainedperson_change", args=[wang.pk]),
        reverse("admin:tracker_caseeventproposal_changelist"),
        reverse("admin:tracker_mention_change", args=[chinese.pk]),
    ):
        page = staff_client.get(url).content.decode()
        assert f'href="{english.news_item.url}"' in page, url
        assert f'href="{chinese.news_item.url}"' in page, url

    case_event_proposal_accept(proposal=CaseEventProposal.objects.get(), user=staff_user)
    confirmed(wang, "Wang Quanzhang stands trial", staff_user)
    page = staff_client.get(
        reverse("admin:tracker_detainedperson_change", args=[wang.pk])
    ).content.decode()
    assert "An event like this is on the timeline on 26 December 2018" in page


def test_the_api_finds_a_proposal_by_any_of_its_mentions(wang, staff_user, editor_client):
    english = confirmed(wang, ENGLISH, staff_user)
    chinese = confirmed(wang, CHINESE_TITLE, staff_user, summary=CHINESE)
    proposal = CaseEventProposal.objects.get()

    for mention in (english, chinese):
        listed = editor_client.get("/api/case-event-proposals/", {"mention": mention.pk}).json()
        assert [p["id"] for p in listed["results"]] == [proposal.pk], mention


def test_an_event_recorded_after_the_proposal_is_named_as_the_like_event(wang, staff_user):
    confirmed(wang, "Wang Quanzhang stands trial", staff_user)  # published 12-27
    proposal = CaseEventProposal.objects.get()
    assert proposal.similar_event is None

    trial = case_event_record(person=wang, date=date(2018, 12, 26), kind="on_trial")

    proposal.refresh_from_db()
    assert proposal.similar_event == trial
    case_event_proposal_accept(proposal=proposal, user=staff_user)
    assert list(wang.events.filter(kind="on_trial")) == [trial]
