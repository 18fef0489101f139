from django.core.management.base import BaseCommand, CommandError

from tracker.models import NewsSource
from tracker.newswatch.polling import poll_cycle


class Command(BaseCommand):
    help = (
        "Poll the news sources once, in the foreground, through the same code as the Celery "
        "tasks. Failing sources are reported and recorded, not fatal: the exit status is "
        "non-zero only if the command itself crashes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", required=True, help="one cycle")
        parser.add_argument("--source", type=int, action="append", help="only this source id")

    def handle(self, *args, once: bool, source: list[int] | None, **options):
        if source:
            missing = set(source) - set(
                NewsSource.objects.filter(pk__in=source).values_list("pk", flat=True)
            )
            if missing:
                raise CommandError(f"No news source with id {', '.join(map(str, missing))}.")

        def progress(src, outcome, done, total):
            detail = {
                "ok": f"{outcome.ingest.items_new} new, {outcome.ingest.items_updated} updated, "
                f"{outcome.ingest.mentions_new} mentions",
                "not_modified": "not modified",
                "failed": f"FAILED: {outcome.error}",
                "deferred": "deferred: another worker is polling it",
                "idle": "no one to search",
            }[outcome.status]
            self.stdout.write(f"[{done}/{total}] {src.name}: {detail}")

        s = poll_cycle(source_ids=source, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Sources polled: {s.polled} ({s.not_modified} not modified, {s.failed} failed). "
                f"Items: {s.ingest.items_new} new, {s.ingest.items_updated} updated. "
                f"Mentions: {s.ingest.mentions_new} new."
            )
        )
