"""Two requests creating the same unique record at the same moment: one wins, the other gets a
clear 409, never a 500 (PostgreSQL, where both really run at once; and on any database when
the database itself refuses a clash that validation let through)."""

import threading
from unittest import mock

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from tests.concurrency import at_once, wait_for_another_session_to_wait_for_a_lock
from tracker.cases.services import detained_person_save
from tracker.models import Mention, NewsItem, NewsSource, Subscription
from tracker.newswatch.api.views import MentionViewSet

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrency")
def test_simultaneous_duplicate_subscriptions_give_one_201_and_one_409(django_user_model):
    user = django_user_model.objects.create_superuser("racer", "", "x")
    for attempt in range(5):
        email = f"race{attempt}@example.org"

        def create(email=email):
            client = APIClient()  # one each: a test client is not shared between threads
            client.force_authenticate(user)
            data = {"email": email, "frequency": "daily"}
            return client.post("/api/subscriptions/", data, format="json").status_code

        statuses = at_once(create, create)
        assert sorted(statuses) in ([201, 400], [201, 409]), statuses
        assert Subscription.objects.filter(email=email).count() == 1


def test_a_unique_clash_refused_by_the_database_is_a_409(superuser_client):
    """The moment the race test aims at, made certain: full_clean()'s uniqueness check finds
    nothing (as when the other request commits just after it), then the INSERT fails."""
    body = {"email": "clash@example.org", "frequency": "daily"}
    assert superuser_client.post("/api/subscriptions/", body).status_code == 201
    superuser_client.raise_request_exception = False  # a 500 as a response, not an exception
    with mock.patch.object(Subscription, "validate_constraints", autospec=True) as precheck:
        response = superuser_client.post("/api/subscriptions/", body)
    assert precheck.called
    assert response.status_code == 409, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "This conflicts with a record saved at the same moment; reload and retry."
    }
    assert Subscription.objects.filter(email="clash@example.org").count() == 1


def test_a_database_refusal_that_is_no_unique_clash_stays_a_500(superuser_client):
    """A check constraint that validation let through is a bug, not a race to retry."""
    superuser_client.raise_request_exception = False
    # A search URL without {query}: newssource_search_url_has_query refuses it. (A field
    # bound, such as poll_interval_minutes >= 1, is checked by the serializer before any
    # model validation, so it cannot get this far.) clean() and the constraint check would
    # say so first; both are switched off.
    body = {"name": "Search", "kind": "gdelt", "url": "http://93.184.216.34/search"}
    with (
        mock.patch.object(NewsSource, "validate_constraints", autospec=True) as precheck,
        mock.patch.object(NewsSource, "clean", autospec=True) as clean,
    ):
        response = superuser_client.post("/api/news-sources/", body)
    assert precheck.called and clean.called
    assert response.status_code == 500, response.content[:300]
    assert not NewsSource.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrency")
def test_two_staff_confirming_a_mention_at_once_record_one_review(django_user_model):
    from tracker.cases.services import detained_person_save
    from tracker.models import Mention, NewsItem
    from tracker.newswatch.services import mention_review

    person = detained_person_save(name="Wang Fang")
    staff = [django_user_model.objects.create_user(f"staff{n}", "", "x") for n in range(2)]
    for attempt in range(5):
        item = NewsItem.objects.create(url=f"https://news.example.org/{attempt}", title="Wang Fang")
        mention = Mention.objects.create(news_item=item, person=person, matched_terms=["Wang Fang"])

        def confirm(user, mention=mention):
            return mention_review(mention=mention, status="confirmed", user=user).reviewed_by_id

        reviewers = at_once(*(lambda user=user: confirm(user) for user in staff))

        mention.refresh_from_db()
        assert reviewers[0] == reviewers[1] == mention.reviewed_by_id  # both see the one review
        assert mention.history.count() == 2  # created, then confirmed once


def _mention(n: int = 0) -> Mention:
    person = detained_person_save(name=f"Wang Fang {n}")
    item = NewsItem.objects.create(url=f"https://news.example.org/{n}", title=person.name)
    return Mention.objects.create(news_item=item, person=person, matched_terms=[person.name])


def test_a_mention_deleted_after_it_was_read_for_a_review_is_a_404(superuser_client):
    """The moment the next test aims at, made certain: the review request has read the
    mention, then another request deletes it, before the review locks it."""
    mention = _mention()
    read = MentionViewSet.get_object

    def read_then_deleted_elsewhere(view):
        found = read(view)
        Mention.objects.filter(pk=found.pk).delete()
        return found

    superuser_client.raise_request_exception = False
    with mock.patch.object(MentionViewSet, "get_object", read_then_deleted_elsewhere):
        response = superuser_client.patch(
            f"/api/mentions/{mention.pk}/", {"status": "confirmed"}, format="json"
        )
    assert response.status_code == 404, response.content[:300]
    assert response.json() == {"detail": "This mention has just been deleted."}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrency")
def test_a_review_waiting_on_a_mention_being_deleted_is_a_404(django_user_model):
    user = django_user_model.objects.create_superuser("reviewer", "", "x")
    mention = _mention()
    locked = threading.Event()

    def delete() -> str:
        with transaction.atomic():
            Mention.objects.select_for_update().get(pk=mention.pk)
            locked.set()
            # Meanwhile the review reads the mention, then waits for its lock.
            wait_for_another_session_to_wait_for_a_lock()
            Mention.objects.filter(pk=mention.pk).delete()
        return "deleted"

    def review() -> tuple[int, dict]:
        assert locked.wait(10)
        client = APIClient()
        client.force_authenticate(user)
        response = client.patch(f"/api/mentions/{mention.pk}/", {"status": "confirmed"})
        return response.status_code, response.json()

    deleted, (status, body) = at_once(delete, review)
    assert (deleted, status) == ("deleted", 404)
    assert body == {"detail": "This mention has just been deleted."}
