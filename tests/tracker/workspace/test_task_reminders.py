"""Each staff member gets a morning email of their tasks due and overdue: sent once, none on a
day with nothing due, and never to someone who turned it off."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from config.celery import app
from tests.tracker.workspace.conftest import TODAY
from tracker.digests.sending import REQUEUE_AFTER
from tracker.models import StaffPreference, Task, TaskReminder
from tracker.tasks import (
    TRANSIENT_RETRIES,
    create_follow_ups,
    send_task_reminder,
    send_task_reminders,
)
from tracker.workspace.reminder_links import make_token
from tracker.workspace.reminders import reminder_send, reminders_create_due, reminders_to_requeue

pytestmark = pytest.mark.django_db


def morning() -> list[int]:
    """Beat's morning job, then a worker running each send it queued."""
    ids = send_task_reminders.apply().result
    for reminder_id in ids:
        send_task_reminder.apply(args=[reminder_id])
    return ids


def task(user, *, due_in: int, title: str = "Call the lawyer", **fields) -> Task:
    return Task.objects.create(
        title=title, assignee=user, due_on=TODAY + datetime.timedelta(days=due_in), **fields
    )


def test_the_morning_email_lists_tasks_due_today_and_overdue_not_later_or_done_ones(alice, clock):
    task(alice, due_in=0, title="Due today")
    task(alice, due_in=-3, title="Three days late")
    task(alice, due_in=1, title="Due tomorrow")
    task(alice, due_in=-1, title="Done already")
    Task.objects.filter(title="Done already").update(
        done_at=datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC)
    )

    morning()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.org"]
    assert message.subject == "Vigil: your tasks, 1 due today and 1 overdue"
    assert "Due today" in message.body and "Three days late, due 2026-11-28" in message.body
    assert "Due tomorrow" not in message.body and "Done already" not in message.body
    html = message.alternatives[0][0]
    assert "Three days late" in html
    assert "List-Unsubscribe" in message.extra_headers
    reminder = TaskReminder.objects.get()
    assert (reminder.user, reminder.day, reminder.status) == (alice, TODAY, "sent")
    assert reminder.content is None  # dropped once sent
    assert sorted(reminder.tasks.values_list("title", flat=True)) == [
        "Due today",
        "Three days late",
    ]


def test_running_the_morning_job_twice_sends_one_email(alice, clock):
    task(alice, due_in=0)

    morning()
    morning()

    assert len(mail.outbox) == 1
    assert TaskReminder.objects.count() == 1


def test_no_email_on_a_day_with_nothing_due(alice, bob, clock):
    task(alice, due_in=2)
    task(bob, due_in=-1)
    Task.objects.filter(assignee=bob).update(
        done_at=datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC)
    )

    morning()

    assert mail.outbox == []
    assert not TaskReminder.objects.exists()


def test_each_staff_member_gets_their_own_tasks_only(alice, bob, clock):
    task(alice, due_in=0, title="Alice's")
    task(bob, due_in=0, title="Bob's")

    morning()

    by_address = {message.to[0]: message.body for message in mail.outbox}
    assert "Alice's" in by_address["alice@example.org"]
    assert "Bob's" not in by_address["alice@example.org"]
    assert "Bob's" in by_address["bob@example.org"]


def test_a_staff_member_who_turned_it_off_gets_none(alice, bob, clock):
    task(alice, due_in=0)
    task(bob, due_in=0)
    StaffPreference.objects.create(user=alice, task_reminders=False)

    morning()

    assert [message.to for message in mail.outbox] == [["bob@example.org"]]


def test_turning_it_off_after_the_reminder_was_made_sends_nothing(alice, clock):
    task(alice, due_in=0)
    (reminder_id,) = reminders_create_due(day=TODAY)
    StaffPreference.objects.create(user=alice, task_reminders=False)

    assert reminder_send(reminder_id=reminder_id) == "skipped"
    assert mail.outbox == []


def test_tasks_done_before_sending_leave_an_empty_reminder_and_no_email(alice, clock):
    task(alice, due_in=0)
    (reminder_id,) = reminders_create_due(day=TODAY)
    Task.objects.update(done_at=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC))

    assert reminder_send(reminder_id=reminder_id) == "empty"
    assert mail.outbox == []


def test_a_reminder_another_worker_holds_is_not_sent_twice(alice, clock):
    task(alice, due_in=0)
    (reminder_id,) = reminders_create_due(day=TODAY)

    assert reminder_send(reminder_id=reminder_id) == "sent"
    assert reminder_send(reminder_id=reminder_id) == "skipped"
    assert len(mail.outbox) == 1


def test_a_failed_send_is_recorded_and_the_retry_sends_the_identical_message(
    alice, clock, settings
):
    task(alice, due_in=0)
    (reminder_id,) = reminders_create_due(day=TODAY)
    settings.EMAIL_BACKEND = "tests.tracker.workspace.test_task_reminders.RefusingBackend"
    with pytest.raises(OSError):
        reminder_send(reminder_id=reminder_id)
    reminder = TaskReminder.objects.get()
    assert (reminder.status, reminder.attempts) == ("pending", 1)
    assert "refused" in reminder.last_error
    stored_id = reminder.content["headers"]["Message-ID"]

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert reminder_send(reminder_id=reminder_id) == "sent"
    assert mail.outbox[0].extra_headers["Message-ID"] == stored_id


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("the mail server refused")


def test_the_link_in_the_email_asks_then_turns_it_off_and_on_again(alice, client):
    url = reverse("workspace:task_reminders", args=[make_token(alice)])

    page = client.get(url)
    assert page.status_code == 200 and "Stop these emails" in page.content.decode()
    assert not StaffPreference.objects.exists()  # GET changes nothing

    # RFC 8058 one-click, as a mail provider sends it: no cookie, no CSRF token.
    client.post(url, {"List-Unsubscribe": "One-Click"})
    assert StaffPreference.objects.get(user=alice).task_reminders is False

    client.post(url, {"reminders": "on"})
    assert StaffPreference.objects.get(user=alice).task_reminders is True


def test_a_tampered_link_is_refused(alice, client):
    token = make_token(alice)
    response = client.post(reverse("workspace:task_reminders", args=[token[:-2] + "xx"]))
    assert response.status_code == 400
    assert not StaffPreference.objects.exists()


def test_a_reminder_whose_task_was_lost_is_queued_again_by_the_sweeper(alice, clock):
    task(alice, due_in=0)
    (reminder_id,) = send_task_reminders.apply().result  # queued; the worker then loses it
    assert reminders_to_requeue() == []  # waiting its turn in the queue: left alone

    clock.shift(REQUEUE_AFTER + datetime.timedelta(seconds=1))
    assert reminders_to_requeue() == [reminder_id]
    assert reminder_send(reminder_id=reminder_id) == "sent"
    clock.shift(REQUEUE_AFTER + datetime.timedelta(seconds=1))
    assert reminders_to_requeue() == []  # sent: nothing to sweep


def test_the_sends_go_to_the_digests_queue_and_the_schedulers_to_theirs():
    def queue(name):
        return app.amqp.router.route({}, f"tracker.tasks.{name}")["queue"].name

    assert queue("send_task_reminder") == "digests"
    assert queue("send_task_reminders") == "scheduler"
    assert queue("create_follow_ups") == "scheduler"
    for each in (create_follow_ups, send_task_reminders, send_task_reminder):
        assert each.max_retries >= TRANSIENT_RETRIES
        assert each.time_limit and each.soft_time_limit
