"""Email digests: who follows which campaigns and cases, and each digest sent to them."""

from django.db import models
from simple_history.models import HistoricalRecords

from config.formats import staff_datetime
from config.models import TimeStampedModel
from tracker.cases.models import CaseEvent, DetainedPerson
from tracker.newswatch.models import Mention


class Subscription(TimeStampedModel):
    """Someone who follows campaigns or cases and gets a digest of what is new by email."""

    class Frequency(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly (Mondays)"

    email = models.EmailField()
    user = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        related_name="subscriptions",
        null=True,
        blank=True,
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.DAILY)
    campaigns = models.ManyToManyField(
        "campaigns.Campaign",
        related_name="subscriptions",
        blank=True,
        help_text="Following a campaign covers every person in it, including people added later.",
    )
    persons = models.ManyToManyField(DetainedPerson, related_name="subscriptions", blank=True)
    include_unreviewed = models.BooleanField(
        # Off by default: digests often go to partners outside the organisation, and a match
        # nobody has checked may name the wrong person.
        default=False,
        help_text="Also list new mentions that staff have not reviewed yet (marked as "
        "unreviewed). Off: only confirmed mentions. Dismissed mentions never appear.",
    )
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["email", "frequency"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "frequency"],
                name="subscription_unique_email_frequency",
                violation_error_message="This address already has a subscription this often.",
            ),
        ]
        indexes = [
            # send_due_digests: the active subscriptions of one frequency.
            models.Index(fields=["frequency", "active"], name="subscription_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_frequency_display()})"

    def clean(self) -> None:
        self.email = (self.email or "").strip().lower()


class DigestDelivery(models.Model):
    """One digest for one subscription and one period; unique per (subscription, period
    start), which is what makes sending idempotent."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        EMPTY = "empty", "Empty (nothing new)"

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=300, blank=True)
    # A worker that claims the delivery holds it until then; a claim that outlives its worker
    # (killed mid-send) expires and another attempt may claim it.
    claimed_until = models.DateTimeField(null=True, blank=True)
    # When a task to send it was last queued: the sweeper re-queues a pending delivery only once
    # that is long past (its task was lost), not while it waits its turn in the queue.
    queued_at = models.DateTimeField(null=True, blank=True)
    # The message as built when first claimed (subject, from, to, headers, text and HTML): every
    # later attempt sends exactly this, so a resend after a crash is the same message with the
    # same Message-ID, which mail clients fold into one. Dropped once it is recorded as sent.
    content = models.JSONField(null=True, blank=True, editable=False)
    mentions = models.ManyToManyField(Mention, related_name="digest_deliveries", blank=True)
    events = models.ManyToManyField(CaseEvent, related_name="digest_deliveries", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Kept current by every write in tracker.digests.sending (most are update() calls, which
    # auto_now does not see): what a partner syncing with `updated_since` reads.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_end", "-id"]
        verbose_name_plural = "digest deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period_start"], name="digestdelivery_unique_period"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="digestdelivery_period_ordered",
            ),
        ]
        indexes = [
            # The next period starts where the subscription's latest delivery ended.
            models.Index(fields=["subscription", "-period_end"], name="digest_sub_period_idx"),
            # Workers pick up pending deliveries.
            models.Index(fields=["status"], name="digest_status_idx"),
            # The admin list: its order and its dates (config.admin_dates).
            models.Index(fields=["-period_end", "-id"], name="digest_period_end_idx"),
        ]

    def __str__(self) -> str:
        start, end = staff_datetime(self.period_start), staff_datetime(self.period_end)
        return f"{self.subscription}: {start} to {end}"
