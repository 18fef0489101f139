"""The morning email of each staff member's tasks due and overdue, sent once a day at most.

The same guarantees as the digests (tracker/digests/sending.py, README "Reliability"):

- `reminders_create_due` makes a pending TaskReminder per staff member who has open tasks due
  by `day` and has not turned the email off; unique per (user, day), so a second run makes
  nothing new, and a day with nothing due makes no reminder and sends nothing.
- `reminder_send` claims one with a compare-and-set update and a lease, fixes its message on
  the first attempt (stored on the reminder with the tasks it lists), sends it, and records it
  sent: two workers, or a task run twice, send one message; a resend after a crash is the
  identical message with the same Message-ID. A staff member who turns the email off (or whose
  account is deactivated) before it is claimed is sent nothing.
"""

from datetime import date, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from config.batching import chunks
from tracker.digests.email import message_content, message_from_content, site_domain
from tracker.digests.sending import CLAIM_LEASE, MAX_ATTEMPTS, REQUEUE_AFTER
from tracker.workspace.models import Task, TaskReminder
from tracker.workspace.reminder_links import make_token
from tracker.workspace.selectors import tasks_due_for

_DONE = (TaskReminder.Status.SENT, TaskReminder.Status.EMPTY)


def _recipients():
    """Staff who get the morning email: active, with an address, and not turned off."""
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .exclude(email="")
        .exclude(staff_preference__task_reminders=False)
    )


def _of_recipients() -> Q:
    # `user_id IN (SELECT ...)`, not a join, so that the compare-and-set holds on PostgreSQL
    # (see tracker.digests.sending._of_active_subscriptions).
    return Q(user__in=_recipients().values("pk"))


def reminders_create_due(*, day: date) -> list[int]:
    """The ids of the reminders to send for `day`: one per staff member with open tasks due by
    then. A fixed number of statements however many staff: who has tasks due, one batched
    insert (the unique (user, day) skips those made already), one read, one update putting
    the failed back to pending."""
    due = Task.objects.due_by(day).filter(assignee=OuterRef("pk"))
    users = list(_recipients().filter(Exists(due)).order_by("pk").values_list("pk", flat=True))
    if not users:
        return []
    TaskReminder.objects.bulk_create(
        [TaskReminder(user_id=pk, day=day) for pk in users], ignore_conflicts=True
    )
    rows = list(
        TaskReminder.objects.filter(day=day, user_id__in=users)
        .exclude(status__in=_DONE)
        .order_by("user_id")
        .values_list("pk", "status")
    )
    failed = [pk for pk, status in rows if status == TaskReminder.Status.FAILED]
    for chunk in chunks(failed):
        TaskReminder.objects.filter(pk__in=chunk, status=TaskReminder.Status.FAILED).update(
            status=TaskReminder.Status.PENDING, updated_at=timezone.now()
        )
    return [pk for pk, _status in rows]


def _claim(reminder_id: int, now: datetime) -> bool:
    return bool(
        TaskReminder.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            _of_recipients(),
            pk=reminder_id,
            status=TaskReminder.Status.PENDING,
        ).update(
            claimed_until=now + CLAIM_LEASE, attempts=F("attempts") + 1, updated_at=timezone.now()
        )
    )


def stop_url(user) -> str:
    return settings.SITE_URL + reverse("workspace:task_reminders", args=[make_token(user)])


def task_url(task: Task) -> str:
    return settings.SITE_URL + reverse("admin:tracker_task_change", args=[task.pk])


def render_reminder_email(
    *, user, day: date, tasks: list[Task], reminder_id: int
) -> EmailMultiAlternatives:
    overdue = [task for task in tasks if task.due_on < day]
    today = [task for task in tasks if task.due_on >= day]
    parts = []
    if today:
        parts.append(f"{len(today)} due today")
    if overdue:
        parts.append(f"{len(overdue)} overdue")
    context = {
        "user": user,
        "day": day,
        "overdue": [(task, task_url(task)) for task in overdue],
        "today": [(task, task_url(task)) for task in today],
        "stop_url": stop_url(user),
        "tasks_url": settings.SITE_URL
        + reverse("admin:tracker_task_changelist")
        + f"?assignee__id__exact={user.pk}&done=open",
    }
    message = EmailMultiAlternatives(
        subject=f"Vigil: your tasks, {' and '.join(parts)}",
        body=render_to_string("tracker/email/task_reminder.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "Message-ID": f"<tasks-{reminder_id}@{site_domain()}>",
            "List-Unsubscribe": f"<{context['stop_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        render_to_string("tracker/email/task_reminder.html", context), "text/html"
    )
    return message


def _fix_content(reminder: TaskReminder) -> bool:
    """Build the message from the tasks open and due now, and store it with the tasks it lists;
    False (recorded as empty) when they were all done meanwhile. Runs once per reminder."""
    tasks = tasks_due_for(user_id=reminder.user_id, day=reminder.day)
    with transaction.atomic():
        if not tasks:
            TaskReminder.objects.filter(pk=reminder.pk).update(
                status=TaskReminder.Status.EMPTY, claimed_until=None, updated_at=timezone.now()
            )
            return False
        message = render_reminder_email(
            user=reminder.user, day=reminder.day, tasks=tasks, reminder_id=reminder.pk
        )
        reminder.content = message_content(message)
        reminder.message_id = message.extra_headers["Message-ID"][:300]
        reminder.save(update_fields=["content", "message_id", "updated_at"])
        reminder.tasks.set(tasks)
    return True


def reminder_send(*, reminder_id: int, now: datetime | None = None) -> str:
    """Send one reminder. Returns its new status; "held" when another attempt holds its claim;
    "skipped" when it is done, its user turned the email off, or it is gone. A failed send is
    recorded, then raised for the task to retry; a send the database could not record raises
    ReminderSentNotRecorded (record it with reminder_record_sent, without sending again)."""
    now = now or timezone.now()
    if not _claim(reminder_id, now):
        held = TaskReminder.objects.filter(
            _of_recipients(),
            pk=reminder_id,
            status=TaskReminder.Status.PENDING,
            claimed_until__gte=now,
        )
        return "held" if held.exists() else "skipped"
    reminder = TaskReminder.objects.select_related("user").get(pk=reminder_id)
    if reminder.content is None and not _fix_content(reminder):
        return TaskReminder.Status.EMPTY
    try:
        message_from_content(reminder.content).send()
    except Exception as exc:
        failed = reminder.attempts >= MAX_ATTEMPTS
        TaskReminder.objects.filter(pk=reminder.pk).update(
            status=TaskReminder.Status.FAILED if failed else TaskReminder.Status.PENDING,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            claimed_until=None,
            updated_at=timezone.now(),
        )
        raise
    try:
        reminder_record_sent(reminder_id=reminder.pk)
    except DatabaseError as exc:
        raise ReminderSentNotRecorded(reminder.pk) from exc
    return TaskReminder.Status.SENT


class ReminderSentNotRecorded(Exception):
    """The mail server accepted the reminder; the database could not record it."""

    def __init__(self, reminder_id: int) -> None:
        super().__init__(f"task reminder {reminder_id} was sent but not recorded as sent")
        self.reminder_id = reminder_id


def reminder_record_sent(*, reminder_id: int) -> None:
    """Record the reminder sent (idempotent: the first time stays); its message is dropped."""
    TaskReminder.objects.filter(pk=reminder_id).exclude(status=TaskReminder.Status.SENT).update(
        status=TaskReminder.Status.SENT,
        sent_at=timezone.now(),
        updated_at=timezone.now(),
        last_error="",
        claimed_until=None,
        content=None,
    )


def reminders_mark_queued(*, ids: list[int], now: datetime | None = None) -> None:
    now = now or timezone.now()
    for chunk in chunks(ids):
        TaskReminder.objects.filter(pk__in=chunk).update(queued_at=now)


def reminders_to_requeue(*, now: datetime | None = None) -> list[int]:
    """Pending reminders nobody holds whose task was queued over REQUEUE_AFTER ago (or never):
    their task was lost. Marked queued now by one update, then read back."""
    now = now or timezone.now()
    lapsed = Q(queued_at__isnull=True) | Q(queued_at__lt=now - REQUEUE_AFTER)
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    pending = TaskReminder.objects.filter(status=TaskReminder.Status.PENDING)
    if not pending.filter(lapsed, free, _of_recipients()).update(queued_at=now):
        return []
    return list(pending.filter(queued_at=now).order_by("pk").values_list("pk", flat=True))
