"""The few pages outside the admin and the API."""

from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static


def favicon(request):
    """Browsers ask for /favicon.ico on every site; the icon itself is a static file."""
    return HttpResponsePermanentRedirect(static("vigil/favicon.ico"))


def permission_denied(request, exception=None):
    """A refused page (Django's handler403): templates/403.html, inside the admin's frame
    (sidebar, logo, account menu) for staff who reach the admin, so that a refusal leaves them
    where they were rather than on a bare page."""
    from django.contrib import admin

    context = {"title": "Not allowed"}  # the header's title
    if admin.site.has_permission(request):
        request.current_app = admin.site.name
        context |= admin.site.each_context(request)
    return render(request, "403.html", context, status=403)
