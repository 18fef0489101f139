"""Email digests: who follows which campaigns and cases, and each digest sent to them."""

from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from config.formats import staff_datetime
from config.models import TimeStampedModel
from tracker.cases.models import CaseEvent, DetainedPerson
from tracker.newswatch.models import Mention


class SubscriptionQuerySet(models.QuerySet):
    def mailable(self) -> "SubscriptionQuerySet":
        """Active, and to an address no suppression stops (a hard bounce, a spam complaint, an
        unsubscribe at the mail provider): those a digest is made for and sent to."""
        return self.filter(active=True).exclude(
            email__in=SuppressedAddress.objects.in_force().values("email")
        )


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

    objects = SubscriptionQuerySet.as_manager()

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


class SuppressedAddressQuerySet(models.QuerySet):
    def in_force(self) -> "SuppressedAddressQuerySet":
        """Not lifted: the addresses no digest goes to."""
        return self.filter(lifted_at__isnull=True)


class SuppressedAddress(models.Model):
    """An address no digest goes to, whatever its subscriptions: it bounced for good, its
    reader reported a digest as spam, or unsubscribed at the mail provider. Made by the mail
    provider's webhook (tracker/digests/feedback.py); staff may lift it, and a lifted one stays
    as the record of what happened (a new bounce suppresses the address again)."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", "Hard bounce"
        COMPLAINED = "complained", "Spam complaint"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed at the mail provider"

    email = models.EmailField(help_text="Stored lower-cased, as subscriptions are.")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.TextField(
        blank=True,
        help_text="What the mail provider said: the bounce's diagnostic, the kind of complaint.",
    )
    provider = models.CharField(max_length=50, blank=True, help_text="Which provider said so.")
    delivery = models.ForeignKey(
        "DigestDelivery",
        on_delete=models.SET_NULL,
        related_name="suppressions",
        null=True,
        blank=True,
        help_text="The digest the report was about, when the provider named it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        related_name="lifted_suppressions",
        null=True,
        blank=True,
    )

    history = HistoricalRecords()

    objects = SuppressedAddressQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "suppressed addresses"
        constraints = [
            # One suppression in force per address; lifted ones stay as history. Its index
            # serves sending's "is this address suppressed" (SubscriptionQuerySet.mailable).
            models.UniqueConstraint(
                fields=["email"],
                condition=models.Q(lifted_at__isnull=True),
                name="suppressedaddress_unique_in_force",
                violation_error_message="This address is suppressed already.",
            ),
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="suppressedaddress_email_lower"
            ),
            models.CheckConstraint(
                condition=models.Q(lifted_by__isnull=True) | models.Q(lifted_at__isnull=False),
                name="suppressedaddress_lifted_by_when_lifted",
            ),
        ]
        indexes = [
            # The admin list and the API: the latest first.
            models.Index(fields=["-created_at", "-id"], name="suppression_created_idx"),
        ]

    def __str__(self) -> str:
        lifted = " (lifted)" if self.lifted_at else ""
        return f"{self.email}: {self.get_reason_display()}{lifted}"

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
    # Random and made once, at the first claim (tracker.digests.email.message_id): unique in
    # the world, so that no other installation, restored backup or reset database repeats it.
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
    # What the mail provider reported after the message left (tracker/digests/feedback.py):
    # a hard bounce, a spam complaint or an unsubscribe there; the same reasons as a
    # suppression's, which stops the address.
    feedback = models.CharField(
        "provider's report", max_length=20, choices=SuppressedAddress.Reason.choices, blank=True
    )
    feedback_at = models.DateTimeField("reported at", null=True, blank=True)
    feedback_detail = models.TextField("provider's words", blank=True)
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
            # Random Message-IDs never repeat; this also serves the provider's webhook, which
            # finds the delivery a bounce or complaint is about by its Message-ID.
            models.UniqueConstraint(
                fields=["message_id"],
                condition=~models.Q(message_id=""),
                name="digestdelivery_unique_message_id",
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
