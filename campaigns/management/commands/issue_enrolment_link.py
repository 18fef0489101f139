from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from config.enrolment import enrolment_link


class Command(BaseCommand):
    help = (
        "Print a two-factor enrolment link for a user: with DJANGO_REQUIRE_2FA, how the first "
        "administrator of an installation sets up their authenticator app (later ones get "
        "theirs from an administrator, under Users). Valid once, for "
        "TWO_FACTOR_ENROLMENT_LINK_HOURS."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username}, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user '{username}'.") from None
        self.stdout.write(
            f"Enrolment link for '{username}' (valid once, for "
            f"{settings.TWO_FACTOR_ENROLMENT_LINK_HOURS} hours; sign in with the password, "
            f"then open it):\n{enrolment_link(user)}"
        )
