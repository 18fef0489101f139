"""The few pages outside the admin and the API."""

from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static


def favicon(request):
    """Browsers ask for /favicon.ico on every site; the icon itself is a static file."""
    return HttpResponsePermanentRedirect(static("vigil/favicon.ico"))
