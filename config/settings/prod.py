"""Production settings.

Refuses to start without DJANGO_SECRET_KEY or SITE_URL, or with DEBUG on; `check --deploy` is
clean.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, DEBUG, SECRET_KEY, SITE_URL, env

if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production (config.settings.prod).")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 random characters.")
# base.py's default (127.0.0.1) would put a laptop's address in every digest's links. Plain
# http would also make docker-compose.yml's proxy serve the site without TLS.
if not env.str("SITE_URL", default=""):
    raise ImproperlyConfigured(
        "SITE_URL must be set in production: the public https:// address of this installation, "
        "used in the links that digests send out."
    )
if not SITE_URL.startswith("https://"):
    raise ImproperlyConfigured("SITE_URL must start with https:// in production.")

# Web and worker processes keep their database connection between requests and tasks: a new
# PostgreSQL connection costs about 3 ms here, more than a whole 304 poll. Django checks a kept
# connection before reusing it, so one the server dropped is replaced, not used.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Safe only behind a proxy that sets X-Forwarded-Proto itself, replacing the client's, and
# without which gunicorn cannot be reached (deploy/Caddyfile; README "Production").
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# /health/ must answer plain HTTP probes from the orchestrator without a redirect.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]

# Every staff account must set up two-factor authentication before it can use the admin.
REQUIRE_2FA = env.bool("DJANGO_REQUIRE_2FA", default=True)
