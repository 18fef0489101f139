from django.core.management.base import BaseCommand, CommandError

from tracker.models import DetainedPerson
from tracker.newswatch.rematch import rematch_people


class Command(BaseCommand):
    help = (
        "Re-scan stored news items of the last N days for a person whose names changed, or for "
        "everyone watched after the matching rules changed (--all)."
    )

    def add_arguments(self, parser):
        chosen = parser.add_mutually_exclusive_group(required=True)
        chosen.add_argument("--person", type=int, help="detained person id")
        chosen.add_argument(
            "--all", action="store_true", dest="everyone", help="every watched person"
        )
        parser.add_argument("--days", type=int, default=30, help="how far back (default 30)")

    def handle(self, *args, person: int | None, everyone: bool, days: int, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        if everyone:
            created = rematch_people(people=DetainedPerson.objects.watched(), days=days)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Everyone watched: {created} new mentions in the last {days} days."
                )
            )
            return
        chosen = DetainedPerson.objects.filter(pk=person)
        target = chosen.first()
        if target is None:
            raise CommandError(f"No detained person with id {person}.")
        created = rematch_people(people=chosen, days=days)
        self.stdout.write(
            self.style.SUCCESS(f"{target}: {created} new mentions in the last {days} days.")
        )
