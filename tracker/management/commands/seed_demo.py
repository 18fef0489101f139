from django.core.management.base import BaseCommand

from tracker.workspace.demo import seed_demo


class Command(BaseCommand):
    help = "Load the demo data set (the 2015 'Free the 20' story). Safe to run again."

    def handle(self, *args, **options):
        counts = seed_demo()
        summary = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data in place: {summary}."))
