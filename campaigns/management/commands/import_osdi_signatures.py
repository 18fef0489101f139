from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Letter, SignaturePull
from campaigns.osdi.pull import PullRefused, signature_pull_request, signatures_pull_osdi


class Command(BaseCommand):
    help = (
        "Pull a letter's signatures from its Action Network petition now, in this process, "
        "printing each page's progress and the report (the admin's button queues the same "
        "pull for a worker). Only signatures modified since the letter's last successful pull "
        "are read; a pull already queued or running for the letter is resumed."
    )

    def add_arguments(self, parser):
        parser.add_argument("letter", type=int, help="the letter's id")

    def handle(self, *args, letter: int, **options):
        try:
            target = Letter.objects.get(pk=letter)
        except Letter.DoesNotExist:
            raise CommandError(f"There is no letter {letter}.") from None
        try:
            pull, new = signature_pull_request(letter=target)
        except PullRefused as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"{'Pulling' if new else 'Resuming the pull of'} the signatures of “{target}” "
            f"from {target.osdi_petition_url}"
        )
        signatures_pull_osdi(pull_id=pull.pk, on_page=self._progress)
        pull.refresh_from_db()
        self._report(pull)
        if pull.status == SignaturePull.Status.FAILED:
            raise CommandError(f"The pull failed: {pull.error}")

    def _progress(self, pull: SignaturePull) -> None:
        self.stdout.write(
            f"  page {pull.pages_read}: {pull.signatures_added} signatures added so far, "
            f"{pull.rows_not_applied} rows not applied"
        )

    def _report(self, pull: SignaturePull) -> None:
        since = pull.modified_since.isoformat() if pull.modified_since else "the beginning"
        self.stdout.write(
            f"Pull {pull.pk}: {pull.get_status_display().lower()}; signatures modified since "
            f"{since}.\n"
            f"  pages read: {pull.pages_read}\n"
            f"  signatures added: {pull.signatures_added}\n"
            f"  already signed: {pull.already_signed}\n"
            f"  people matched: {pull.people_matched}, created: {pull.people_created}, "
            f"updated: {pull.people_updated}\n"
            f"  rows not applied: {pull.rows_not_applied}"
        )
        for error in pull.errors:
            self.stdout.write(
                f"    page {error['page']}, row {error['row']} {error['identifier']}: "
                f"{error['message']}"
            )
