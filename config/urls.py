from csp.constants import SELF
from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.api.errors import api_aware_404, api_aware_500, api_missing_slash, api_not_found
from config.health import health
from config.views import favicon, permission_denied

handler403 = permission_denied
handler404 = api_aware_404
handler500 = api_aware_500

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index"), name="home"),
    path("favicon.ico", favicon, name="favicon"),
    path("health/", health, name="health"),
    # Two-factor setup, recovery codes and the like (django-two-factor-auth): /admin/account/...
    # Setting a device up takes a fully signed-in session or an enrolment link (config/enrolment).
    path("admin/", include("config.enrolment")),
    path("admin/", admin.site.urls),
    # One-click unsubscribe from digest emails: the signed token in the URL is the credential.
    path("digests/", include("tracker.urls")),
    # The morning email of tasks: its link turns it off (or on), the signed token the credential.
    path("tasks/", include("tracker.workspace.urls")),
    # The schema and its docs describe the API's shape and hold no records: public.
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's set-up script as a file (?script), not inline, so that
    # the Content-Security-Policy needs no inline script; nor does Swagger UI need eval, which
    # only the admin's theme does (CONTENT_SECURITY_POLICY).
    path(
        "api/docs/",
        csp_replace({"script-src": [SELF]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
    # OSDI 1.1.1 (HAL+JSON, read-only), for the movement's tools: campaigns/osdi/.
    path("api/osdi/v1/", include("campaigns.osdi.urls")),
    path("api/", include("config.api_router")),
    # Last: any other path under /api/: a JSON 404 for every method, never APPEND_SLASH's
    # redirect (which cannot carry a POST); without its slash, it names the path to use.
    re_path(r"^api/(?:.*/)?$", api_not_found),
    re_path(r"^api(?:/.*)?$", api_missing_slash),
]

# The mail provider's reports of bounces, complaints and unsubscribes (django-anymail's
# webhooks, /anymail/<provider>/tracking/; tracker/digests/feedback.py acts on them), behind
# HTTP basic auth with ANYMAIL_WEBHOOK_SECRET. Not served without it: anymail would then take
# reports from anyone, and anyone could stop an address's digests.
if settings.ANYMAIL_WEBHOOK_SECRET:
    urlpatterns.append(path("anymail/", include("anymail.urls")))
