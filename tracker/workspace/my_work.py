""" "My work", at the top of the dashboard: what the signed-in staff member owns that needs them
now. Their cases with something due (at or near a legal limit, a hearing or an open task due
within HEARING_WITHIN_DAYS days), their open tasks, their letters waiting for an answer,
and the new mentions of their cases waiting for review.

Each part needs the permission to view the records it shows (config.permissions.may_view) and
is None, not read, without it; each reads a fixed number of queries, and reuses what the
dashboard has read already (the cases near a limit, the letters waiting). A case is "mine"
when I am one of its officers (tracker.cases.models.CaseOfficer), lead or not; a letter when I
am its owner."""

from collections import defaultdict
from datetime import date, timedelta

from django.utils.translation import ngettext

from campaigns.models import Letter
from campaigns.selectors import RecipientStatus
from config.formats import staff_date
from config.permissions import may_view
from tracker.cases.limits import CaseClock
from tracker.models import CaseEvent, CaseOfficer, DetainedPerson, Mention
from tracker.newswatch.models import MENTION_REVIEW_ORDER
from tracker.workspace.models import Task
from tracker.workspace.selectors import my_open_tasks

HEARING_WITHIN_DAYS = 7
SHOWN = 10
ME = "me"  # the lists' filters take ?officer=me and ?owner=me (config.admin_filters)


def _url(changelist: str, query: str) -> str:
    from django.urls import reverse

    return f"{reverse(f'admin:{changelist}_changelist')}?{query}"


def my_cases_due(
    *, user, today: date, near_limit: list[CaseClock], mine: dict[int, bool]
) -> dict | None:
    """My cases with something due, most pressing first: each with the reasons (`due`, in
    words, with the date) and whether I am its lead. `near_limit` is the dashboard's list
    (tracker.cases.limits.cases_near_limit); hearings are read in one query."""
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
    if mine and may_view(user, CaseEvent):
        hearings = CaseEvent.objects.filter(
            person_id__in=list(mine),
            kind=CaseEvent.Kind.HEARING,
            date__gte=today,
            date__lte=today + timedelta(days=HEARING_WITHIN_DAYS),
        ).select_related("person")
        for event in hearings.order_by("date", "pk"):
            persons[event.person_id] = event.person
            due[event.person_id].append((event.date, f"hearing on {staff_date(event.date)}"))
    if mine and may_view(user, Task):
        # Open tasks about my cases (whoever has them) due within the same days.
        tasks = Task.objects.open().filter(
            person_id__in=list(mine), due_on__lte=today + timedelta(days=HEARING_WITHIN_DAYS)
        )
        for task in tasks.select_related("person").order_by("due_on", "pk"):
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


def my_tasks(*, user, today: date) -> dict | None:
    """My open tasks, overdue and due first, with how many are open, overdue and due today
    (tracker.workspace.selectors.my_open_tasks: two queries)."""
    if user.pk is None or not may_view(user, Task):
        return None
    mine = my_open_tasks(user=user, today=today)
    return {
        "rows": mine.tasks,
        "open": mine.open,
        "overdue": mine.overdue,
        "due_today": mine.due_today,
        "more": mine.open - len(mine.tasks),
        "url": _url("tracker_task", "mine=yes"),
    }


def my_letters_waiting(*, user, letters_waiting: list[RecipientStatus] | None) -> dict | None:
    """My letters' recipients who have not answered (from the dashboard's letters waiting,
    campaigns.selectors.letters_waiting_for_answer: no query of its own)."""
    if letters_waiting is None or not may_view(user, Letter):
        return None
    rows = [row for row in letters_waiting if row.letter.owner_id == user.pk]
    return {"rows": rows, "url": _url("campaigns_letter", f"owner={ME}")}


def my_mentions(*, user, mine: dict[int, bool]) -> dict | None:
    """New mentions of my cases, waiting for review: how many, and the oldest articles first
    (as the review queue orders them). Two queries (none when I own no case)."""
    if not may_view(user, Mention):
        return None
    url = _url("tracker_mention", f"status__exact={Mention.Status.NEW}&officer={ME}")
    if not mine:
        return {"count": 0, "rows": [], "url": url}
    new = Mention.objects.filter(status=Mention.Status.NEW, person_id__in=list(mine))
    return {
        "count": new.count(),
        "rows": list(
            new.select_related("news_item", "person").order_by(*MENTION_REVIEW_ORDER)[:SHOWN]
        ),
        "url": url,
    }


def my_work(
    *,
    user,
    today: date,
    near_limit: list[CaseClock],
    letters_waiting: list[RecipientStatus] | None,
) -> dict:
    """Every part of "My work" that `user` may read (None for the others). One query for my
    cases, then at most three more."""
    mine: dict[int, bool] = {}
    if user.pk is not None and may_view(user, DetainedPerson):
        mine = dict(CaseOfficer.objects.filter(user_id=user.pk).values_list("person_id", "is_lead"))
    return {
        "cases": my_cases_due(user=user, today=today, near_limit=near_limit, mine=mine),
        "tasks": my_tasks(user=user, today=today),
        "letters": my_letters_waiting(user=user, letters_waiting=letters_waiting),
        "mentions": my_mentions(user=user, mine=mine),
        "hearing_days": HEARING_WITHIN_DAYS,
        "today": today,
        "shown": SHOWN,
    }
