""" "My work", at the top of the dashboard: what the signed-in staff member owns that needs them
now. Their cases with something due (at or near a legal limit, a hearing or an open task due
within HEARING_WITHIN_DAYS days), their open tasks, their letters waiting for an answer,
and the new mentions of their cases waiting for review.

Each part needs the permission to view the records it shows (config.permissions.may_view) and
is None, not read, without it. The dashboard reads my parts with its own panels, in the same
queries (tracker/workspace/dashboard.py): my cases near a limit with the cases near theirs, my
hearings with the events of the next days, my letters with the letters waiting, my mentions
with the review queue; "My work" itself reads one query, my tasks. A case is "mine" when I am
one of its officers (tracker.cases.models.CaseOfficer), lead or not; a letter when I am its
owner."""

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Q
from django.utils.translation import ngettext

from campaigns.models import Letter
from campaigns.selectors import RecipientStatus
from config.formats import staff_date
from config.permissions import may_view
from config.subqueries import count_of, nth_value
from tracker.cases.limits import CaseClock
from tracker.models import CaseEvent, DetainedPerson, Mention
from tracker.workspace.models import Task
from tracker.workspace.selectors import MY_TASKS_LISTED, MyTasks, my_open_tasks

HEARING_WITHIN_DAYS = 7
SHOWN = 10
ME = "me"  # the lists' filters take ?officer=me and ?owner=me (config.admin_filters)


def _url(changelist: str, query: str) -> str:
    from django.urls import reverse

    return f"{reverse(f'admin:{changelist}_changelist')}?{query}"


def my_cases_due(
    *,
    user,
    today: date,
    near_limit: list[CaseClock],
    hearings: list[CaseEvent] | None,
    tasks: list[Task] | None,
    mine: dict[int, bool],
) -> dict | None:
    """My cases with something due, most pressing first: each with the reasons (`due`, in
    words, with the date) and whether I am its lead. `near_limit` are my cases at or near their
    legal limit, `hearings` my cases' hearings in the next HEARING_WITHIN_DAYS days (None
    without the permission to view events) and `tasks` the open tasks about my cases due by
    then (None without the permission to view tasks), as the dashboard read them."""
    if not may_view(user, DetainedPerson):
        return None
    persons: dict[int, DetainedPerson] = {}
    due: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for clock in near_limit:
        if clock.person.pk not in mine:
            continue
        persons[clock.person.pk] = clock.person
        if clock.is_over:
            over = ngettext(
                "%d day over its legal limit", "%d days over its legal limit", clock.days_over
            )
            due[clock.person.pk].append((today, over % clock.days_over))
        elif clock.days_left == 0:
            due[clock.person.pk].append((today, "reaches its legal limit today"))
        else:
            left = ngettext("legal limit in %d day", "legal limit in %d days", clock.days_left)
            due[clock.person.pk].append((clock.limit_ends_on or today, left % clock.days_left))
    if mine and hearings is not None and may_view(user, CaseEvent):
        for event in hearings:
            persons[event.person_id] = event.person
            due[event.person_id].append((event.date, f"hearing on {staff_date(event.date)}"))
    if mine and tasks is not None and may_view(user, Task):
        # Open tasks about my cases (whoever has them) due within the same days.
        for task in tasks:
            persons[task.person_id] = task.person
            when = "overdue since" if task.due_on < today else "due"
            due[task.person_id].append(
                (task.due_on, f"task {when} {staff_date(task.due_on)}: {task.title}")
            )
    rows = [
        {
            "person": persons[pk],
            "is_lead": mine[pk],
            "due": [text for _on, text in sorted(reasons, key=lambda r: r[0])],
            "first_due": min(on for on, _text in reasons),
        }
        for pk, reasons in due.items()
    ]
    rows.sort(key=lambda row: (row["first_due"], row["person"].name))
    return {"rows": rows, "url": _url("tracker_detainedperson", f"officer={ME}")}


def _tasks(*, user, today: date, mine: dict[int, bool]) -> tuple[MyTasks, list[Task]]:
    """My open tasks (tracker.workspace.selectors.my_open_tasks: the first MY_TASKS_LISTED,
    overdue and due first, and how many are open, overdue and due today), and the open tasks
    about my cases due within HEARING_WITHIN_DAYS days, whoever has them: one query."""
    assigned = Task.objects.open().filter(assignee_id=user.pk)
    tenth = nth_value(assigned, "due_on", MY_TASKS_LISTED, default=date.max)
    soon = today + timedelta(days=HEARING_WITHIN_DAYS)
    wanted = Q(assignee_id=user.pk, due_on__lte=tenth)
    if mine:
        wanted |= Q(person_id__in=list(mine), due_on__lte=soon)
    rows = list(
        Task.objects.open()
        .filter(wanted)
        # What "My work" shows of a task, and of its case.
        .select_related("person")
        .only("title", "due_on", "assignee_id", "person__name", "person__native_name")
        .annotate(
            open_count=count_of(assigned),
            overdue_count=count_of(assigned.filter(due_on__lt=today)),
            due_today_count=count_of(assigned.filter(due_on=today)),
        )
        .order_by("due_on", "pk")
    )
    first = rows[0] if rows else None
    my_tasks = MyTasks(
        tasks=[task for task in rows if task.assignee_id == user.pk][:MY_TASKS_LISTED],
        open=first.open_count if first else 0,
        overdue=first.overdue_count if first else 0,
        due_today=first.due_today_count if first else 0,
    )
    about_mine = [task for task in rows if task.person_id in mine and task.due_on <= soon]
    return my_tasks, about_mine


def my_tasks(*, user, today: date, tasks: MyTasks | None = None) -> dict | None:
    """My open tasks, overdue and due first, with how many are open, overdue and due today
    (`tasks`, as the dashboard read them, else my_open_tasks: two queries)."""
    if user.pk is None or not may_view(user, Task):
        return None
    tasks = tasks or my_open_tasks(user=user, today=today)
    return {
        "rows": tasks.tasks,
        "open": tasks.open,
        "overdue": tasks.overdue,
        "due_today": tasks.due_today,
        "more": tasks.open - len(tasks.tasks),
        "url": _url("tracker_task", "mine=yes"),
    }


def my_letters_waiting(*, user, letters_waiting: list[RecipientStatus] | None) -> dict | None:
    """My letters' recipients who have not answered (the dashboard reads them with the letters
    waiting: campaigns.selectors.letters_waiting_first)."""
    if letters_waiting is None or not may_view(user, Letter):
        return None
    rows = [row for row in letters_waiting if row.letter.owner_id == user.pk]
    return {"rows": rows, "url": _url("campaigns_letter", f"owner={ME}")}


def my_mentions(*, user, mentions: dict | None) -> dict | None:
    """New mentions of my cases, waiting for review: how many, and the oldest articles first
    (as the review queue orders them), as the dashboard read them with the review queue."""
    if mentions is None or not may_view(user, Mention):
        return None
    url = _url("tracker_mention", f"status__exact={Mention.Status.NEW}&officer={ME}")
    return {"count": mentions["count"], "rows": mentions["rows"], "url": url}


def my_work(
    *,
    user,
    today: date,
    mine: dict[int, bool],
    near_limit: list[CaseClock],
    hearings: list[CaseEvent] | None,
    letters_waiting: list[RecipientStatus] | None,
    mentions: dict | None,
) -> dict:
    """Every part of "My work" that `user` may read (None for the others), from what the
    dashboard read (`mine`: my cases, each with whether I am its lead) and one query of tasks."""
    tasks = about_mine = None
    if user.pk is not None and may_view(user, Task):
        tasks, about_mine = _tasks(user=user, today=today, mine=mine)
    return {
        "cases": my_cases_due(
            user=user,
            today=today,
            near_limit=near_limit,
            hearings=hearings,
            tasks=about_mine,
            mine=mine,
        ),
        "tasks": my_tasks(user=user, today=today, tasks=tasks) if tasks is not None else None,
        "letters": my_letters_waiting(user=user, letters_waiting=letters_waiting),
        "mentions": my_mentions(user=user, mentions=mentions),
        "hearing_days": HEARING_WITHIN_DAYS,
        "today": today,
        "shown": SHOWN,
    }
