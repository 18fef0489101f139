"""Tasks: the rules the database keeps, the services that write them, and "my open tasks"."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.campaigns.factories import CampaignFactory, LetterFactory
from tests.tracker.factories import DetainedPersonFactory
from tests.tracker.workspace.conftest import TODAY
from tracker.models import Task
from tracker.workspace.selectors import my_open_tasks
from tracker.workspace.services import task_save, tasks_mark_done

pytestmark = pytest.mark.django_db


def due(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


def test_a_task_links_to_one_record_at_most_in_the_database_too(alice):
    with pytest.raises(ValidationError, match="one case, letter or campaign"):
        task_save(
            user=alice,
            title="Two",
            due_on=TODAY,
            letter=LetterFactory(),
            campaign=CampaignFactory(),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(
            title="Two", due_on=TODAY, person=DetainedPersonFactory(), letter=LetterFactory()
        )


def test_two_follow_ups_cannot_share_a_key_but_manual_tasks_need_none(alice):
    Task.objects.create(title="a", due_on=TODAY)
    Task.objects.create(title="b", due_on=TODAY)
    Task.objects.create(title="c", due_on=TODAY, follow_up_key="hearing:event:1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(title="d", due_on=TODAY, follow_up_key="hearing:event:1")


def test_task_save_records_the_author_and_done_by_whom(alice, bob):
    task = task_save(user=alice, title="Call", due_on=TODAY, assignee=bob)
    assert (task.created_by, task.done_at) == (alice, None)

    task = task_save(task=task, user=bob, done=True)
    assert task.done_by == bob and task.done_at is not None
    first_done = task.done_at

    task = task_save(task=task, user=alice, done=True)  # done already: who did it stays
    assert (task.done_by, task.done_at) == (bob, first_done)

    task = task_save(task=task, user=alice, done=False)
    assert (task.done_by, task.done_at) == (None, None)
    assert [v.history_user for v in task.history.order_by("history_id")] == [
        alice,
        bob,
        alice,
        alice,
    ]


def test_marking_done_twice_changes_nothing_the_second_time(alice, bob):
    tasks = [Task.objects.create(title=str(n), due_on=TODAY, assignee=bob) for n in range(3)]

    first = tasks_mark_done(tasks=tasks[:2], user=alice)
    second = tasks_mark_done(tasks=[task.pk for task in tasks], user=bob)

    assert first.done == [tasks[0].pk, tasks[1].pk] and first.already_done == []
    assert second.done == [tasks[2].pk] and second.already_done == first.done
    assert list(Task.objects.order_by("pk").values_list("done_by", flat=True)) == [
        alice.pk,
        alice.pk,
        bob.pk,
    ]
    assert Task.history.filter(history_change_reason="Marked done").count() == 3


def test_my_open_tasks_lists_overdue_then_today_then_later_and_counts_them(
    alice, bob, django_assert_num_queries
):
    later = Task.objects.create(title="later", due_on=due(3), assignee=alice)
    today = Task.objects.create(title="today", due_on=TODAY, assignee=alice)
    late = Task.objects.create(
        title="late", due_on=due(-2), assignee=alice, person=DetainedPersonFactory()
    )
    Task.objects.create(title="bob's", due_on=due(-5), assignee=bob)
    Task.objects.create(
        title="done",
        due_on=due(-1),
        assignee=alice,
        done_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC),
    )

    with django_assert_num_queries(2):
        mine = my_open_tasks(user=alice, today=TODAY)
        assert mine.tasks[0].linked is not None  # loaded with the list

    assert mine.tasks == [late, today, later]
    assert (mine.overdue, mine.due_today, mine.open) == (1, 1, 3)
