"""/api/tasks/: the same rules as the admin, through the API client."""

import datetime

import pytest
from django.urls import reverse

from tests.campaigns.factories import CampaignFactory, LetterFactory
from tests.tracker.factories import DetainedPersonFactory
from tests.tracker.workspace.conftest import TODAY
from tracker.models import Task

pytestmark = pytest.mark.django_db

URL = "/api/tasks/"
BULK = "/api/tasks/bulk/done/"


def task(user, *, due_in=0, **fields):
    return Task.objects.create(
        title="Write to the embassy",
        assignee=user,
        due_on=TODAY + datetime.timedelta(days=due_in),
        **fields,
    )


def test_an_editor_adds_a_task_about_a_case_and_is_recorded_as_its_author(editor, editor_client):
    editor.is_staff = True
    editor.save()
    person = DetainedPersonFactory()

    response = editor_client.post(
        URL,
        {
            "title": "Call the family",
            "due_on": "2026-12-03",
            "assignee": editor.pk,
            "person": person.pk,
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["done"] is False and body["origin"] == "manual" and body["created_by"] == editor.pk
    saved = Task.objects.get(pk=body["id"])
    assert (saved.person, saved.created_by, saved.assignee) == (person, editor, editor)
    assert saved.history.get().history_user == editor


def test_a_task_linked_to_two_records_is_a_400(editor_client):
    response = editor_client.post(
        URL,
        {
            "title": "Both",
            "due_on": "2026-12-03",
            "letter": LetterFactory().pk,
            "campaign": CampaignFactory().pk,
        },
        format="json",
    )

    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert not Task.objects.exists()


def test_patching_done_marks_it_done_by_the_caller(editor, editor_client):
    editor.is_staff = True  # an assignee is a staff member
    editor.save()
    mine = task(editor)

    response = editor_client.patch(f"{URL}{mine.pk}/", {"done": True}, format="json")

    assert response.status_code == 200
    assert response.json()["done"] is True and response.json()["done_by"] == editor.pk
    mine.refresh_from_db()
    assert mine.done_by == editor and mine.done_at is not None


def test_the_list_filters_by_me_done_dates_and_record(editor, viewer, editor_client):
    person = DetainedPersonFactory()
    mine = task(editor, due_in=-1, person=person)
    task(viewer, due_in=0)
    done = task(editor, due_in=5, done_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC))

    def ids(query):
        response = editor_client.get(URL + query)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids("?assignee=me&done=false") == [mine.pk]
    assert ids("?assignee=me&done=true") == [done.pk]
    assert ids(f"?assignee={viewer.pk}") != []
    assert ids("?due_before=2026-11-30") == [mine.pk]
    assert ids(f"?person={person.pk}") == [mine.pk]
    assert editor_client.get(URL + "?assignee=someone").status_code == 400
    assert editor_client.get(URL + "?done=maybe").status_code == 400


def test_bulk_done_marks_the_open_ones_and_leaves_the_done_ones(editor, viewer, editor_client):
    first, second = task(editor), task(viewer)
    earlier = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
    done = task(viewer, done_at=earlier, done_by=viewer)

    response = editor_client.post(BULK, {"tasks": [first.pk, second.pk, done.pk]}, format="json")

    assert response.status_code == 200
    assert response.json() == {"done": [first.pk, second.pk], "already_done": [done.pk]}
    assert set(Task.objects.filter(done_by=editor).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    done.refresh_from_db()
    assert (done.done_by, done.done_at) == (viewer, earlier)
    # Audited: a History row naming who marked each.
    assert first.history.latest().history_user == editor
    assert first.history.latest().history_change_reason == "Marked done"

    again = editor_client.post(BULK, {"tasks": [first.pk]}, format="json")
    assert again.json() == {"done": [], "already_done": [first.pk]}


def test_bulk_done_with_an_unknown_id_is_a_400_and_marks_nothing(editor, editor_client):
    mine = task(editor)

    response = editor_client.post(BULK, {"tasks": [mine.pk, 999999]}, format="json")

    assert response.status_code == 400
    assert "999999" in str(response.json()["tasks"])
    assert Task.objects.get(pk=mine.pk).done_at is None


def test_a_viewer_reads_tasks_but_may_not_mark_them_done(viewer, viewer_client):
    mine = task(viewer)

    assert viewer_client.get(URL).status_code == 200
    assert viewer_client.post(BULK, {"tasks": [mine.pk]}, format="json").status_code == 403
    assert viewer_client.patch(f"{URL}{mine.pk}/", {"done": True}, format="json").status_code == 403
    assert Task.objects.get(pk=mine.pk).done_at is None


def test_someone_without_permissions_sees_no_tasks(nobody_client):
    assert nobody_client.get(URL).status_code == 403


def test_the_router_names_the_endpoint():
    assert reverse("task-list") == URL
    assert reverse("task-bulk-done") == BULK
