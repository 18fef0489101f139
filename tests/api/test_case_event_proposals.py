"""/api/case-event-proposals/: what the news watch proposes, accepted or rejected by staff."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.tracker.factories import DetainedPersonFactory
from tracker.cases.models import CaseEvent, CaseEventProposal
from tracker.cases.services import case_event_record
from tracker.newswatch.models import Mention, NewsItem
from tracker.newswatch.services import mention_review

pytestmark = pytest.mark.django_db

URL = "/api/case-event-proposals/"
TITLE = "China jails prominent activists Xu Zhiyong, Ding Jiaxi for 14 and 12 years"


def mention_of(person, n=0, title=TITLE):
    item = NewsItem.objects.create(
        url=f"https://news.example.org/{n}",
        title=title,
        published_at=datetime(2023, 4, 10, 9, tzinfo=UTC),
    )
    return Mention.objects.create(news_item=item, person=person, matched_terms=[person.name])


@pytest.fixture
def xu():
    person = DetainedPersonFactory(name="Xu Zhiyong", native_name="许志永")
    case_event_record(person=person, date=date(2020, 6, 19), kind="arrested")
    return person


@pytest.fixture
def proposal(xu, editor):
    mention_review(mention=mention_of(xu), status=Mention.Status.CONFIRMED, user=editor)
    return CaseEventProposal.objects.get()


def test_confirming_a_mention_through_the_api_proposes_its_event(editor_client, xu):
    mention = mention_of(xu)

    response = editor_client.patch(f"/api/mentions/{mention.pk}/", {"status": "confirmed"})

    assert response.status_code == 200
    listed = editor_client.get(URL, {"mention": mention.pk}).json()["results"]
    assert [(p["kind"], p["date"], p["status"], p["evidence"]) for p in listed] == [
        ("sentenced", "2023-04-10", "proposed", TITLE)
    ]
    assert CaseEventProposal.objects.get().person == xu


def test_viewer_reads_proposals_but_cannot_decide(viewer_client, proposal, xu):
    listed = viewer_client.get(URL)
    assert listed.status_code == 200
    assert [p["id"] for p in listed.json()["results"]] == [proposal.pk]
    detail = viewer_client.get(f"{URL}{proposal.pk}/").json()
    assert detail == {
        "id": proposal.pk,
        "mention": proposal.mention_id,
        "person": xu.pk,
        "kind": "sentenced",
        "date": "2023-04-10",
        "date_in_text": False,
        "evidence": TITLE,
        "source_url": "https://news.example.org/0",
        "sources": [
            {
                "mention": proposal.mention_id,
                "date": "2023-04-10",
                "date_in_text": False,
                "evidence": TITLE,
                "source_url": "https://news.example.org/0",
            }
        ],
        "similar_event": None,
        "status": "proposed",
        "decided_by": None,
        "decided_at": None,
        "event": None,
        "created_at": detail["created_at"],
        "updated_at": detail["updated_at"],
    }

    for decision in ("accept", "reject"):
        response = viewer_client.post(f"{URL}{proposal.pk}/{decision}/")
        assert response.status_code == 403, decision
        assert "add case events" in response.json()["detail"]
    proposal.refresh_from_db()
    assert proposal.status == "proposed"
    assert list(xu.events.values_list("kind", flat=True)) == ["arrested"]


def test_without_credentials_or_permissions_nothing_is_read_or_decided(
    anonymous_client, nobody_client, proposal
):
    assert anonymous_client.get(URL).status_code == 401
    assert anonymous_client.post(f"{URL}{proposal.pk}/accept/").status_code == 401
    assert nobody_client.get(URL).status_code == 403
    assert nobody_client.post(f"{URL}{proposal.pk}/accept/").status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_editor_accepts_and_the_event_joins_the_timeline_once(editor_client, editor, proposal, xu):
    response = editor_client.post(f"{URL}{proposal.pk}/accept/")

    assert response.status_code == 200
    body = response.json()
    event = CaseEvent.objects.get(person=xu, kind="sentenced")
    assert (body["status"], body["decided_by"], body["event"]) == ("accepted", editor.pk, event.pk)
    assert event.source_url == "https://news.example.org/0"
    assert editor_client.get(f"/api/detained-persons/{xu.pk}/").json()["status"] == "sentenced"

    again = editor_client.post(f"{URL}{proposal.pk}/accept/")
    assert again.status_code == 200
    assert again.json()["event"] == event.pk
    assert CaseEvent.objects.filter(person=xu, kind="sentenced").count() == 1

    refused = editor_client.post(f"{URL}{proposal.pk}/reject/")
    assert refused.status_code == 400
    assert "delete the event" in str(refused.json())


def test_editor_rejects_and_the_case_stays_as_it_was(editor_client, proposal, xu):
    response = editor_client.post(f"{URL}{proposal.pk}/reject/")
    again = editor_client.post(f"{URL}{proposal.pk}/reject/")

    assert (response.status_code, again.status_code) == (200, 200)
    assert response.json()["status"] == "rejected"
    xu.refresh_from_db()
    assert xu.status == "arrested"
    assert list(xu.events.values_list("kind", flat=True)) == ["arrested"]


def test_a_proposal_of_a_dismissed_mention_cannot_be_accepted(editor_client, editor, proposal):
    mention_review(mention=proposal.mention, status=Mention.Status.DISMISSED, user=editor)

    response = editor_client.post(f"{URL}{proposal.pk}/accept/")

    assert response.status_code == 400
    assert "no longer confirmed" in str(response.json())
    assert not CaseEvent.objects.filter(kind="sentenced").exists()


def test_decisions_are_posted_not_fetched(editor_client, proposal):
    assert editor_client.get(f"{URL}{proposal.pk}/accept/").status_code == 405
    assert editor_client.post(f"{URL}999999/accept/").status_code == 404


def test_the_list_filters_by_status_and_person(editor_client, editor, xu):
    ding = DetainedPersonFactory(name="Ding Jiaxi", native_name="丁家喜")
    for n, person in enumerate([xu, ding]):
        mention_review(mention=mention_of(person, n), status="confirmed", user=editor)
    xu_proposal = CaseEventProposal.objects.get(person=xu)
    editor_client.post(f"{URL}{xu_proposal.pk}/reject/")

    def ids(**query):
        return {p["id"] for p in editor_client.get(URL, query).json()["results"]}

    ding_proposal = CaseEventProposal.objects.get(person=ding)
    assert ids(status="proposed") == {ding_proposal.pk}
    assert ids(status="proposed,rejected") == {ding_proposal.pk, xu_proposal.pk}
    assert ids(person=xu.pk) == {xu_proposal.pk}
    assert editor_client.get(URL, {"status": "maybe"}).status_code == 400


def test_the_list_takes_as_many_queries_for_many_proposals_as_for_one(editor_client, editor):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert editor_client.get(URL).status_code == 200
        return len(captured)

    people = [DetainedPersonFactory(name=name) for name in ("Xu Zhiyong", "Ding Jiaxi")]
    mention_review(mention=mention_of(people[0], 0), status="confirmed", user=editor)
    one = queries()
    mention_review(mention=mention_of(people[1], 1), status="confirmed", user=editor)
    assert CaseEventProposal.objects.count() == 2
    assert queries() == one
