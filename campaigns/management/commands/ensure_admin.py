import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Create the `admin` superuser with a generated password on first run. The password "
        "is printed once and kept in var/admin-password (mode 0600)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    @transaction.atomic
    def handle(self, *args, username: str, **options):
        password_file = Path(settings.VAR_DIR) / "admin-password"
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(
                f"Superuser '{username}' exists; its first password is in {password_file}."
            )
            return
        password = secrets.token_urlsafe(18)
        User.objects.create_superuser(username=username, email="", password=password)
        password_file.parent.mkdir(parents=True, exist_ok=True)
        password_file.touch(mode=0o600, exist_ok=True)
        password_file.chmod(0o600)
        password_file.write_text(f"{username}:{password}\n")
        self.stdout.write(
            self.style.SUCCESS(
                f"Created superuser '{username}' with password: {password}\n"
                f"(kept in {password_file}, readable by you only)"
            )
        )
