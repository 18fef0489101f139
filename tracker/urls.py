"""Public pages of the tracker app, mounted at /digests/ (config/urls.py)."""

from django.urls import path

from tracker.digests.unsubscribe import unsubscribe

app_name = "digests"

urlpatterns = [
    path("unsubscribe/<str:token>/", unsubscribe, name="unsubscribe"),
]
