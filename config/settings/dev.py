"""Development: a laptop with the embedded defaults (SQLite and the filesystem broker)."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "dev-only-insecure-key-never-used-in-production")
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("ANYMAIL_WEBHOOK_SECRET", "vigil-dev:dev-only-webhook-password-not-secret")

from .base import *  # noqa: F403

# Serve static files from the apps' folders; there is no collectstatic outside production.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
