"""Writes to tasks: saving one, marking many done, and the follow-ups Vigil makes itself."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from campaigns.selectors import letters_waiting_for_answer
from config.batching import chunks
from tracker.cases.limits import cases_near_limit
from tracker.cases.models import CaseEvent, CaseOfficer
from tracker.workspace.models import Task

FOLLOW_UP_REASON = "Follow-up made by Vigil"


@transaction.atomic
def task_save(*, task: Task | None = None, user, done: bool | None = None, **fields: Any) -> Task:
    """Add (task=None) or change a task, by `user`. `done=True` marks it done by `user` now
    (a task already done keeps who did it and when); `done=False` opens it again."""
    task = task or Task()
    for name, value in fields.items():
        setattr(task, name, value)
    if task.pk is None:
        task.created_by = user
    if done and task.done_at is None:
        task.done_at, task.done_by = timezone.now(), user
    elif done is False:
        task.done_at, task.done_by = None, None
    task.full_clean()
    task._history_user = user
    task.save()
    return task


@dataclass(frozen=True)
class MarkedDone:
    done: list[int]  # marked done now
    already_done: list[int]  # done before, left as they were (who did them, when)


def tasks_mark_done(*, tasks: Iterable[Task] | Iterable[int], user) -> MarkedDone:
    """Mark tasks done by `user`, now: the admin's "Mark done" and the API's bulk endpoint.
    Idempotent: a task already done keeps who did it and when. Each task marked gets a
    History row naming `user`. The open ones are locked first, so that two people marking the
    same tasks at once record one of them."""
    ids = sorted({item if isinstance(item, int) else item.pk for item in tasks})
    now = timezone.now()
    marked: list[int] = []
    with transaction.atomic():
        for chunk in chunks(ids):
            open_tasks = list(
                Task.objects.select_for_update().filter(pk__in=chunk, done_at__isnull=True)
            )
            for task in open_tasks:
                task.done_at, task.done_by, task.updated_at = now, user, now
            bulk_update_with_history(
                open_tasks,
                Task,
                ["done_at", "done_by", "updated_at"],
                default_user=user,
                default_change_reason="Marked done",
            )
            marked += [task.pk for task in open_tasks]
    marked.sort()
    return MarkedDone(done=marked, already_done=sorted(set(ids) - set(marked)))


# --- Follow-ups -----------------------------------------------------------------------------


@dataclass
class FollowUpCounts:
    """What one run of follow_ups_create made, and what it skipped for want of an owner."""

    chase: int = 0
    legal_limit: int = 0
    hearing: int = 0
    no_owner: int = 0  # letters without an owner, cases without a lead: nobody to give it to

    @property
    def total(self) -> int:
        return self.chase + self.legal_limit + self.hearing


def _leads(person_ids: Iterable[int]) -> dict[int, int]:
    """The lead officer's user id of each case that has an active one: one query."""
    return dict(
        CaseOfficer.objects.filter(
            person_id__in=list(person_ids), is_lead=True, user__is_active=True
        ).values_list("person_id", "user_id")
    )


def _chases(today: date) -> tuple[list[Task], int]:
    waiting = letters_waiting_for_answer(
        today=today, after_days=settings.FOLLOW_UP_CHASE_AFTER_DAYS
    )
    owners = {row.letter.owner_id for row in waiting} - {None}
    active = set(
        get_user_model().objects.filter(pk__in=owners, is_active=True).values_list("pk", flat=True)
    )
    tasks, skipped = [], 0
    for row in waiting:
        letter, recipient = row.letter, row.recipient
        if letter.owner_id not in active:
            skipped += 1
            continue
        tasks.append(
            Task(
                title=f"Chase {recipient.full_name}: {letter.title}"[:300],
                notes=f"Sent on {row.sent_on:%Y-%m-%d}; no answer after {row.days_waiting} days.",
                due_on=today,
                assignee_id=letter.owner_id,
                letter=letter,
                origin=Task.Origin.CHASE,
                follow_up_key=f"chase:letter:{letter.pk}:person:{recipient.pk}",
            )
        )
    return tasks, skipped


def _limits(today: date) -> tuple[list[Task], int]:
    warn = settings.FOLLOW_UP_LIMIT_WARNING_DAYS
    # Limits that end within `warn` days, or ended at most `warn` days ago (so that a day the
    # job did not run loses nothing); cases long past their limit are the dashboard's.
    clocks = [
        clock
        for clock in cases_near_limit(today=today, warn_days=warn)
        if clock.days_left is not None and -warn <= clock.days_left <= warn
    ]
    leads = _leads(clock.person.pk for clock in clocks)
    tasks, skipped = [], 0
    for clock in clocks:
        person, ends_on = clock.person, clock.limit_ends_on
        if person.pk not in leads:
            skipped += 1
            continue
        limit = clock.limit
        tasks.append(
            Task(
                title=f"{person.name}: the legal limit of {person.get_status_display()} "
                f"({limit.max_days} days) ends on {ends_on:%Y-%m-%d}"[:300],
                due_on=ends_on,
                assignee_id=leads[person.pk],
                person=person,
                origin=Task.Origin.LEGAL_LIMIT,
                follow_up_key=f"limit:person:{person.pk}:{ends_on:%Y-%m-%d}",
            )
        )
    return tasks, skipped


def _hearings(today: date) -> tuple[list[Task], int]:
    until = today + timedelta(days=settings.FOLLOW_UP_HEARING_DAYS)
    events = list(
        CaseEvent.objects.filter(kind=CaseEvent.Kind.HEARING, date__gte=today, date__lte=until)
        .select_related("person")
        .order_by("date", "pk")
    )
    leads = _leads(event.person_id for event in events)
    tasks, skipped = [], 0
    for event in events:
        if event.person_id not in leads:
            skipped += 1
            continue
        tasks.append(
            Task(
                title=f"Hearing of {event.person.name} on {event.date:%Y-%m-%d}"[:300],
                notes=event.description,
                due_on=event.date,
                assignee_id=leads[event.person_id],
                person=event.person,
                origin=Task.Origin.HEARING,
                follow_up_key=f"hearing:event:{event.pk}",
            )
        )
    return tasks, skipped


def _create_once(tasks: list[Task]) -> int:
    """Save the tasks whose follow-up key no task has yet; return how many were made. A run
    at the same moment that made one first wins: the unique key refuses the second."""
    keys = [task.follow_up_key for task in tasks]
    existing: set[str] = set()
    for chunk in chunks(keys):
        existing |= set(
            Task.objects.filter(follow_up_key__in=chunk).values_list("follow_up_key", flat=True)
        )
    made = 0
    for task in tasks:
        if task.follow_up_key in existing:
            continue
        try:
            task.full_clean()
            with transaction.atomic():
                task._change_reason = FOLLOW_UP_REASON
                task.save()
        except (ValidationError, IntegrityError):
            continue  # made meanwhile by another run (the key), or no longer valid
        existing.add(task.follow_up_key)
        made += 1
    return made


def follow_ups_create(*, today: date | None = None) -> FollowUpCounts:
    """Make the follow-ups due `today`, each once however often this runs (the beat job runs it
    daily): "chase <recipient>" for the owner of each letter sent FOLLOW_UP_CHASE_AFTER_DAYS
    ago or more that a recipient has not answered; for a case's lead officer, a legal limit
    within FOLLOW_UP_LIMIT_WARNING_DAYS and a hearing within FOLLOW_UP_HEARING_DAYS. A letter
    whose owner is missing or inactive, or a case without an active lead, gets none (counted
    as `no_owner`)."""
    today = today or timezone.localdate()
    counts = FollowUpCounts()
    for name, build in (("chase", _chases), ("legal_limit", _limits), ("hearing", _hearings)):
        tasks, skipped = build(today)
        setattr(counts, name, _create_once(tasks))
        counts.no_owner += skipped
    return counts
