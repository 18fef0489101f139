"""A confirmed mention's article proposes case events; staff accept or reject them; nothing
changes in the case until someone accepts."""

import itertools
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from tests.tracker.factories import DetainedPersonFactory
from tracker.cases.models import CaseEvent, CaseEventProposal
from tracker.cases.services import (
    case_event_proposal_accept,
    case_event_proposal_reject,
    case_event_proposals_for_mention,
    case_event_record,
)
from tracker.newswatch.models import Mention, NewsItem
from tracker.newswatch.services import mention_review

pytestmark = pytest.mark.django_db

Status = CaseEventProposal.Status
_numbers = itertools.count()

JAILED = "China jails prominent activists Xu Zhiyong, Ding Jiaxi for 14 and 12 years"


@pytest.fixture
def xu():
    person = DetainedPersonFactory(name="Xu Zhiyong", native_name="许志永")
    case_event_record(person=person, date=date(2020, 6, 19), kind="arrested")
    return person


def mention_of(person, title, summary="", published=datetime(2023, 4, 10, 9, tzinfo=UTC)):
    item = NewsItem.objects.create(
        url=f"https://news.example.org/{next(_numbers)}",
        title=title,
        summary=summary,
        published_at=published,
        publisher="Reuters",
    )
    return Mention.objects.create(news_item=item, person=person, matched_terms=[person.name])


def confirmed(person, title, user, **kwargs):
    mention = mention_of(person, title, **kwargs)
    return mention_review(mention=mention, status=Mention.Status.CONFIRMED, user=user)


def test_confirming_a_mention_proposes_the_event_its_article_reports_and_changes_nothing(
    xu, staff_user
):
    mention = mention_of(xu, JAILED)
    assert not CaseEventProposal.objects.exists()  # found, not yet confirmed: nothing

    mention_review(mention=mention, status=Mention.Status.CONFIRMED, user=staff_user)

    proposal = CaseEventProposal.objects.get()
    assert (proposal.mention, proposal.person, proposal.kind, proposal.date) == (
        mention,
        xu,
        CaseEvent.Kind.SENTENCED,
        date(2023, 4, 10),
    )
    assert proposal.evidence == JAILED
    assert proposal.source_url == mention.news_item.url
    assert (proposal.status, proposal.decided_by, proposal.event) == (Status.PROPOSED, None, None)
    xu.refresh_from_db()
    assert xu.status == "arrested"
    assert list(xu.events.values_list("kind", flat=True)) == ["arrested"]


def test_accepting_puts_the_event_on_the_timeline_with_the_article_and_moves_the_status(
    xu, staff_user
):
    mention = confirmed(xu, JAILED, staff_user)
    proposal = CaseEventProposal.objects.get()

    accepted = case_event_proposal_accept(proposal=proposal, user=staff_user)

    event = xu.events.get(kind="sentenced")
    assert event.date == date(2023, 4, 10)
    assert event.source_url == mention.news_item.url
    assert event.description == f"From the news (Reuters): {JAILED}"
    xu.refresh_from_db()
    assert xu.status == "sentenced"
    assert (accepted.status, accepted.decided_by, accepted.event) == (
        Status.ACCEPTED,
        staff_user,
        event,
    )
    assert accepted.decided_at is not None
    # Audited: who proposed nothing (the news watch), who accepted it.
    assert [(h.status, h.history_user) for h in accepted.history.order_by("history_id")] == [
        (Status.PROPOSED, None),
        (Status.ACCEPTED, staff_user),
    ]


def test_accepting_twice_records_one_event(xu, staff_user, editor):
    confirmed(xu, JAILED, staff_user)
    proposal = CaseEventProposal.objects.get()

    case_event_proposal_accept(proposal=proposal, user=staff_user)
    again = case_event_proposal_accept(proposal=proposal, user=editor)

    assert xu.events.filter(kind="sentenced").count() == 1
    assert again.decided_by == staff_user  # the first decision stands


def test_rejecting_changes_nothing_in_the_case_and_twice_is_harmless(xu, staff_user):
    confirmed(xu, JAILED, staff_user)
    proposal = CaseEventProposal.objects.get()

    case_event_proposal_reject(proposal=proposal, user=staff_user)
    rejected = case_event_proposal_reject(proposal=proposal, user=staff_user)

    assert (rejected.status, rejected.decided_by, rejected.event) == (
        Status.REJECTED,
        staff_user,
        None,
    )
    xu.refresh_from_db()
    assert xu.status == "arrested"
    assert xu.events.count() == 1


def test_a_rejected_proposal_can_still_be_accepted_but_an_accepted_one_is_not_rejected(
    xu, staff_user
):
    confirmed(xu, JAILED, staff_user)
    proposal = CaseEventProposal.objects.get()
    case_event_proposal_reject(proposal=proposal, user=staff_user)
    case_event_proposal_accept(proposal=proposal, user=staff_user)

    with pytest.raises(ValidationError, match="delete the event"):
        case_event_proposal_reject(proposal=proposal, user=staff_user)
    proposal.refresh_from_db()
    assert proposal.status == Status.ACCEPTED
    assert xu.events.filter(kind="sentenced").count() == 1


def test_reading_the_same_article_again_proposes_nothing_new(xu, staff_user):
    mention = confirmed(xu, JAILED, staff_user)

    assert case_event_proposals_for_mention(mention=mention) == []
    mention_review(mention=mention, status=Mention.Status.CONFIRMED, user=staff_user)

    assert CaseEventProposal.objects.count() == 1


def test_dismissing_the_mention_withdraws_its_pending_proposals(xu, staff_user):
    mention = confirmed(xu, JAILED, staff_user)

    mention_review(mention=mention, status=Mention.Status.DISMISSED, user=staff_user)

    proposal = CaseEventProposal.objects.get()
    assert (proposal.status, proposal.decided_by) == (Status.REJECTED, staff_user)
    with pytest.raises(ValidationError, match="no longer confirmed"):
        case_event_proposal_accept(proposal=proposal, user=staff_user)
    # Confirmed again, the mention does not propose the same kind twice.
    mention_review(mention=mention, status=Mention.Status.CONFIRMED, user=staff_user)
    assert CaseEventProposal.objects.count() == 1


def test_an_event_the_timeline_already_has_is_not_proposed(xu, staff_user):
    case_event_record(person=xu, date=date(2023, 4, 10), kind="sentenced")

    confirmed(xu, JAILED, staff_user)

    assert not CaseEventProposal.objects.exists()


def test_an_older_event_joins_the_timeline_without_moving_the_status(staff_user):
    wang = DetainedPersonFactory(name="Wang Quanzhang", native_name="王全璋")
    case_event_record(person=wang, date=date(2020, 4, 5), kind="released")
    confirmed(
        wang,
        "王全璋案在天津市第二中级人民法院不公开开庭审理",
        staff_user,
        published=datetime(2018, 12, 26, 3, tzinfo=UTC),
    )

    proposal = CaseEventProposal.objects.get()
    case_event_proposal_accept(proposal=proposal, user=staff_user)

    assert list(wang.events.values_list("kind", "date")) == [
        ("released", date(2020, 4, 5)),
        ("on_trial", date(2018, 12, 26)),
    ]
    wang.refresh_from_db()
    assert wang.status == "released"


@pytest.mark.parametrize(
    "title",
    [
        "Xu Zhiyong's lawyer was released on bail",
        "当局拒绝释放许志永",
        "Xu Zhiyong denied release on medical parole",
    ],
)
def test_negations_and_other_peoples_news_propose_nothing(xu, staff_user, title):
    confirmed(xu, title, staff_user)

    assert not CaseEventProposal.objects.exists()


def test_a_long_article_address_goes_into_the_description(xu, staff_user):
    mention = confirmed(xu, JAILED, staff_user)
    long_url = "https://news.example.org/" + "a" * 600
    NewsItem.objects.filter(pk=mention.news_item_id).update(url=long_url)
    CaseEventProposal.objects.update(source_url=long_url)

    case_event_proposal_accept(proposal=CaseEventProposal.objects.get(), user=staff_user)

    event = xu.events.get(kind="sentenced")
    assert event.source_url == ""
    assert event.description.endswith(f"\nSource: {long_url}")
