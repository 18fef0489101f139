"""Reads of the staff's tasks: what the dashboard's "My work" and the morning email show."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from tracker.workspace.models import Task

MY_TASKS_LISTED = 10


def tasks_with_links():
    """Tasks with what they are about and who has them, in the same query."""
    return Task.objects.select_related("person", "letter", "campaign", "assignee")


@dataclass(frozen=True)
class MyTasks:
    """One staff member's open tasks: the first `MY_TASKS_LISTED` by due date (overdue first,
    then today's, then the coming ones), and how many are overdue, due today and open."""

    tasks: list[Task]
    overdue: int
    due_today: int
    open: int


def my_open_tasks(*, user, today: date | None = None, limit: int = MY_TASKS_LISTED) -> MyTasks:
    """`user`'s open tasks, due and overdue first: two queries (the counts; the list), served
    by the (assignee, due_on) index of open tasks."""
    today = today or timezone.localdate()
    mine = Task.objects.open().filter(assignee=user)
    counts = mine.aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        due_today=Count("pk", filter=Q(due_on=today)),
        open=Count("pk"),
    )
    tasks = list(tasks_with_links().open().filter(assignee=user).order_by("due_on", "pk")[:limit])
    return MyTasks(tasks=tasks, **counts)


def tasks_due_for(*, user_id: int, day: date) -> list[Task]:
    """A staff member's open tasks due on `day` or before it, the oldest first: what their
    morning email of `day` lists."""
    return list(tasks_with_links().due_by(day).filter(assignee_id=user_id).order_by("due_on", "pk"))
