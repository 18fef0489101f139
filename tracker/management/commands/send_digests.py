from django.core.management.base import BaseCommand
from django.utils import timezone

from tracker.digests.sending import digest_preview, digests_send_now
from tracker.models import Subscription


class Command(BaseCommand):
    help = (
        "Send the digests of one frequency now, in the foreground, through the same code as "
        "the scheduled task. --dry-run prints what would be sent and sends nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--frequency", required=True, choices=Subscription.Frequency.values)
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--email", help="only this subscriber's address")

    def handle(self, *args, frequency: str, dry_run: bool, email: str | None, **options):
        if dry_run:
            self._dry_run(frequency, email)
            return
        counts: dict[str, int] = {}
        for outcome in digests_send_now(frequency=frequency, email=email):
            if outcome.error:
                self.stderr.write(f"delivery {outcome.delivery_id}: {outcome.error}")
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none due"
        self.stdout.write(self.style.SUCCESS(f"{frequency} digests: {summary}."))

    def _dry_run(self, frequency: str, email: str | None) -> None:
        now = timezone.now()
        subscriptions = Subscription.objects.filter(frequency=frequency, active=True)
        if email:
            subscriptions = subscriptions.filter(email=email.strip().lower())
        for subscription in subscriptions:
            digest = digest_preview(subscription=subscription, now=now)
            if digest.is_empty:
                self.stdout.write(
                    f"{subscription.email}: nothing new since {digest.period_start:%Y-%m-%d %H:%M}"
                )
            else:
                self.stdout.write(f"{subscription.email}: {digest.subject}")
        self.stdout.write(self.style.WARNING("Dry run: nothing was sent or recorded."))
