"""One error shape for the whole API.

- validation errors: 400 `{"field": ["message", ...], "non_field_errors": [...]}`, whether DRF or
  a service's full_clean() raised them;
- deleting a record that history depends on: 409 `{"detail": ..., "protected": {...}}`;
- a write that loses a race for a unique value (the database refuses it): 409 `{"detail"}`;
  any other refusal by the database is a bug, answered (and logged) as a 500.
"""

from collections import Counter

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import JsonResponse
from django.urls import Resolver404, resolve
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


def _django_errors(exc: DjangoValidationError) -> dict | list:
    if hasattr(exc, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): messages
            for field, messages in exc.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}


def _is_unique_violation(exc: IntegrityError) -> bool:
    sqlstate = getattr(exc.__cause__, "sqlstate", None)  # PostgreSQL (psycopg) names it
    if sqlstate is not None:
        return sqlstate == "23505"  # unique_violation
    return "UNIQUE constraint failed" in str(exc)  # SQLite only says it in words


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(_django_errors(exc))
    if isinstance(exc, ProtectedError | RestrictedError):
        blockers = (
            exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        )
        counts = Counter(str(obj._meta.verbose_name_plural) for obj in blockers)
        listed = ", ".join(f"{n} {name}" for name, n in sorted(counts.items()))
        return Response(
            {
                "detail": f"This record cannot be deleted: {listed} depend on it. "
                "Delete or reassign them first.",
                "protected": dict(counts),
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, IntegrityError) and _is_unique_violation(exc):
        # Validation passed, then the database refused the write: another request saved a
        # conflicting record (the same unique name, signature, subscription) at that moment.
        # Any other refusal (a check or foreign key) is a bug, and stays a logged 500.
        return Response(
            {"detail": "This conflicts with a record saved at the same moment; reload and retry."},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """A URL under /api/ that matches no endpoint answers JSON, as the endpoints do.

    Routed as the API's last URL pattern (config/urls.py), not only left to handler404: with
    DEBUG on, Django answers a URL that matches nothing with its HTML page listing every URL
    pattern, and never calls handler404. Exempt from CSRF: it changes nothing, and a POST gets
    the same JSON 404, not a CSRF failure page."""
    return JsonResponse({"detail": "Not found."}, status=404)


@csrf_exempt
def api_missing_slash(request, *args, **kwargs):
    """A path under /api/ without its trailing slash: a JSON 404 for every method, saying where
    the endpoint is when there is one.

    Django's APPEND_SLASH would redirect a GET (a client following it sends a second request)
    and cannot redirect a POST at all: with DEBUG on it raises (a 500), with DEBUG off its 301
    turns the POST into a GET of the list, so the write is silently lost."""
    slashed = f"{request.path}/"
    try:
        match = resolve(slashed)
    except Resolver404:
        match = None
    if match is None or match.func in (api_not_found, api_missing_slash):
        return api_not_found(request)
    return JsonResponse({"detail": f"Not found. API paths end with a slash: {slashed}"}, status=404)


def api_aware_404(request, exception):
    if request.path.startswith("/api/"):
        return api_not_found(request)
    return defaults.page_not_found(request, exception)


def api_aware_500(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)
