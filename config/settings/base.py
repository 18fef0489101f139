"""Settings shared by every environment. Every variable read here is documented in README.md
and .env.example; dev.py, test.py and prod.py adjust the defaults."""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_EVAL, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static
from django.urls import reverse_lazy

from config import exports

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# config.settings.test turns this off: a developer's .env must not change what the suite finds.
if env.bool("VIGIL_READ_DOTENV", default=True):
    env.read_env(BASE_DIR / ".env")

# Runtime state for the embedded defaults (SQLite, broker folders, beat schedule, admin password).
VAR_DIR = Path(env.str("VIGIL_VAR_DIR", default=str(BASE_DIR / "var")))

SECRET_KEY = env.str("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The port `make run` serves on (Procfile.dev); development only.
VIGIL_PORT = env.int("VIGIL_PORT", default=8000)
# Public base URL of this installation, used in links we send out (emails).
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{VIGIL_PORT}").rstrip("/")

INSTALLED_APPS = [
    # The admin's theme (django-unfold), before the admin so that its templates win: the
    # sidebar (UNFOLD below), dropdown filters, tabs, and its look for import-export's and
    # django-simple-history's pages. Its basic app config leaves the admin site ours
    # (config.admin_site.VigilAdminSite, built on the theme's site).
    "unfold.apps.BasicAppConfig",
    "unfold.contrib.filters",
    "unfold.contrib.import_export",
    "unfold.contrib.simple_history",
    # Django's admin on Vigil's site (config/admin_site.py): two-factor login, 2FA if required.
    "config.admin_site.VigilAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Django's widget templates, for FORM_RENDERER below.
    "django.forms",
    "django_countries",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    # Login lockout (django-axes) and two-factor authentication (django-two-factor-auth).
    "axes",
    "django_otp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_totp",
    "two_factor",
    # The mail provider's tracking webhooks (bounces, complaints): tracker/digests/feedback.py.
    "anymail",
    "campaigns",
    "tracker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every answer (below).
    "csp.middleware.CSPMiddleware",
    "config.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): did this session give a second factor?
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records request.user on every history row written during the request.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: answers a locked-out login with the lockout page (AXES_LOCKOUT_TEMPLATE).
    "axes.middleware.AxesMiddleware",
]

# The strictest policy under which every page works (tests/browser/test_content_security_policy.py).
# Scripts: Vigil's own files only, never inline (Swagger UI's set-up is a file too: config/urls.py).
# 'unsafe-eval' is the price of the admin's theme: Alpine.js evaluates the expressions written in
# its attributes (x-data, x-on:click) with the Function constructor, and unfold has no build
# without them. Styles: the theme writes <style> elements and style="" attributes (and Alpine
# sets some), hence 'unsafe-inline' for styles only. Nothing may frame a page, no plug-ins, no
# <base>, forms post only to Vigil, and nothing is fetched from another host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_EVAL],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Browser features no page of Vigil uses, refused to every page (config/headers.py).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ]
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# Widgets draw from the same templates as the pages (templates/ first), so that
# templates/unfold/widgets/select.html, a faster select of the theme's, is the one used.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # The admin header's names, in the sidebar's words (config/admin_names.py); lists'
            # rows (config/admin_list.py), bounded counts (config/admin_counts.py) and dates
            # (config/admin_dates.py); a digest's case or campaign rendered once for a batch
            # (tracker/digests/fragments.py).
            "libraries": {
                "vigil_admin": "config.admin_names",
                "vigil_list": "config.admin_list",
                "vigil_counts": "config.admin_counts",
                "vigil_dates": "config.admin_dates",
                "digest_fragments": "tracker.digests.fragments",
            },
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.staff_site",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'vigil.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite with Unicode-aware LOWER()/UPPER(), so case-insensitive rules agree with PostgreSQL.
    DATABASES["default"]["ENGINE"] = "config.sqlite"
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Staff sign-in (README "Security") ------------------------------------------------------
# AxesStandaloneBackend refuses a login while its username and address are locked out; it
# logs no one in itself. (DRF's TokenAuthentication does not go through these backends.)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# A staff session ends after a working day, not Django's two weeks: a forgotten laptop or a
# copied cookie opens the case files for hours, not weeks. Counted from the login.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_HOURS", default=10) * 60 * 60
# The two-factor login (user name and password, then a token when the account has 2FA on).
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"
LOGOUT_REDIRECT_URL = "admin:login"

# Lock out a user name *from one address* after this many failed passwords in a row, for this
# long (each further failure restarts the wait). Per pair: an office behind one NAT address is
# not locked out by one colleague's typos, and an attacker elsewhere cannot lock staff out.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Guessing spread over many addresses is capped too: a user name with this many failed logins
# within the window, from any addresses, is refused from every address (config/lockout.py
# counts axes' failure log). Higher than the per-address limit, so that one person's typos
# never reach it; an administrator lifts it under Settings > Failed logins.
AXES_USERNAME_FAILURE_LIMIT = env.int("AXES_USERNAME_FAILURE_LIMIT", default=20)
AXES_USERNAME_FAILURE_WINDOW = datetime.timedelta(hours=1)
if AXES_USERNAME_FAILURE_LIMIT <= AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        "AXES_USERNAME_FAILURE_LIMIT must be higher than AXES_FAILURE_LIMIT (per address)."
    )
AXES_HANDLER = "config.lockout.VigilAxesHandler"
# One row per failed login, kept when a lock is lifted: what the user name limit counts.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# The lockout page, saying which of the two limits a login hit.
AXES_LOCKOUT_CALLABLE = "config.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Our admin registers the attempts with an "Unlock" action and the failed logins with "Lift
# the lock" (config/lockout.py).
AXES_ENABLE_ADMIN = False
# Which address a login came from: read as the API throttle reads it (API_NUM_PROXIES).
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"

# Staff must set up two-factor authentication before they can use the admin (production
# turns this on). Without it, 2FA is each staff member's choice; once on, it is asked for.
REQUIRE_2FA = env.bool("DJANGO_REQUIRE_2FA", default=False)
# How long an enrolment link (an administrator's leave for a staff member to set 2FA up where
# the password alone may not: config/enrolment.py) stays valid, in hours.
TWO_FACTOR_ENROLMENT_LINK_HOURS = env.int("TWO_FACTOR_ENROLMENT_LINK_HOURS", default=72)
# Name shown in authenticator apps.
OTP_TOTP_ISSUER = "Vigil"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# One date format for staff ("6 December 2026", config/formats/en/formats.py); the API's is ISO.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Django 6 behaviour now: a URL typed without a scheme is taken as https.
FORMS_URLFIELD_ASSUME_HTTPS = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (a letter response's scan). Never served as static files: the admin hands each
# one to staff allowed to see it. MEDIA_URL stays unset on purpose.
MEDIA_ROOT = VAR_DIR / "media"
# Largest file accepted by an upload (a letter response's scan), in bytes (config/uploads.py).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- The admin's theme (django-unfold; README "The admin") ---------------------------------
UNFOLD = {
    "SITE_TITLE": "Vigil",
    "SITE_HEADER": "Vigil",
    "SITE_SUBHEADER": "Cases, campaigns, news",
    # No public site: no "View site" link (config.admin_site.VigilAdminSite.site_url).
    "SITE_URL": None,
    "SITE_ICON": lambda request: static("vigil/favicon.svg"),
    "SITE_FAVICONS": [
        {
            "rel": "icon",
            "type": "image/svg+xml",
            "href": lambda request: static("vigil/favicon.svg"),
        },
        {
            "rel": "alternate icon",
            "sizes": "16x16 32x32 48x48",
            "href": lambda request: static("vigil/favicon.ico"),
        },
    ],
    "STYLES": [lambda request: static("vigil/admin.css")],
    # Keyboard and screen-reader fixes for what the theme and its widgets draw in the browser.
    "SCRIPTS": [lambda request: static("vigil/a11y.js")],
    "SHOW_VIEW_ON_SITE": False,
    "BORDER_RADIUS": "6px",
    # Vigil's blue (the favicon's), for links and buttons.
    "COLORS": {
        "primary": {
            "50": "oklch(97.5% .012 232)",
            "100": "oklch(94.5% .025 232)",
            "200": "oklch(89% .045 232)",
            "300": "oklch(80% .07 232)",
            "400": "oklch(68% .09 232)",
            "500": "oklch(58% .095 232)",
            "600": "oklch(50% .09 232)",
            "700": "oklch(43% .08 232)",
            "800": "oklch(37% .07 232)",
            "900": "oklch(31% .055 232)",
            "950": "oklch(22% .04 232)",
        },
    },
    "ACCOUNT": {
        "navigation": [
            {"title": "Two-factor authentication", "link": reverse_lazy("two_factor:profile")},
            {"title": "Change password", "link": reverse_lazy("admin:password_change")},
            {
                "title": "My morning email of tasks",
                "link": reverse_lazy("admin:tracker_staffpreference_mine"),
            },
        ],
    },
    # Grouped by task; each link shows only to those who may view its list (config/admin_theme.py).
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": False,
        "navigation": "config.admin_theme.navigation",
    },
}

# --- The access log (README "Security") ---------------------------------------------------
# How long it keeps a record (sign-ins, exports, downloads, views of restricted fields): older
# ones are deleted daily by tracker.tasks.prune_access_log.
ACCESS_LOG_RETENTION_DAYS = env.int("ACCESS_LOG_RETENTION_DAYS", default=730)
if ACCESS_LOG_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("ACCESS_LOG_RETENTION_DAYS must be at least 1.")

# --- Celery -------------------------------------------------------------------------------
# The embedded default is kombu's filesystem transport: a broker that needs no server, with
# its message folders under VAR_DIR. Set CELERY_BROKER_URL=redis://... in production.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
# Redis redelivers a task that no worker acknowledged after this long: a worker killed mid-task
# leaves its task (all are acknowledged late) to another worker then. It must exceed the
# longest task's time limit (send_due_digests, 360 s; a poll, 210 s) and the longest retry
# countdown a worker holds a task for (a failed mail send's, under 10 minutes), or a task would
# be delivered twice. Lost work is picked up sooner by the leases (NEWSWATCH_*_CLAIM_LEASE_SECONDS,
# DIGEST_CLAIM_LEASE_SECONDS) and the sweeper.
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": 900}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# One queue per kind of work, each served by workers of its own (Procfile.dev,
# docker-compose.yml), so that a day's digests never delay polling, and neither delays the
# schedulers' own short tasks.
CELERY_TASK_DEFAULT_QUEUE = "scheduler"
CELERY_TASK_ROUTES = {
    "tracker.tasks.poll_source": {"queue": "polls"},
    "tracker.tasks.send_digest": {"queue": "digests"},
    "tracker.tasks.send_digest_batch": {"queue": "digests"},
    "tracker.tasks.send_task_reminder": {"queue": "digests"},
    # Outbound requests, paced, as the polls are.
    "campaigns.tasks.pull_osdi_signatures": {"queue": "polls"},
    # poll_due_sources, send_due_digests and sweep: the default queue, "scheduler".
}
# --- Email digests --------------------------------------------------------------------------
# Hour (UTC) at which digests go out: daily ones every day, weekly ones on Mondays.
DIGEST_HOUR = env.int("DIGEST_HOUR", default=7)
# Deliveries a worker claims, builds and sends together, over one SMTP connection. Larger
# batches share more of the building and rendering; a worker that dies mid-batch sends the
# batch's accepted messages again (identically) once their claim lapses.
DIGEST_BATCH_SIZE = env.int("DIGEST_BATCH_SIZE", default=250)
if not 1 <= DIGEST_BATCH_SIZE <= 900:
    raise ImproperlyConfigured("DIGEST_BATCH_SIZE must be from 1 to 900.")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Vigil <vigil@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# smtp://user:password@host:587 (+ ?ssl=True or tls), consolemail://, filemail:///path ...
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)  # django-environ's idiom: EMAIL_BACKEND, EMAIL_HOST, ...
# The mail provider's bounce, complaint and unsubscribe reports (django-anymail's tracking
# webhooks at /anymail/<provider>/tracking/, README "Email digests"): the HTTP basic-auth
# credentials, "user:password", that the provider is told to send. None outside development:
# without it the webhooks are not served at all (anymail would take reports from anyone).
ANYMAIL_WEBHOOK_SECRET = env.str("ANYMAIL_WEBHOOK_SECRET", default="")
if ANYMAIL_WEBHOOK_SECRET and (
    ":" not in ANYMAIL_WEBHOOK_SECRET or len(ANYMAIL_WEBHOOK_SECRET.split(":", 1)[1]) < 20
):
    raise ImproperlyConfigured(
        "ANYMAIL_WEBHOOK_SECRET must be user:password, the password at least 20 random characters."
    )
ANYMAIL = {"WEBHOOK_SECRET": ANYMAIL_WEBHOOK_SECRET}

# --- Tasks and follow-ups (README "Tasks and follow-ups") -----------------------------------
# A letter sent this many days ago that a recipient has not answered: "chase <recipient>".
FOLLOW_UP_CHASE_AFTER_DAYS = env.int("FOLLOW_UP_CHASE_AFTER_DAYS", default=30)
# A held case this many days or fewer from its legal limit (or past it): a task for its lead.
FOLLOW_UP_LIMIT_WARNING_DAYS = env.int("FOLLOW_UP_LIMIT_WARNING_DAYS", default=7)
# A hearing within this many days: a task for the case's lead.
FOLLOW_UP_HEARING_DAYS = env.int("FOLLOW_UP_HEARING_DAYS", default=7)
# Hour (UTC) of the morning email of each staff member's tasks due and overdue.
TASK_REMINDER_HOUR = env.int("TASK_REMINDER_HOUR", default=6)
if min(FOLLOW_UP_CHASE_AFTER_DAYS, FOLLOW_UP_LIMIT_WARNING_DAYS, FOLLOW_UP_HEARING_DAYS) < 0:
    raise ImproperlyConfigured("The FOLLOW_UP_*_DAYS settings must be 0 or more.")

# --- Leases (README "Reliability"): how long work claimed by a worker that died stays claimed.
# Each is longer than the work it covers can take; the fault tests shorten them.
# A digest send: one delivery's task (time limit 90 s) or a batch's (150 s; it starts no send
# after a third of the lease, at most 60 s, and hands the rest on to another task).
DIGEST_CLAIM_LEASE_SECONDS = env.int("DIGEST_CLAIM_LEASE_SECONDS", default=180)
# A pending digest whose task was queued this long ago, and that nobody holds, is queued again.
DIGEST_REQUEUE_AFTER_SECONDS = env.int("DIGEST_REQUEUE_AFTER_SECONDS", default=360)
# A search source's poll: one task of its round, whose time limit is the budget below plus
# 140 s. The most any poll is held; keep it longer than that limit. With the scheduler's
# minute, a source whose worker died is polled again within 5 minutes.
NEWSWATCH_CLAIM_LEASE_SECONDS = env.int("NEWSWATCH_CLAIM_LEASE_SECONDS", default=220)
# A search round runs as a chain of tasks: each starts no request after this many seconds.
NEWSWATCH_SEARCH_TASK_BUDGET_SECONDS = env.int("NEWSWATCH_SEARCH_TASK_BUDGET_SECONDS", default=70)
# A feed's poll: a slot's wait (60 s at most), a fetch (NEWSWATCH_FETCH_DEADLINE) and storing.
NEWSWATCH_FEED_CLAIM_LEASE_SECONDS = env.int("NEWSWATCH_FEED_CLAIM_LEASE_SECONDS", default=220)
# How often beat runs tracker.tasks.sweep.
SWEEP_INTERVAL_SECONDS = env.int("SWEEP_INTERVAL_SECONDS", default=180)

CELERY_BEAT_SCHEDULE = {
    "poll-due-news-sources": {"task": "tracker.tasks.poll_due_sources", "schedule": 60.0},
    # Queues again the digests whose task was lost (a worker killed, a broker restarted).
    "sweep-lost-work": {"task": "tracker.tasks.sweep", "schedule": float(SWEEP_INTERVAL_SECONDS)},
    "send-daily-digests": {
        "task": "tracker.tasks.send_due_digests",
        "schedule": crontab(hour=DIGEST_HOUR, minute=0),
        "args": ("daily",),
    },
    "send-weekly-digests": {
        "task": "tracker.tasks.send_due_digests",
        "schedule": crontab(hour=DIGEST_HOUR, minute=0, day_of_week="mon"),
        "args": ("weekly",),
    },
    # Follow-ups (chase letters, legal limits, hearings), made once each; before the reminders.
    "create-follow-ups": {
        "task": "tracker.tasks.create_follow_ups",
        "schedule": crontab(hour=TASK_REMINDER_HOUR, minute=0),
    },
    # Each staff member's morning email of their tasks due and overdue.
    "send-task-reminders": {
        "task": "tracker.tasks.send_task_reminders",
        "schedule": crontab(hour=TASK_REMINDER_HOUR, minute=15),
    },
    # Deletes access log records older than ACCESS_LOG_RETENTION_DAYS (README "Security").
    "prune-access-log": {
        "task": "tracker.tasks.prune_access_log",
        "schedule": crontab(hour=3, minute=30),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- REST framework -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Listed first so that an anonymous request gets 401 with WWW-Authenticate: Token.
        # `Authorization: Token <key>`, or `Bearer <key>` (config/api/authentication.py).
        "config.api.authentication.TokenOrBearerAuthentication",
        # Django's session, refused (401, naming the reason) while it lacks its second factor.
        "config.api.authentication.SecondFactorSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "config.api.permissions.ModelPermissions",
    ],
    # JSON in: one set of rules for every client (form encoding's "empty means absent" would
    # make the same request mean two things). The CSV import takes multipart explicitly.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["config.api.filters.StrictFilterBackend"],
    # Page size (50, at most 200) is set on the class.
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.Pagination",
    "DEFAULT_THROTTLE_CLASSES": [
        "config.api.throttling.AnonThrottle",
        "config.api.throttling.UserThrottle",
    ],
    # How many proxies stand in front of the app. Only that many X-Forwarded-For entries are
    # trusted, so a client cannot dodge the throttle by forging the header. The login lockout
    # reads the client's address the same way (config/client_ip.py).
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
    "EXCEPTION_HANDLER": "config.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
API_THROTTLE_RATES = {
    "anon": env.str("API_THROTTLE_ANON", default="30/minute"),
    "user": env.str("API_THROTTLE_USER", default="5000/hour"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Vigil API",
    "DESCRIPTION": "Campaigns, organizations, people, letters, signatures and the case files "
    "of detained persons. Authenticate with `Authorization: Token <key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema.allow_empty_query_values",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "tracker.models.CaseStatus",
        # A letter's list and detail shapes share these.
        "LetterStatusEnum": "campaigns.models.Letter.Status",
        "LetterKindEnum": "campaigns.models.Letter.Kind",
        # Case events and the events proposed from the news share their kinds.
        "CaseEventKindEnum": "tracker.cases.models.CaseEvent.Kind",
        # A mention and the bulk review share its statuses.
        "MentionStatusEnum": "tracker.newswatch.models.Mention.Status",
        # A suppressed address's reason, and a digest delivery's feedback (the same reasons).
        "SuppressionReasonEnum": "tracker.digests.models.SuppressedAddress.Reason",
    },
}

# Shared cache: API throttling counts live here. Use Redis in production so that every
# gunicorn process counts the same requests.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# --- History (django-simple-history) ------------------------------------------------------
SIMPLE_HISTORY_REVERT_DISABLED = False

# --- CSV import/export (django-import-export) ---------------------------------------------
# What every export offers: CSV (and XLSX with openpyxl), each cell a spreadsheet would run as
# a formula written as text (config/exports.py says why and how).
EXPORT_FORMATS = exports.EXPORT_FORMATS
# Every import runs in a transaction: a file with any bad row imports nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
# Exporting a whole table is its own permission (`export_<model>`, config/roles.py): a Viewer
# reads records one page at a time but downloads no table unless granted it.
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "filters": {"refusal_without_traceback": {"()": "config.log_filters.RefusalWithoutTraceback"}},
    # "Forbidden (Permission denied): /admin/..." in one line, without a traceback.
    "loggers": {
        "django.request": {"filters": ["refusal_without_traceback"]},
        # The case file's PDF renderer logs every step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
    "root": {
        "handlers": ["console"],
        "level": env.str("DJANGO_LOG_LEVEL", default="INFO"),
    },
}

# Largest CSV accepted by POST /api/letters/{id}/signatures/import/ (bytes).
SIGNATURE_IMPORT_MAX_BYTES = env.int("SIGNATURE_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)

# --- Pulling signatures from Action Network (README "Pulling signatures from Action Network") --
# The API key of the Action Network group whose petitions are pulled (its OSDI-API-Token). No
# default: a pull refuses, saying so, until it is set.
ACTION_NETWORK_API_KEY = env.str("ACTION_NETWORK_API_KEY", default="")
# Least seconds between two requests with the key, across workers sharing the cache: Action
# Network allows 4 a second per key.
ACTION_NETWORK_PACE_SECONDS = env.float("ACTION_NETWORK_PACE_SECONDS", default=0.25)
# Tries after the first for a page answered 429 or 5xx (or lost on the network), backed off.
ACTION_NETWORK_RETRIES = env.int("ACTION_NETWORK_RETRIES", default=4)
if ACTION_NETWORK_PACE_SECONDS < 0 or ACTION_NETWORK_RETRIES < 0:
    raise ImproperlyConfigured(
        "ACTION_NETWORK_PACE_SECONDS and ACTION_NETWORK_RETRIES must be 0 or more."
    )

# --- News watch -------------------------------------------------------------------------------
# Networks exempt from the SSRF defence (comma-separated CIDRs), e.g. 127.0.0.0/8 in development.
NEWSWATCH_ALLOWED_NETWORKS = env.list("NEWSWATCH_ALLOWED_NETWORKS", default=[])
NEWSWATCH_CONNECT_TIMEOUT = env.float("NEWSWATCH_CONNECT_TIMEOUT", default=10.0)
NEWSWATCH_READ_TIMEOUT = env.float("NEWSWATCH_READ_TIMEOUT", default=20.0)
# Total time one fetch may take, however the server trickles its bytes (seconds).
NEWSWATCH_FETCH_DEADLINE = env.float("NEWSWATCH_FETCH_DEADLINE", default=30.0)
NEWSWATCH_MAX_BYTES = env.int("NEWSWATCH_MAX_BYTES", default=5 * 1024 * 1024)
NEWSWATCH_USER_AGENT = env.str(
    "NEWSWATCH_USER_AGENT",
    default="VigilNewsWatch/1.0 (+https://github.com/vigil-crm; human-rights case monitoring)",
)
