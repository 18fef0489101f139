"""The test suite: SQLite by default; PostgreSQL and Redis when DATABASE_URL and
CELERY_BROKER_URL say so. It never reads .env: every setting the tests depend on comes from
the defaults or from the process environment (as .ci/run sets it)."""

import os

# Forced, not defaulted, and inherited by the processes the tests start (workers, manage.py).
os.environ["VIGIL_READ_DOTENV"] = "false"

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
os.environ.setdefault("ANYMAIL_WEBHOOK_SECRET", "vigil-test:test-only-webhook-password")

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}

# Serve static files from the apps' folders; there is no collectstatic outside production.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True

if DATABASES["default"]["ENGINE"] == "config.sqlite":  # noqa: F405
    # A file, not memory, so that a real Celery worker process can open the test database.
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405
    # One file per test run, so that two runs on one machine do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
