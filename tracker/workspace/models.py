"""The staff's own work: tasks (to do by a date, for someone, about a case, a letter or a
campaign), the morning reminders of them, and each staff member's choice to get those or not."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from config.formats import staff_date
from config.models import TimeStampedModel
from tracker.cases.models import DetainedPerson


class TaskQuerySet(models.QuerySet):
    def open(self) -> "TaskQuerySet":
        return self.filter(done_at__isnull=True)

    def done(self) -> "TaskQuerySet":
        return self.filter(done_at__isnull=False)

    def due_by(self, day) -> "TaskQuerySet":
        """Open tasks due on `day` or before it (overdue)."""
        return self.open().filter(due_on__lte=day)


class Task(TimeStampedModel):
    """Something to do by a date. Linked to at most one case, letter or campaign (or none: a
    task of the office). Vigil makes some itself (follow-ups, tracker.workspace.follow_ups):
    those carry a `follow_up_key`, unique, so that making them again makes nothing new."""

    class Origin(models.TextChoices):
        MANUAL = "manual", "Made by staff"
        CHASE = "chase", "Follow-up: chase an unanswered letter"
        LEGAL_LIMIT = "legal_limit", "Follow-up: a legal limit is near"
        HEARING = "hearing", "Follow-up: a hearing is near"

    title = models.CharField("what to do", max_length=300)
    notes = models.TextField(blank=True)
    due_on = models.DateField("due")
    # SET_NULL: a removed account leaves its tasks, unassigned, for someone else to take.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="tasks_assigned",
        null=True,
        blank=True,
        limit_choices_to={"is_staff": True},
        help_text="A staff member; none: nobody yet.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="tasks_created",
        null=True,
        blank=True,
        editable=False,
    )
    done_at = models.DateTimeField("done", null=True, blank=True, editable=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="tasks_done",
        null=True,
        blank=True,
        editable=False,
    )
    # PROTECT: deleting a case, letter or campaign does not silently erase the work on it.
    person = models.ForeignKey(
        DetainedPerson,
        on_delete=models.PROTECT,
        related_name="tasks",
        null=True,
        blank=True,
        verbose_name="case",
    )
    letter = models.ForeignKey(
        "campaigns.Letter",
        on_delete=models.PROTECT,
        related_name="tasks",
        null=True,
        blank=True,
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        related_name="tasks",
        null=True,
        blank=True,
    )
    origin = models.CharField(
        max_length=20, choices=Origin.choices, default=Origin.MANUAL, editable=False
    )
    # Set on follow-ups only ("chase:letter:12:person:7", "limit:person:5:2026-12-01",
    # "hearing:event:33"): what the follow-up is about, once.
    follow_up_key = models.CharField(max_length=200, blank=True, default="", editable=False)

    objects = TaskQuerySet.as_manager()
    history = HistoricalRecords()

    LINKS = ("person", "letter", "campaign")

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~(
                    Q(person__isnull=False, letter__isnull=False)
                    | Q(person__isnull=False, campaign__isnull=False)
                    | Q(letter__isnull=False, campaign__isnull=False)
                ),
                name="task_at_most_one_link",
                violation_error_message="Link a task to one case, letter or campaign at most.",
            ),
            models.CheckConstraint(
                condition=Q(done_at__isnull=False) | Q(done_by__isnull=True),
                name="task_done_by_only_when_done",
            ),
            models.UniqueConstraint(
                fields=["follow_up_key"],
                condition=~Q(follow_up_key=""),
                name="task_unique_follow_up_key",
            ),
        ]
        indexes = [
            # "My open tasks" by due date (the dashboard, the morning reminder, ?assignee=me).
            models.Index(
                fields=["assignee", "due_on"],
                condition=Q(done_at__isnull=True),
                name="task_open_assignee_due_idx",
            ),
            # The open tasks due by a day, whoever has them (the morning reminders' round).
            models.Index(
                fields=["due_on"], condition=Q(done_at__isnull=True), name="task_open_due_idx"
            ),
            # The admin list, done tasks included: its order and its dates (config.admin_dates).
            models.Index(fields=["due_on", "id"], name="task_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (due {staff_date(self.due_on)})"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def linked(self):
        """The case, letter or campaign the task is about, or None."""
        return self.person or self.letter or self.campaign


class StaffPreference(TimeStampedModel):
    """One staff member's choices about what Vigil sends them. No row: the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_preference"
    )
    task_reminders = models.BooleanField(
        "morning email of my tasks",
        default=True,
        help_text="A morning email listing your tasks due today and overdue (none on a day "
        "with nothing due).",
    )

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Preferences of {self.user}"


class TaskReminder(models.Model):
    """One morning email of one staff member's tasks, for one day; unique per (user, day),
    which is what makes sending it idempotent. Claimed, sent and recorded as a digest delivery
    is (tracker.workspace.reminders)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        EMPTY = "empty", "Empty (nothing due by the time it was sent)"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="task_reminders"
    )
    day = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=300, blank=True)
    # As DigestDelivery: held by the worker sending it until then; lapses if that worker dies.
    claimed_until = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    # The message as first built: every later attempt sends exactly this (same Message-ID).
    content = models.JSONField(null=True, blank=True, editable=False)
    tasks = models.ManyToManyField(Task, related_name="reminders", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="taskreminder_unique_user_day"),
        ]
        indexes = [
            # The sweeper picks up pending reminders whose task was lost.
            models.Index(fields=["status"], name="taskreminder_status_idx"),
            # The admin list: its order and its dates (config.admin_dates).
            models.Index(fields=["-day", "user"], name="taskreminder_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: tasks of {staff_date(self.day)}"
